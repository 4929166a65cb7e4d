/* Declarations shared between catalogue source files only. */
#ifndef CAT_INTERNAL_H
#define CAT_INTERNAL_H

#include "catalog.h"

/* The highest offering rowid when bulk writing began, or -1 outside bulk
   mode (offering.c keeps it; store.c owns the storage). */
sqlite3_int64 *cat_bulk_mark(cat_catalog *cat);

/* Applies every migration newer than the file's user_version (migrations.c). */
fg_status cat_migrate(cat_catalog *cat, fg_error *err);

/* Builds an offering's full JSON from a row's columns (offering.c).
   New, or NULL when the stored content is corrupt. */
json_t *cat_offering_from_row(const char *content, int64_t rev, const char *status,
                              const char *updated_at, const char *withdrawn_at);

/* The columns cat_offering_from_row needs, in this order, as SQL, and the
   tables they come from: the narrow row `o` and its text `t`. */
#define CAT_OFFERING_COLUMNS "t.content, o.rev, o.status, o.updated_at, o.withdrawn_at"
#define CAT_OFFERING_FROM " FROM offering o JOIN offering_text t ON t.rowid = o.rowid"

/* Reads those five columns starting at `col` of the current row. New. */
json_t *cat_offering_from_stmt(sqlite3_stmt *st, int col);

/* The same record as compact JSON text, spliced from the stored text
   without decoding it (the hub's feed pages). New, or NULL. */
char *cat_offering_text_from_stmt(sqlite3_stmt *st, int col);

/* ---- requests, for sync and the hub (request.c) --------------------- */

/* The action whose target status is `to` ("accepted" -> CAT_ACCEPT). */
bool cat_action_for_status(const char *to, cat_action *out);

/*
 * Makes one move of request `id` inside the caller's write transaction:
 * checks who may make it, the life cycle and capacity, then records it at
 * time `at` by `org`.  Errors as cat_request_transition.
 */
fg_status cat_request_move_locked(cat_catalog *cat, const char *id, cat_action action,
                                  const char *org, const char *reason, const char *at,
                                  fg_error *err);

/* Checks the shape of a request record that travels (SPEC §5 plus provider
   and rev = number of moves). */
fg_status cat_request_check(const json_t *r, fg_error *err);

/*
 * Stores a checked request record as it is, inside the caller's
 * transaction: inserts it or updates its status, rev and time, writes its
 * history from entry `first_event` on, and drops local entries beyond the
 * record's history (moves the hub refused).
 */
fg_status cat_request_store_locked(cat_catalog *cat, const json_t *r, size_t first_event,
                                   fg_error *err);

#endif /* CAT_INTERNAL_H */
