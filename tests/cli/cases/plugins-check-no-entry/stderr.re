^fgcat: plugin {TESTPLUGINS}/no-entry/no-entry.so refused: no entry symbol 'fgcat_plugin_entry' .* \(and 1 more problem\)$
