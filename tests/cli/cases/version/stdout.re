\Afgcat \d+\.\d+\.\d+ \(plugin ABI 1\.0\)\n\Z
