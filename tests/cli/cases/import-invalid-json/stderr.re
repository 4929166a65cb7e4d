^fgcat: import: {CASE}/input\.json: line 4, column \d+: 
