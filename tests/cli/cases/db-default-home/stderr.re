^fgcat: new catalogue {TMP}/home/\.local/share/fgcat/catalogue\.db: 
