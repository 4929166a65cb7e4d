^no-quote +1\.0\.0 +ABI 1\.1 +refused +{TESTPLUGINS}/no-quote/no-quote\.so$
^    bad descriptor: the quote_request callback is missing$
^productivity +\S+ +ABI 1\.1 +loaded 
