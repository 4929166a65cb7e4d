\A{TESTPLUGINS}/test-area/test-area\.so: plugin test-area 1\.0\.0 \(ABI 1\.1\), 3 valid offerings, areas: test-area\n\Z
