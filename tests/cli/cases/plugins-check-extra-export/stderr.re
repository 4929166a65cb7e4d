^fgcat: plugin {TESTPLUGINS}/extra-export/extra-export.so refused: exports 'extra_export_helper' \(FUNC\) besides fgcat_plugin_entry
!more problem
