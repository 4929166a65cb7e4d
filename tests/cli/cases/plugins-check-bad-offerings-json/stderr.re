^fgcat: plugin {TESTPLUGINS}/bad-offerings/bad-offerings.so refused: offering 'BAD/by-post-course': .* \(and 1 more problem\)$
