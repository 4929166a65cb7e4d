^fgcat: .*{TMP}
