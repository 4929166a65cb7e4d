^fgcat: plugin {TESTPLUGINS}/bad-offerings/bad-offerings.so refused: offering 'BAD/by-post-course': field delivery .*by-post.* \(and 1 more problem\)$
