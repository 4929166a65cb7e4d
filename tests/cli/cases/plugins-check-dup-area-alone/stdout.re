plugin dup-area .*areas: test-area$
