\A{TESTPLUGINS}/dup-area/dup-area\.so: area 'test-area' is already provided by {TESTPLUGINS}/test-area/test-area\.so \(plugin test-area 1\.0\.0\)\n\Z
