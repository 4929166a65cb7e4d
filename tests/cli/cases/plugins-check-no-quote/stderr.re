^fgcat: plugin {TESTPLUGINS}/no-quote/no-quote.so refused: .*the quote_request callback is missing
!more problem
