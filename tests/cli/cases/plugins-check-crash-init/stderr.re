^fgcat: plugin {TESTPLUGINS}/crash-init/crash-init.so refused: .*crashed while loading \(signal 11
!more problem
