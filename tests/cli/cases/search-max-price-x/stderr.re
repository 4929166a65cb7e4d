^fgcat: search: --max-price .*'x'
