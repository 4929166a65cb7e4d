^fgcat: import: <stdin>: record 2 \(RTF/wound-care-pilot\): .*more than once
