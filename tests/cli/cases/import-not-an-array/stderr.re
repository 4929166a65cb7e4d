^fgcat: import: <stdin>: expected a JSON array
