\A{TESTPLUGINS}/abi-major/abi-major\.so: built for plugin ABI 2\.0, this fgcat provides ABI 1\.1 \(major versions differ\)\n\Z
