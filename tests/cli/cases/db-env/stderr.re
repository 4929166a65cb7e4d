^fgcat: new catalogue {TMP}/env/cat\.db: 
