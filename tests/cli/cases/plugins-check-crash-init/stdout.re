\A{TESTPLUGINS}/crash-init/crash-init\.so: plugin crash-init crashed in init \(signal 11, [^\n]*\)\n\Z
