^fgcat: plugin {TESTPLUGINS}/bad-name/bad-name.so refused: .*bad descriptor: name must be
!more problem
