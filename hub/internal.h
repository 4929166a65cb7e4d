/*
 * Declarations shared between the hub's own source files, web/ included,
 * only: no other library sees this header, and only the hub sees
 * libmicrohttpd's.
 */
#ifndef HUB_INTERNAL_H
#define HUB_INTERNAL_H

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
} net_mhd;

/* The function table, loading libmicrohttpd on the first call
   (thread-safe).  Borrowed, valid until exit; NULL with the reason in
   `err` when it cannot be loaded. */
const net_mhd *net_mhd_api(fg_error *err);

/* ---- calls and replies, shared with the pages in web/ ---------------- */

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
 * The search answer cache (cache.c).  hub_cache_get returns a new copy
 * of the answer stored under `key` at feed sequence `seq`, or NULL;
 * hub_cache_put stores one (copied); hub_cache_clear empties it.
 */
char *hub_cache_get(const char *key, int64_t seq, size_t *len);
void hub_cache_put(const char *key, int64_t seq, const char *body, size_t len);
void hub_cache_clear(void);

/* The organisation of a token, or false. */
bool hub_token_org(cat_catalog *cat, const char *token, char org[8]);

#endif /* HUB_INTERNAL_H */
