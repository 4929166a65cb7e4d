^fgcat: option '--db' needs a value \(see fgcat --help\)$
