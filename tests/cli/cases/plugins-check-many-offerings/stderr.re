^fgcat: plugin {TESTPLUGINS}/test-area/test-area.so refused: offering 'TST/X0': field id .* \(and 59 more problems\)$
