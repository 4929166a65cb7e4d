^fgcat: plugin {TESTPLUGINS}/dup-area/dup-area\.so refused: area 'test-area' is already provided by {TESTPLUGINS}/test-area/test-area\.so
!more problem
