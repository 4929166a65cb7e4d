\A{TESTPLUGINS}/null-descriptor/null-descriptor\.so: fgcat_plugin_entry\(\) returned NULL\n\Z
