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
    /* Called once listening, with the address actually bound. */
    void (*on_listen)(const char *addr, unsigned port, void *ud);
    void *ud;
} hub_config;

/*
 * Serves until *stop becomes non-zero (set it from a SIGTERM/SIGINT
 * handler), then finishes the requests in progress and returns.  Logs one
 * line per request through fg_log, never a token.
 */
fg_status hub_run(const hub_config *cfg, const volatile sig_atomic_t *stop,
                  fg_error *err);

#endif /* HUB_H */
