# 50 problems listed, then the count of the others: 51 lines
\A(?:{TESTPLUGINS}/test-area/test-area\.so: offering 'TST/X[0-9]+': field id [^\n]*\n){50}{TESTPLUGINS}/test-area/test-area\.so: and 10 more problems, not listed\n\Z
^{TESTPLUGINS}/test-area/test-area\.so: offering 'TST/X49': 
!'TST/X50'
