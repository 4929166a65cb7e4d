^fgcat: plugin {TESTPLUGINS}/null-descriptor/null-descriptor.so refused: .*fgcat_plugin_entry\(\) returned NULL
!more problem
