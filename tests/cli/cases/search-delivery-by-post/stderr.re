^fgcat: search: --delivery must be on-site, remote or blended, not 'by-post'
