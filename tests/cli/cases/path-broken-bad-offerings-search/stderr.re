^fgcat: plugin {TESTPLUGINS}/bad-offerings/bad-offerings.so refused: .*BAD/by-post-course.*delivery.*by-post
^fgcat: new catalogue {DB}: [1-9][0-9]* offerings from 4 plugins$
