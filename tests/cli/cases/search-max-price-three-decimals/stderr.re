^fgcat: search: --max-price .*'1\.234'
