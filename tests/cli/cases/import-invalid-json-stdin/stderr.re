^fgcat: import: <stdin>: line 1, column \d+: 
