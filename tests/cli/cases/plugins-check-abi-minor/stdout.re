\A{TESTPLUGINS}/abi-minor/abi-minor\.so: built for plugin ABI 1\.2, newer than this fgcat's ABI 1\.1\n\Z
