^fgcat: plugin {TESTPLUGINS}/extra-export/extra-export.so: exports 1 symbol besides fgcat_plugin_entry \(extra_export_helper\), which can clash with other code's symbols; loaded anyway$
