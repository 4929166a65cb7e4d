^fgcat: areas: takes no arguments
