^fgcat: plugin {TESTPLUGINS}/abi-major/abi-major.so refused: .*built for plugin ABI 2\.0, this fgcat provides ABI 1\.1
^fgcat: new catalogue {DB}: [1-9][0-9]* offerings from 4 plugins$
