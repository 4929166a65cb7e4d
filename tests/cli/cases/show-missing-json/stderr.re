^fgcat: .*RTF/no-such-offering
