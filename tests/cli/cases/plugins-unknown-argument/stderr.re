^fgcat: plugins: unknown argument 'frob'
