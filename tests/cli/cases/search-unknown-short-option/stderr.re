^fgcat: search: unknown option '-x'
