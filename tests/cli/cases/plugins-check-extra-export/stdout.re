\A{TESTPLUGINS}/extra-export/extra-export\.so: exports 'extra_export_helper' \(FUNC\) besides fgcat_plugin_entry: make it static or hidden[^\n]*\n\Z
