^fgcat: import: expected one FILE
