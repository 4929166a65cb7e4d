\Afgcat \d+\.\d+\.\d+ \(plugin ABI 1\.1\)\n\Z
