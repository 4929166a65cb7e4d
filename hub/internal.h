/*
 * Declarations shared between the hub's own source files, web/ included,
 * only: no other library sees this header, and only the hub sees
 * libmicrohttpd's.
 */
#ifndef HUB_INTERNAL_H
#define HUB_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <microhttpd.h>

#include "hub.h"

/* ---- libmicrohttpd, loaded when a hub starts (mhd.c) ----------------- */

typedef struct net_mhd {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    void (*stop_daemon)(struct MHD_Daemon *daemon);
    MHD_socket (*quiesce_daemon)(struct MHD_Daemon *daemon);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *daemon,
                                                    enum MHD_DaemonInfoType info_type, ...);
    const char *(*lookup_connection_value)(struct MHD_Connection *connection,
                                           enum MHD_ValueKind kind, const char *key);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *response,
                                           const char *header, const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *connection,
                                      unsigned int status_code,
                                      struct MHD_Response *response);
    void (*destroy_response)(struct MHD_Response *response);
    const union MHD_ConnectionInfo *(*get_connection_info)(
        struct MHD_Connection *connection, enum MHD_ConnectionInfoType info_type, ...);
    int (*get_connection_values_n)(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                   MHD_KeyValueIteratorN iterator, void *iterator_cls);
} net_mhd;

/* The function table, loading libmicrohttpd on the first call
   (thread-safe).  Borrowed, valid until exit; NULL with the reason in
   `err` when it cannot be loaded. */
const net_mhd *net_mhd_api(fg_error *err);

/* ---- calls and replies, shared with the pages in web/ ---------------- */

/* A response header: name and value, both new. */
typedef struct hub_header {
    char *name, *value;
} hub_header;

/* One answer: status, content type, body (new, freed by the server) and
   its headers, as many as it needs (the browser pages send a policy,
   cookies and redirects).  Released with hub_reply_clear. */
typedef struct hub_reply {
    unsigned status;
    const char *content_type;
    char *body;
    size_t len;
    hub_header *headers;
    size_t n_headers, cap_headers;
} hub_reply;

/* Adds a header to `r` (both strings copied, whole): none is ever
   dropped or cut. */
void hub_reply_header(hub_reply *r, const char *name, const char *value);

/* Frees the body and headers of `r`. */
void hub_reply_clear(hub_reply *r);

typedef struct hub_cache hub_cache;
typedef struct hub_conn hub_conn;

/*
 * A running hub: what every request shares.  It lives in hub_run and
 * reaches each request through libmicrohttpd's callback argument and the
 * call, never through a global, so two hubs in one process (a test) keep
 * apart.
 */
typedef struct hub_server {
    const hub_config *cfg;
    const net_mhd *mhd;
    pthread_mutex_t lock;  /* serialises pushes; no plugin runs under it */
    pthread_key_t cat_key; /* each worker thread's catalogue connection */
    hub_cache *cache;
    /* The open connections, oldest first, for the per-client limit and
       the read deadlines (server.c). */
    pthread_mutex_t conns_lock;
    hub_conn *conns_head, *conns_tail;
    unsigned n_conns;             /* how many are open */
    struct hub_metrics *metrics;  /* metrics.c */
    struct hub_signin_limit *signin; /* failed sign-ins per address (web/signin.c) */
} hub_server;

/* What a handler knows about the call. */
typedef struct hub_call {
    hub_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;       /* decoded path, without the query */
    const char *body;       /* request body, NUL-terminated (may be "") */
    size_t body_len;
    char org[8];            /* the caller's organisation, "" when anonymous */
    cat_catalog *cat;       /* this thread's connection to the catalogue */
    const hub_config *cfg;
    char client[48];        /* the client's address ("?" when unknown) */
} hub_call;

/* A value of the call's request (header, cookie, query argument) from
   libmicrohttpd, or NULL; borrowed for the call. */
const char *hub_lookup(const hub_call *call, enum MHD_ValueKind kind, const char *key);

/* The value of query argument `name`, or NULL. */
const char *hub_arg(const hub_call *call, const char *name);

/* Sets `r` to a JSON answer (takes the reference to `value`). */
void hub_reply_json(hub_reply *r, unsigned status, json_t *value);

/* Sets `r` to {"error": code, "message": ...}. */
void hub_reply_error(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Answers a /v1/ call (api.c). */
void hub_api_route(hub_call *call, hub_reply *r);

/* Answers a call under /fhir (fhir.c: the FHIR R4 reads); false when
   `call` is not one of them. */
bool hub_fhir_route(hub_call *call, hub_reply *r);

/* Answers a call for the browser pages (web/router.c); false when `call`
   is not one of them. */
bool hub_web_route(hub_call *call, hub_reply *r);

/* The pages' count of failed sign-ins per client address (web/signin.c). */
struct hub_signin_limit *hub_signin_limit_new(void);
void hub_signin_limit_free(struct hub_signin_limit *l);

/* Sets `r` to an HTML page saying why the server refused a browser's call
   (`status`, `why`) before reading it (web/router.c). */
void hub_web_refused(hub_call *call, hub_reply *r, unsigned status, const char *why);

/* Takes the server's lock that serialises pushes (their plugin checks
   run before it: cat_push_check), waiting at most the hub's lock timeout; false (and `r` set to 503 with
   Retry-After) when it could not (api.c). */
bool hub_lock_within(const hub_call *call, hub_reply *r);

/* Sets `r` to 503 unavailable with Retry-After: the catalogue is busy. */
void hub_reply_busy(const hub_call *call, hub_reply *r);

/* Releases the lock hub_lock_within took. */
void hub_unlock(const hub_call *call);

/*
 * The search answer cache (cache.c), one per server.  hub_cache_get
 * returns a new copy of the answer stored under `key` at feed sequence
 * `seq`, or NULL; hub_cache_put stores one (copied).
 */
hub_cache *hub_cache_new(void);
void hub_cache_free(hub_cache *c);
char *hub_cache_get(hub_cache *c, const char *key, int64_t seq, size_t *len);
void hub_cache_put(hub_cache *c, const char *key, int64_t seq, const char *body, size_t len);

/* The organisation of a token, or false. */
bool hub_token_org(cat_catalog *cat, const char *token, char org[8]);

/* Sets call->org from the call's "Authorization: Bearer TOKEN"; false,
   with call->org "", when there is none or the token is not a member's. */
bool hub_call_bearer(hub_call *call);

/* ---- metrics (metrics.c) ---------------------------------------------- */

/* The routes requests are counted by: a fixed set, so that a client
   cannot make the hub keep a counter for each path it invents. */
typedef enum hub_route {
    HUB_ROUTE_HEALTH,
    HUB_ROUTE_WHOAMI,
    HUB_ROUTE_CHANGES,
    HUB_ROUTE_SNAPSHOT,
    HUB_ROUTE_SEARCH,
    HUB_ROUTE_OFFERING,
    HUB_ROUTE_REQUEST,
    HUB_ROUTE_PUSH,
    HUB_ROUTE_QUOTE,
    HUB_ROUTE_METRICS,
    HUB_ROUTE_FHIR,
    HUB_ROUTE_PAGE,
    HUB_ROUTE_OTHER,
    HUB_ROUTES
} hub_route;

/* Why the hub closed a connection. */
typedef enum hub_close_reason {
    HUB_CLOSED_PER_CLIENT,
    HUB_CLOSED_MAX_CONNECTIONS,
    HUB_CLOSED_HEAD_TIMEOUT,
    HUB_CLOSED_BODY_TIMEOUT,
    HUB_CLOSE_REASONS
} hub_close_reason;

typedef struct hub_metrics hub_metrics;

/* New counters, all zero; freed with hub_metrics_free. */
hub_metrics *hub_metrics_new(void);
void hub_metrics_free(hub_metrics *m);

/* The route a request for (decoded) `path` is counted under. */
hub_route hub_route_of(const char *path);

/* Counts one answered request and the time it took. */
void hub_metrics_request(hub_metrics *m, hub_route route, unsigned status, double seconds);

/* Counts the items of a push answer ({"results": [...]}) by status. */
void hub_metrics_push(hub_metrics *m, const json_t *answer);

/* Counts a connection the hub closed. */
void hub_metrics_closed(hub_metrics *m, hub_close_reason why);

/* Counts one notification e-mail sent, or one failed attempt. */
void hub_metrics_notify(hub_metrics *m, bool sent);

/* True when `addr` (dotted IPv4) is one of the comma-separated addresses
   of `list` (--metrics-from), false otherwise or when `list` is NULL. */
bool hub_metrics_allowed(const char *list, const char *addr);

/* Answers GET /v1/metrics: the counters, the feed's sequence and the
   open connections in the Prometheus text format. */
void hub_metrics_answer(hub_call *call, hub_reply *r);

/* ---- notifications (notify.c) ---------------------------------------- */

typedef struct hub_notifier hub_notifier;

/* Starts the thread that sends the catalogue's queued notifications
   through cfg->mailer, or, without a mailer, logs that they stay queued
   and returns NULL.  New; stop with hub_notify_stop. */
hub_notifier *hub_notify_start(const hub_config *cfg, hub_metrics *m);

/* Stops the sender (a message in flight is abandoned at once and stays
   queued) and frees it; NULL is allowed. */
void hub_notify_stop(hub_notifier *n);

#endif /* HUB_INTERNAL_H */
