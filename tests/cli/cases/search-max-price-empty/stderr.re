^fgcat: search: --max-price .*''
