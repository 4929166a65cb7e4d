^fgcat: show: expected one offering ID
