^fgcat: plugin {TESTPLUGINS}/test-area/test-area\.so refused: not checked: a plugin on the plugin path {TESTPLUGINS}/crash-init crashed
