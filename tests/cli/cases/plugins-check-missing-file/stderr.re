^fgcat: plugins check: cannot read '{TMP}/no-such\.so'
