^fgcat: plugin {TESTPLUGINS}/crash-init/crash-init\.so refused: crashed
