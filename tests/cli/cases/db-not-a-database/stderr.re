^fgcat: catalogue '{DATA}/not-a-database\.txt' cannot be used: 
