^fgcat: new catalogue {TMP}/xdg/fgcat/catalogue\.db: 
