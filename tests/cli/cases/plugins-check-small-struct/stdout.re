\A{TESTPLUGINS}/small-struct/small-struct\.so: bad descriptor: struct_size 16 is smaller than the [0-9]+ bytes of ABI 1\.0\n\Z
