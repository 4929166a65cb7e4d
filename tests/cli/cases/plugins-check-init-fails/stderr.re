^fgcat: plugin {TESTPLUGINS}/init-fails/init-fails.so refused: .*init failed .*database of courses is missing
!more problem
