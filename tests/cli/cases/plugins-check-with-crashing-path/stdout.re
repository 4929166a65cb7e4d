\A{TESTPLUGINS}/test-area/test-area\.so: not checked: a plugin on the plugin path {TESTPLUGINS}/crash-init crashed while loading \(signal 11, [^\n]*\)\n\Z
