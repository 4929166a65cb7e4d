^fgcat: plugin {TESTPLUGINS}/crash-init/crash-init\.so refused: plugin crash-init crashed in init
