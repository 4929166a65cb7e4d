^fgcat: plugin {TESTPLUGINS}/init-fails/init-fails.so refused: .*init failed .*database of courses is missing
^fgcat: new catalogue {DB}: [1-9][0-9]* offerings from 4 plugins$
