^fgcat: search: --max-price .*'-5'
