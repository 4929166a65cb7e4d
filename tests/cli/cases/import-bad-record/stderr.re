^fgcat: import: {CASE}/input\.json: record 2 \(RTF/by-post-course\): .*delivery
