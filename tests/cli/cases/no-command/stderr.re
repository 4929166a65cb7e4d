usage: fgcat
