^fgcat: search: --limit .*'0'
