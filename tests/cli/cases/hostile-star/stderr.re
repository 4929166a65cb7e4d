^fgcat: search: search text .* has no words to search for
