^fgcat: plugins check: '{TMP}' is not a regular file$
