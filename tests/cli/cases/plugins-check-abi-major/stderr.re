^fgcat: plugin {TESTPLUGINS}/abi-major/abi-major.so refused: .*built for plugin ABI 2\.0, this fgcat provides ABI 1\.1
!more problem
