^fgcat: plugin {TESTPLUGINS}/abi-minor/abi-minor.so refused: .*built for plugin ABI 1\.2, newer than this fgcat's ABI 1\.1
!more problem
