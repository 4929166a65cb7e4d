/* The sync client's entry points for the fuzz targets (fuzz/). */
#ifndef SYNC_INTERNAL_H
#define SYNC_INTERNAL_H

#include "sync.h"

/*
 * Takes one page of the hub's change feed for remote `name` (read from the
 * catalogue as sync_run reads it) as a sync run takes a 200 answer: checks
 * its "next" cursor, applies its changes and moves the cursor in one
 * transaction, and on a snapshot's last page (`snapshot` and not "more")
 * ends the snapshot.  `page` is borrowed.  Errors as sync_run's pull.
 * Used by fuzz/fuzz_sync_page.c.
 */
fg_status sync_apply_page_for_fuzz(cat_catalog *cat, const char *name, const json_t *page,
                                   bool snapshot, sync_report *rep, fg_error *err);

#endif /* SYNC_INTERNAL_H */
