\A{TESTPLUGINS}/crash-init/crash-init\.so: crashed while loading \(signal 11, [^\n]*\)\n\Z
