^fgcat: export: option '--format' needs a value
