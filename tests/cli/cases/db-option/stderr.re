^fgcat: new catalogue {TMP}/opt\.db: 
