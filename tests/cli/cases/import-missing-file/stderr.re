^fgcat: import: cannot open '{TMP}/no-such\.json': No such file or directory$
