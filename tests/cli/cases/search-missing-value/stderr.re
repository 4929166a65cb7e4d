^fgcat: search: option '--area' needs a value
