^fgcat: search: --limit .*'abc'
