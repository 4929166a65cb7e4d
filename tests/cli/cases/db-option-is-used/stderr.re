^fgcat: new catalogue {TMP}/other\.db
^fgcat: .*wound-care-pilot
