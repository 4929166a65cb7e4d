\A{TESTPLUGINS}/init-fails/init-fails\.so: init failed \(status 3\): database of courses is missing[^\n]*\n\Z
