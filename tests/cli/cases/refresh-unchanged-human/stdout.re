\Arefresh: 0 added, 0 changed, 0 withdrawn, [1-9][0-9]* unchanged \(4 plugins applied, 0 refused\)\n\Z
