^fgcat: new catalogue {TMP}/a/b/c/catalogue\.db: 
