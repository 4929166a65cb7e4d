^fgcat: plugin directory {TMP}/no-such-dir cannot be read
