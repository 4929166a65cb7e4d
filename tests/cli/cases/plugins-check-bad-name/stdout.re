\A{TESTPLUGINS}/bad-name/bad-name\.so: bad descriptor: name must be 1-40 characters of \[a-z0-9-\]\n\Z
