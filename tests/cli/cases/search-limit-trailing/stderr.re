^fgcat: search: --limit .*'5x'
