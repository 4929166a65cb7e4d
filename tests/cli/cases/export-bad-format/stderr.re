^fgcat: export: --format must be json, not 'xml'
