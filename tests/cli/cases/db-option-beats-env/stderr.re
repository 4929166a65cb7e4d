{TMP}/opt\.db
