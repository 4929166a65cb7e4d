^fgcat: plugin {TESTPLUGINS}/bad-offerings/bad-offerings.so refused: .*BAD/by-post-course.*delivery.*by-post
