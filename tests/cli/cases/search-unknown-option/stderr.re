^fgcat: search: unknown option '--frob'
