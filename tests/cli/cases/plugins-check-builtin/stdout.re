^{PLUGINS}/productivity\.so: plugin productivity \S+ \(ABI 1\.1\), [1-9][0-9]* valid offerings, areas: productivity$
