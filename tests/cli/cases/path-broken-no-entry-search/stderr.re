^fgcat: plugin {TESTPLUGINS}/no-entry/no-entry.so refused: .*no entry symbol 'fgcat_plugin_entry'
^fgcat: new catalogue {DB}: [1-9][0-9]* offerings from 4 plugins$
