/*
 * The sync client's HTTP calls (libcurl): bearer token, JSON in and out,
 * bounded answers, timeouts, TLS verification, and retries with
 * exponential backoff and jitter on transient failures.
 */
#ifndef SYNC_HTTP_H
#define SYNC_HTTP_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

#include "status.h"

typedef struct sync_http sync_http;

typedef struct sync_http_options {
    bool insecure;            /* skip TLS verification */
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

#endif /* SYNC_HTTP_H */
