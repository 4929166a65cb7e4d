/*
 * The hub: fgcat's catalogue served over HTTP with libmicrohttpd
 * (docs/sync-protocol.md), and the browser catalogue.  The CLI's
 * `fgcat serve` runs it; this is all it sees of the hub.
 */
#ifndef HUB_H
#define HUB_H

#include <signal.h>
#include <stdbool.h>

#include "catalog/catalog.h"

typedef struct hub_config {
    const char *db_path;    /* the hub's catalogue */
    const char *listen;     /* "ADDR:PORT"; port 0 picks a free one */
    const char *tls_cert;   /* PEM files, or NULL for plain HTTP */
    const char *tls_key;
    rt_runtime *rt;         /* area plugins for validation, or NULL */
    int tombstone_days;     /* how long tombstones stay in the feed */
    unsigned threads;       /* worker threads */
    /* Connections: how many at once from one client address, and in all;
       the time a client has to send a whole request head (from connecting
       or from the end of its previous request) and a whole body; how long
       a write waits for the catalogue before the answer is 503.  Seconds;
       0 takes the default (see hub_config_defaults). */
    unsigned per_client, max_connections;
    unsigned head_timeout, body_timeout, lock_timeout;
    /* The client addresses /v1/metrics answers (the operator's scraper),
       IPv4, separated by commas; NULL: 127.0.0.1. */
    const char *metrics_from;
    /* People's browser sessions end after this many seconds unused, and
       this many after signing in whatever their use; 0 takes the defaults
       (30 minutes, 12 hours). */
    int64_t session_idle, session_max;
    /* How notification e-mails leave the hub, or NULL: they stay queued. */
    const struct hub_mailer *mailer;
    /* Called once listening, with the address actually bound. */
    void (*on_listen)(const char *addr, unsigned port, void *ud);
    void *ud;
} hub_config;

/*
 * The hub's way to send its notifications (docs/notifications.md): the
 * sender thread takes due messages from the catalogue's queue, writes each
 * as an RFC 5322 message and hands it to `send` (the CLI gives the sync
 * library's SMTP client), recording the outcome.
 */
typedef struct hub_mailer {
    /* Sends `message` (headers and body, CRLF lines) to `rcpt`: FG_OK,
       or an error with a printable reason, no secret, in `err`; gives up
       at once when *stop becomes non-zero. */
    fg_status (*send)(void *ud, const char *rcpt, const char *message,
                      const volatile sig_atomic_t *stop, fg_error *err);
    void *ud;
    const char *from;     /* the From: address */
    const char *relay;    /* the relay as the log names it (no secret) */
    cat_notify_backoff backoff; /* 0 fields take CAT_NOTIFY_RETRY_MIN etc. */
    unsigned poll_s;      /* how often the queue is read; 0: 5 */
} hub_mailer;

/* The defaults of the fields above, as `fgcat serve --help` states them. */
#define HUB_PER_CLIENT 32
#define HUB_MAX_CONNECTIONS 512
#define HUB_HEAD_TIMEOUT 10
#define HUB_BODY_TIMEOUT 120
#define HUB_LOCK_TIMEOUT 5
#define HUB_SESSION_IDLE ((int64_t)30 * 60)
#define HUB_SESSION_MAX ((int64_t)12 * 60 * 60)

/*
 * Serves until *stop becomes non-zero (set it from a SIGTERM/SIGINT
 * handler), then finishes the requests in progress and returns.  Logs one
 * line per request through fg_log, never a token.
 */
fg_status hub_run(const hub_config *cfg, const volatile sig_atomic_t *stop,
                  fg_error *err);

#endif /* HUB_H */
