^{TESTPLUGINS}/test-area-abi-1-0/test-area-abi-1-0\.so: plugin test-area 1\.0\.0 \(ABI 1\.0\), 3 valid offerings, areas: test-area$
