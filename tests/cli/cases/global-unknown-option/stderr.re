^fgcat: unknown option '--frob' \(see fgcat --help\)$
