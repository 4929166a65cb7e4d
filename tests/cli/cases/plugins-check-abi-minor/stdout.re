\A{TESTPLUGINS}/abi-minor/abi-minor\.so: built for plugin ABI 1\.1, newer than this fgcat's ABI 1\.0\n\Z
