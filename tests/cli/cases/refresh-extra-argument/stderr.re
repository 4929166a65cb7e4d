^fgcat: refresh: takes no arguments
