^fgcat: plugin {TESTPLUGINS}/not-elf/not-elf.so refused: .*cannot load: .*invalid ELF header
^fgcat: new catalogue {DB}: [1-9][0-9]* offerings from 4 plugins$
