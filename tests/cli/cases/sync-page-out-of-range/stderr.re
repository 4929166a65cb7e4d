^fgcat: sync: --page must be 1-5000 records \(see fgcat sync --help\)$
