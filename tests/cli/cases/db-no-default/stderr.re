^fgcat: no default catalogue.*--db
