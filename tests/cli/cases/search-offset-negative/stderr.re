^fgcat: search: --offset .*'-1'
