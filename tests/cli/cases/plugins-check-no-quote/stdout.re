\A{TESTPLUGINS}/no-quote/no-quote\.so: bad descriptor: the quote_request callback is missing\n\Z
