/* Declarations shared between catalogue source files only. */
#ifndef CAT_INTERNAL_H
#define CAT_INTERNAL_H

#include "catalog.h"

/* Applies every migration newer than the file's user_version (migrations.c). */
fg_status cat_migrate(cat_catalog *cat, fg_error *err);

/* Builds an offering's full JSON from a row's columns (offering.c).
   New, or NULL when the stored content is corrupt. */
json_t *cat_offering_from_row(const char *content, int64_t rev, const char *status,
                              const char *updated_at, const char *withdrawn_at);

/* The columns cat_offering_from_row needs, in this order, as SQL. */
#define CAT_OFFERING_COLUMNS "o.content, o.rev, o.status, o.updated_at, o.withdrawn_at"

/* Reads those five columns starting at `col` of the current row. New. */
json_t *cat_offering_from_stmt(sqlite3_stmt *st, int col);

#endif /* CAT_INTERNAL_H */
