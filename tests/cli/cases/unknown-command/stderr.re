^fgcat: 'frobnicate' is not a command
