^fgcat: plugin {TESTPLUGINS}/small-struct/small-struct.so refused: .*struct_size 16 is smaller than
!more problem
