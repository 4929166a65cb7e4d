#define _DEFAULT_SOURCE /* arc4random_uniform (glibc 2.36) */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define BACKOFF_BASE_S 0.5
#define BACKOFF_MAX_S 30.0
#define RETRY_AFTER_MAX_S 120.0

struct sync_http {
    const net_curl *cu; /* libcurl, loaded on first use */
    CURL *curl;
    char *base_url;
    char auth[160];
    sync_http_options opts;
    unsigned requests;
};

/* The answer being received, bounded by opts.max_body. */
typedef struct answer {
    char *buf;
    size_t len, cap, max;
    bool too_large;
    double retry_after;
} answer;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    size_t len = size * n;
    if (a->len + len > a->max) {
        a->too_large = true;
        return 0; /* aborts the transfer */
    }
    if (a->len + len + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 16384;
        while (cap < a->len + len + 1)
            cap *= 2;
        a->buf = fg_xrealloc(a->buf, cap);
        a->cap = cap;
    }
    memcpy(a->buf + a->len, data, len);
    a->len += len;
    a->buf[a->len] = '\0';
    return len;
}

/* Reads a Retry-After given in seconds (the HTTP-date form is ignored). */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        char buf[32];
        size_t k = 0;
        for (size_t i = 12; i < len && k + 1 < sizeof buf; i++)
            if (data[i] >= '0' && data[i] <= '9')
                buf[k++] = data[i];
        buf[k] = '\0';
        if (k) {
            int64_t s;
            if (fg_parse_int(buf, 0, 86400, &s))
                a->retry_after = (double)s;
        }
    }
    return len;
}

sync_http *sync_http_new(const char *base_url, const char *token,
                         const sync_http_options *opts, fg_error *err)
{
    const net_curl *cu = net_curl_api(err);
    sync_http *h;
    size_t n;
    if (!cu)
        return NULL;
    h = fg_xcalloc(1, sizeof *h);
    h->cu = cu;
    h->curl = cu->easy_init();
    if (!h->curl) {
        free(h);
        fg_fail(err, FG_ENOMEM, "cannot start an HTTP client (libcurl)");
        return NULL;
    }
    h->base_url = fg_strdup(base_url);
    n = strlen(h->base_url);
    while (n > 0 && h->base_url[n - 1] == '/')
        h->base_url[--n] = '\0';
    snprintf(h->auth, sizeof h->auth, "Authorization: Bearer %s", token);
    h->opts = *opts;
    if (h->opts.attempts < 1)
        h->opts.attempts = 1;
    return h;
}

void sync_http_free(sync_http *h)
{
    if (!h)
        return;
    h->cu->easy_cleanup(h->curl);
    free(h->base_url);
    /* The token does not outlive its use in memory. */
    memset(h->auth, 0, sizeof h->auth);
    free(h);
}

unsigned sync_http_requests(const sync_http *h)
{
    return h->requests;
}

/* Sleeps `s` seconds in short naps, returning early when asked to stop. */
static void pause_for(const sync_http *h, double s)
{
    while (s > 0 && !(h->opts.stop && *h->opts.stop)) {
        double step = s < 0.1 ? s : 0.1;
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        s -= step;
    }
}

/* Exponential backoff with ±50% jitter, at least Retry-After. */
static double backoff(int attempt, double retry_after)
{
    double d = BACKOFF_BASE_S;
    for (int i = 1; i < attempt && d < BACKOFF_MAX_S; i++)
        d *= 2;
    if (d > BACKOFF_MAX_S)
        d = BACKOFF_MAX_S;
    d *= 0.5 + (double)arc4random_uniform(1000000) / 1e6;
    if (retry_after > d)
        d = retry_after > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : retry_after;
    return d;
}

typedef enum outcome { ANSWERED, FAILED, RETRY } outcome;

/* One attempt: ANSWERED (a 2xx with JSON, or a final 4xx), FAILED (not
   worth retrying), or RETRY (transient); err says why it failed. */
static outcome attempt_once(sync_http *h, const char *method, const char *url,
                         struct curl_slist *headers, const char *payload, answer *a,
                         long *status, json_t **out, fg_error *err)
{
    CURL *c = h->curl;
    CURLcode rc;
    json_error_t jerr;
    char detail[CURL_ERROR_SIZE] = "";

    h->cu->easy_reset(c);
    /* curl's own words say which certificate check failed and why. */
    h->cu->easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    h->cu->easy_setopt(c, CURLOPT_URL, url);
    h->cu->easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    h->cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    h->cu->easy_setopt(c, CURLOPT_WRITEDATA, a);
    h->cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    h->cu->easy_setopt(c, CURLOPT_HEADERDATA, a);
    h->cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    h->cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->opts.connect_timeout_s);
    h->cu->easy_setopt(c, CURLOPT_TIMEOUT, h->opts.timeout_s);
    h->cu->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    h->cu->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->opts.low_speed_time_s);
    h->cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    h->cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    h->cu->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    h->cu->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->opts.insecure ? 0L : 1L);
    h->cu->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->opts.insecure ? 0L : 2L);
    if (h->opts.ca_file)
        h->cu->easy_setopt(c, CURLOPT_CAINFO, h->opts.ca_file);
    h->cu->easy_setopt(c, CURLOPT_USERAGENT, "fgcat-sync/" FGCAT_VERSION);
    if (strcmp(method, "POST") == 0) {
        h->cu->easy_setopt(c, CURLOPT_POST, 1L);
        h->cu->easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        h->cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
    }
    a->len = 0;
    a->too_large = false;
    a->retry_after = 0;
    h->requests++;
    rc = h->cu->easy_perform(c);
    if (a->too_large) {
        fg_fail(err, FG_ENET, "%s: the answer is larger than %zu bytes", url, a->max);
        return FAILED;
    }
    if (rc != CURLE_OK) {
        fg_fail(err, FG_ENET, "%s: %s", url, detail[0] ? detail : h->cu->easy_strerror(rc));
        /* A certificate the client refuses will not become acceptable. */
        return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                       rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT
                   ? FAILED
                   : RETRY;
    }
    h->cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (*status == 408 || *status == 429 || *status >= 500) {
        fg_fail(err, FG_ENET, "%s: the hub answered %ld", url, *status);
        return RETRY;
    }
    if (*status < 200 || (*status >= 300 && *status < 400)) {
        fg_fail(err, FG_ENET, "%s: the hub answered %ld (redirects are not followed)", url,
                *status);
        return FAILED;
    }
    *out = a->len ? json_loadb(a->buf, a->len, 0, &jerr) : NULL;
    if (*status < 300 && !*out) {
        /* Truncated or garbled: the same call again may well work. */
        fg_fail(err, FG_ENET, "%s: the hub's answer is not JSON (%s)", url,
                a->len ? jerr.text : "empty");
        return RETRY;
    }
    return ANSWERED;
}

fg_status sync_http_call(sync_http *h, const char *method, const char *path,
                         const char *idempotency_key, const json_t *body, long *status,
                         json_t **out, fg_error *err)
{
    char url[4096], key_header[200];
    char *payload = NULL;
    struct curl_slist *headers = NULL;
    answer a = {.max = h->opts.max_body};
    fg_status st = FG_ENET;

    *out = NULL;
    *status = 0;
    if ((size_t)snprintf(url, sizeof url, "%s%s", h->base_url, path) >= sizeof url)
        return fg_fail(err, FG_EINVAL, "URL too long");
    headers = h->cu->slist_append(headers, h->auth);
    headers = h->cu->slist_append(headers, "Accept: application/json");
    if (body) {
        payload = json_dumps(body, JSON_COMPACT);
        if (!payload) {
            h->cu->slist_free_all(headers);
            return fg_fail(err, FG_ENOMEM, "out of memory");
        }
        headers = h->cu->slist_append(headers, "Content-Type: application/json");
    }
    if (idempotency_key) {
        snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", idempotency_key);
        headers = h->cu->slist_append(headers, key_header);
    }
    for (int attempt = 1; attempt <= h->opts.attempts; attempt++) {
        outcome o = attempt_once(h, method, url, headers, payload ? payload : "", &a, status,
                                 out, err);
        if (o == ANSWERED) {
            st = FG_OK;
            break;
        }
        if (o == FAILED)
            break;
        if (attempt < h->opts.attempts && !(h->opts.stop && *h->opts.stop)) {
            double d = backoff(attempt, a.retry_after);
            fg_log(FG_LOG_INFO, "sync: %s; retrying in %.1f s", err ? err->msg : "failed", d);
            pause_for(h, d);
        }
        if (h->opts.stop && *h->opts.stop)
            break;
    }
    h->cu->slist_free_all(headers);
    free(payload);
    free(a.buf);
    return st;
}
