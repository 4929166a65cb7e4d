/*
 * The hub: fgcat's catalogue served over HTTP with libmicrohttpd
 * (docs/sync-protocol.md), and the browser catalogue.  Internal to the
 * catalogue library; the CLI's `fgcat serve` runs it.
 */
#ifndef HUB_H
#define HUB_H

#include <signal.h>
#include <stdbool.h>

#include <microhttpd.h>

#include "catalog.h"

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

/* ---- shared with hub_html.c ------------------------------------------ */

/* An extra response header; unused when name is "". */
typedef struct hub_header {
    char name[32];
    char value[512];
} hub_header;

#define HUB_MORE_HEADERS 4

/* One answer: status, content type, body (new, freed by the server),
   an optional extra header, and up to HUB_MORE_HEADERS more (the browser
   pages send a policy, cookies and redirects). */
typedef struct hub_reply {
    unsigned status;
    const char *content_type;
    char *body;
    size_t len;
    char header_name[32];
    char header_value[512];
    hub_header more[HUB_MORE_HEADERS];
} hub_reply;

/* What a handler knows about the call. */
typedef struct hub_call {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;       /* decoded path, without the query */
    const char *body;       /* request body, NUL-terminated (may be "") */
    size_t body_len;
    char org[8];            /* the caller's organisation, "" when anonymous */
    cat_catalog *cat;       /* this thread's connection to the catalogue */
    const hub_config *cfg;
} hub_call;

/* A value of the call's request (header, cookie, query argument) from
   libmicrohttpd, or NULL; borrowed for the call. */
const char *hub_lookup(struct MHD_Connection *conn, enum MHD_ValueKind kind,
                       const char *key);

/* The value of query argument `name`, or NULL. */
const char *hub_arg(const hub_call *call, const char *name);

/* Sets `r` to a JSON answer (takes the reference to `value`). */
void hub_reply_json(hub_reply *r, unsigned status, json_t *value);

/* Sets `r` to {"error": code, "message": ...}. */
void hub_reply_error(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Handles the browser pages; false when `call` is not one of them. */
bool hub_html_route(hub_call *call, hub_reply *r);

/* Runs fn with the lock that serialises writes and plugin calls. */
void hub_lock(void);
void hub_unlock(void);

/*
 * The search answer cache (hub_cache.c).  hub_cache_get returns a new copy
 * of the answer stored under `key` at feed sequence `seq`, or NULL;
 * hub_cache_put stores one (copied); hub_cache_clear empties it.
 */
char *hub_cache_get(const char *key, int64_t seq, size_t *len);
void hub_cache_put(const char *key, int64_t seq, const char *body, size_t len);
void hub_cache_clear(void);

/* The organisation of a token, or false. */
bool hub_token_org(cat_catalog *cat, const char *token, char org[8]);

#endif /* HUB_H */
