^fgcat: import: <stdin>: record 1 \(RTF/wound-care-pilot\): .*area.*no-such-area
