^fgcat: 15 more match; --offset 2 shows the next page$
