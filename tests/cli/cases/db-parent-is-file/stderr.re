^fgcat: .*not-a-database\.txt
