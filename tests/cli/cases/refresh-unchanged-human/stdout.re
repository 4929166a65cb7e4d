\Arefresh: 0 added, 0 changed, 0 withdrawn, [1-9][0-9]* unchanged \(plugins: 4 applied, 0 refused\)\n\Z
