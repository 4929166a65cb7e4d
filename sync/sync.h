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
   with its token in `token_file` (which must be readable now) and, when
   `ca_file` is not NULL, the PEM certificates to trust for its TLS
   instead of the system's.  Both paths are stored absolute. */
fg_status sync_remote_add(cat_catalog *cat, const char *name, const char *url,
                          const char *token_file, const char *ca_file, fg_error *err);

/* Removes a remote and what was recorded about it (not the records it
   brought).  FG_ENOTFOUND when unknown. */
fg_status sync_remote_remove(cat_catalog *cat, const char *name, fg_error *err);

/*
 * The remotes, as a new array of {"name", "url", "token_file", "ca_file",
 * "org", "cursor", "last_success", "last_error", "last_error_at",
 * "pending", "refused": [{"kind", "id", "rev", "status", "reason"}],
 * "requests" and "moves": {"waiting", "delivered", "refused",
 * "undeliverable"}, "undeliverable": [{"id", "offering_id"}]}.
 * `pending` and the counts need `org`, learnt on the first sync (null,
 * and no counts, before).  "requests" counts the organisation's
 * submissions, "moves" its later moves in requests; a request or move
 * whose offering only another remote carries is not counted here.
 */
fg_status sync_status(cat_catalog *cat, json_t **out, fg_error *err);

/*
 * The requests that no remote's hub carries the offering of, with
 * something still to deliver, made by (or moved by) organisation `org`
 * (NULL: the organisation of any remote): a new array of {"id",
 * "offering_id"}.  They stay here, and each sync reports them.
 */
fg_status sync_undeliverable(cat_catalog *cat, const char *org, json_t **out, fg_error *err);

/*
 * Where request `id` stands with the remotes: a new {"remotes": N,
 * "offering_id", "to": [{"remote", "state", "rev", "status", "reason"}]}
 * with one entry per remote whose hub carries the offering; "state" is
 * "delivered" (the hub has this version), "waiting" (for the next sync) or
 * "refused" (with the hub's status and reason).  An empty "to" with
 * remotes > 0: no hub this node syncs with carries the offering.
 * FG_ENOTFOUND when there is no such request.
 */
fg_status sync_request_delivery(cat_catalog *cat, const char *id, json_t **out,
                                fg_error *err);

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
    unsigned http_calls; /* HTTP round trips, retries included */
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

/* ---- e-mail through an SMTP relay (smtp.c, docs/notifications.md) ---- */

typedef struct sync_smtp_options {
    const char *url;       /* smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] */
    const char *from;      /* the envelope and From: address */
    const char *user_file; /* "USER:PASSWORD" on one line, or NULL */
    const char *ca_file;   /* PEM certificates to trust, or NULL: the system's */
    bool insecure_plain;   /* smtp:// without TLS (a relay on loopback) */
    long timeout_s;        /* one message, connecting included; 0: 30 */
} sync_smtp_options;

typedef struct sync_smtp sync_smtp;

/* A mailer for the relay in `o` (strings copied; the credentials read
   now, never logged).  New, free with sync_smtp_free; NULL with the
   reason in `err` for a bad option, an unreadable file or no libcurl. */
sync_smtp *sync_smtp_new(const sync_smtp_options *o, fg_error *err);
void sync_smtp_free(sync_smtp *s);

/* Sends `message` (headers and body, CRLF lines; borrowed) to `rcpt`,
   TLS required unless insecure_plain.  FG_ENET with the relay's or
   libcurl's reason (printable, no secret) in `err`; gives up at once when
   *stop becomes non-zero (stop may be NULL). */
fg_status sync_smtp_send(sync_smtp *s, const char *rcpt, const char *message,
                         const volatile sig_atomic_t *stop, fg_error *err);

#endif /* SYNC_H */
