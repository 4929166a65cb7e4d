^fgcat: plugin {TESTPLUGINS}/not-elf/not-elf.so refused: .*cannot load: .*invalid ELF header
!more problem
