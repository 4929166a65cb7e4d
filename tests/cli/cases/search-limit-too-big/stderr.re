^fgcat: search: --limit .*'1001'
