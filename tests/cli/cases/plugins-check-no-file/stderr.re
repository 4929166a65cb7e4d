^fgcat: plugins check: expected one plugin file
