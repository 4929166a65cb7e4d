\A{TESTPLUGINS}/not-elf/not-elf\.so: cannot load: [^\n]*invalid ELF header\n\Z
