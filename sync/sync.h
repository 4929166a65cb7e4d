/*
 * The sync client (docs/sync-protocol.md): the remotes a node follows, what
 * it must push to each, and one sync run — push the local changes, then
 * pull the hub's feed page by page, each page committed with its cursor.
 */
#ifndef SYNC_H
#define SYNC_H

#include <signal.h>
#include <stdbool.h>

#include "catalog/catalog.h"

/* Adds remote `name` ([a-z0-9_-]{1,40}) at `url` (http:// or https://)
   with its token in `token_file` (which must be readable now). */
fg_status sync_remote_add(cat_catalog *cat, const char *name, const char *url,
                          const char *token_file, fg_error *err);

/* Removes a remote and what was recorded about it (not the records it
   brought).  FG_ENOTFOUND when unknown. */
fg_status sync_remote_remove(cat_catalog *cat, const char *name, fg_error *err);

/*
 * The remotes, as a new array of {"name", "url", "token_file", "org",
 * "cursor", "last_success", "last_error", "last_error_at", "pending",
 * "refused": [{"kind", "id", "rev", "status", "reason"}]}.  `pending`
 * needs `org`, learnt on the first sync (null before).
 */
fg_status sync_status(cat_catalog *cat, json_t **out, fg_error *err);

/* The names of every remote, as a new array of strings. */
fg_status sync_remote_names(cat_catalog *cat, json_t **out, fg_error *err);

typedef struct sync_progress {
    const char *remote;
    const char *phase; /* "push", "pull" or "snapshot" */
    size_t done;       /* items pushed or records pulled so far */
} sync_progress;

/* Records asked for per feed page: the hub's most (docs/sync-protocol.md)
   by default; fewer commit more often on a slow link. */
#define SYNC_DEFAULT_PAGE 5000
#define SYNC_MAX_PAGE 5000

typedef struct sync_options {
    bool insecure;
    int attempts;           /* per HTTP call */
    long timeout_s;         /* per HTTP call */
    long low_speed_time_s;
    int page;               /* records asked for per feed page (1-5000) */
    volatile sig_atomic_t *stop; /* finish the current page, then return */
    void (*progress)(const sync_progress *p, void *ud);
    void *ud;
} sync_options;

typedef struct sync_report {
    size_t pushed;      /* items the hub applied */
    size_t unchanged;   /* items the hub already had */
    size_t refused;     /* items refused this run */
    size_t pulled;      /* records applied from the feed */
    size_t deleted;     /* records removed by tombstones or a snapshot */
    unsigned requests;  /* HTTP requests sent */
    bool resynced;      /* a snapshot replaced the incremental pull */
    bool interrupted;   /* stopped early on request */
} sync_report;

/*
 * Syncs with remote `name` once.  Returns FG_OK; FG_EREFUSED when the hub
 * refused items this run (everything else was applied); FG_ENET when the
 * hub could not be reached or kept failing (what was committed stays,
 * and the error is recorded for `sync status`).
 */
fg_status sync_run(cat_catalog *cat, const char *name, const sync_options *opts,
                   sync_report *rep, fg_error *err);

#endif /* SYNC_H */
