/*
 * Declarations shared between the sync client's own source files (and its
 * fuzz target) only: no other library sees this header.
 */
#ifndef SYNC_INTERNAL_H
#define SYNC_INTERNAL_H

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

#include "sync.h"

/* ---- libcurl, loaded on first use (curl.c) --------------------------- */

typedef struct net_curl {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    char *(*easy_escape)(CURL *curl, const char *string, int length);
    void (*free)(void *p);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
} net_curl;

/* The function table, loading libcurl on the first call (thread-safe).
   Borrowed, valid until exit; NULL with the reason in `err` when it
   cannot be loaded. */
const net_curl *net_curl_api(fg_error *err);

/* ---- HTTP calls to the hub (sync_http.c) ------------------------------ */

/* The sync client's HTTP calls: bearer token, JSON in and out, bounded
   answers, timeouts, TLS verification, and retries with exponential
   backoff and jitter on transient failures. */

typedef struct sync_http sync_http;

typedef struct sync_http_options {
    bool insecure;            /* skip TLS verification */
    const char *ca_file;      /* PEM certificates to trust instead of the
                                 system's, or NULL (borrowed) */
    int attempts;             /* tries per call, >= 1 */
    long connect_timeout_s;
    long timeout_s;           /* whole call */
    long low_speed_time_s;    /* abort below 1 KiB/s for this long */
    size_t max_body;          /* largest answer accepted */
    volatile sig_atomic_t *stop; /* stop waiting between retries when set */
} sync_http_options;

/* A client for the hub at `base_url` with `token`.  New; free with
   sync_http_free().  NULL, with the reason in `err`, when libcurl cannot
   be loaded or memory runs out. */
sync_http *sync_http_new(const char *base_url, const char *token,
                         const sync_http_options *opts, fg_error *err);
void sync_http_free(sync_http *h);

/* How many HTTP requests were sent so far (retries included). */
unsigned sync_http_requests(const sync_http *h);

/*
 * Calls METHOD base_url+path with `body` (may be NULL) and, when
 * `idempotency_key` is given, that header.  On a 2xx answer that parses as
 * JSON sets *status and *out (new).  On a 4xx other than 408/429 sets
 * *status and *out (the error body, or NULL) and returns FG_OK: the caller
 * decides.  Transient failures are retried; when they persist, FG_ENET with
 * the last reason in `err`.
 */
fg_status sync_http_call(sync_http *h, const char *method, const char *path,
                         const char *idempotency_key, const json_t *body, long *status,
                         json_t **out, fg_error *err);

/* ---- for the fuzz target (sync.c) ----------------------------------- */

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
