/*
 * The hub's HTTP server (libmicrohttpd) and its /v1/ API.  Each worker
 * thread has its own connection to the catalogue (SQLite in WAL mode lets
 * them read at once); writes and plugin calls go through one lock.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define MAX_BODY ((size_t)16 * 1024 * 1024)
#define MAX_PAGE 5000
#define DEFAULT_PAGE 500
#define MAX_TLS_FILE ((size_t)1024 * 1024)
/* Each connection's memory pool in libmicrohttpd holds the request line
   and headers and one record per query argument.  Its default (32 KiB)
   runs out at about 450 arguments -- a 3 KiB URL -- and libmicrohttpd
   0.9.75 then holds the connection, unanswered, until its timeout.  256
   KiB takes every URL of the protocol's 8 KiB limit, however dense. */
#define HUB_CONNECTION_MEMORY (512 * 1024)

static pthread_mutex_t hub_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t cat_key;
static pthread_once_t cat_key_once = PTHREAD_ONCE_INIT;
static const hub_config *hub_cfg;
static const net_mhd *mhd; /* libmicrohttpd, loaded when the hub starts */

const char *hub_lookup(struct MHD_Connection *conn, enum MHD_ValueKind kind,
                       const char *key)
{
    return mhd->lookup_connection_value(conn, kind, key);
}

void hub_lock(void)
{
    pthread_mutex_lock(&hub_mutex);
}

void hub_unlock(void)
{
    pthread_mutex_unlock(&hub_mutex);
}

static void close_thread_cat(void *p)
{
    cat_close(p);
}

static void make_cat_key(void)
{
    pthread_key_create(&cat_key, close_thread_cat);
}

/* This thread's connection to the hub's catalogue, opened on first use and
   closed when the thread ends.  NULL when it cannot be opened. */
static cat_catalog *thread_cat(fg_error *err)
{
    cat_catalog *cat;
    pthread_once(&cat_key_once, make_cat_key);
    cat = pthread_getspecific(cat_key);
    if (cat)
        return cat;
    if (cat_open(hub_cfg->db_path, &cat, err) != FG_OK)
        return NULL;
    pthread_setspecific(cat_key, cat);
    return cat;
}

/* ---- replies ---------------------------------------------------------- */

void hub_reply_json(hub_reply *r, unsigned status, json_t *value)
{
    r->status = status;
    r->content_type = "application/json";
    r->body = json_dumps(value, JSON_COMPACT);
    r->len = r->body ? strlen(r->body) : 0;
    json_decref(value);
}

void hub_reply_error(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[FG_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A message quoting input at a bounded length may cut a character in
       two; JSON takes only UTF-8. */
    fg_utf8_scrub(msg);
    hub_reply_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", msg));
}

/* The HTTP answer for a library failure. */
static void reply_status(hub_reply *r, const fg_error *e)
{
    switch (e->status) {
    case FG_EINVAL:
        hub_reply_error(r, 400, "bad_request", "%s", e->msg);
        break;
    case FG_ENOTFOUND:
        hub_reply_error(r, 404, "not_found", "%s", e->msg);
        break;
    case FG_EPERM:
        hub_reply_error(r, 403, "forbidden", "%s", e->msg);
        break;
    default:
        fg_log(FG_LOG_ERROR, "hub: %s", e->msg);
        hub_reply_error(r, 500, "internal", "the hub could not do this; see its log");
    }
}

const char *hub_arg(const hub_call *call, const char *name)
{
    return hub_lookup(call->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool hub_token_org(cat_catalog *cat, const char *token, char org[8])
{
    fg_error e;
    return token && cat_token_check(cat, token, org, &e) == FG_OK;
}

/* Reads a bounded integer argument; false (and a 400) when malformed. */
static bool int_arg(hub_call *call, hub_reply *r, const char *name, int64_t def, int64_t min,
                    int64_t max, int64_t *out)
{
    const char *v = hub_arg(call, name);
    if (!v || !*v) {
        *out = def;
        return true;
    }
    if (fg_parse_int(v, min, max, out))
        return true;
    hub_reply_error(r, 400, "bad_request", "%s must be a whole number from %lld to %lld", name,
                    (long long)min, (long long)max);
    return false;
}

/* ---- /v1/ handlers ---------------------------------------------------- */

static void feed_reply(hub_call *call, hub_reply *r, int64_t after, int64_t limit,
                       const char *epoch)
{
    int64_t next;
    bool more;
    char cursor[CAT_EPOCH_SIZE + 24], *body = NULL, *tail = NULL;
    size_t len = 0;
    json_t *rest;
    fg_error e;
    FILE *out = open_memstream(&body, &len);
    if (!out) {
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    /* {"changes": PAGE, "next": ..., "more": ...}: the page is JSON text
       already (cat_feed_page), the rest Jansson's, spliced after it. */
    fputs("{\"changes\":", out);
    if (cat_feed_page(call->cat, after, limit, call->org, out, &next, &more, &e) != FG_OK) {
        fclose(out);
        free(body);
        reply_status(r, &e);
        return;
    }
    snprintf(cursor, sizeof cursor, "%s:%lld", epoch, (long long)next);
    rest = json_pack("{s:s, s:b}", "next", cursor, "more", more);
    tail = rest ? json_dumps(rest, JSON_COMPACT) : NULL;
    json_decref(rest);
    if (tail)
        fprintf(out, ",%s", tail + 1);
    if (fclose(out) != 0 || !tail) {
        free(tail);
        free(body);
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    free(tail);
    r->status = 200;
    r->content_type = "application/json";
    r->body = body;
    r->len = len;
}

static void api_changes(hub_call *call, hub_reply *r, bool snapshot)
{
    char epoch[CAT_EPOCH_SIZE], their_epoch[CAT_EPOCH_SIZE];
    int64_t limit, after = 0, seq, horizon;
    fg_error e;
    const char *since = hub_arg(call, "since");

    if (!int_arg(call, r, "limit", DEFAULT_PAGE, 1, MAX_PAGE, &limit))
        return;
    if (cat_feed_epoch(call->cat, epoch, &e) != FG_OK ||
        cat_feed_seq(call->cat, &seq, &e) != FG_OK ||
        cat_feed_horizon(call->cat, &horizon, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    if (snapshot) {
        if (!int_arg(call, r, "after", 0, 0, INT64_MAX, &after))
            return;
    } else if (since && *since) {
        if (!cat_cursor_parse(since, their_epoch, &after)) {
            hub_reply_error(r, 400, "bad_request", "since is not a cursor this hub gave");
            return;
        }
        if (strcmp(their_epoch, epoch) != 0) {
            hub_reply_json(r, 410, json_pack("{s:s, s:s, s:s}", "error", "resync", "reason",
                                             "epoch", "message",
                                             "the hub's feed has a new epoch; take a snapshot"));
            return;
        }
        if (after > seq) {
            hub_reply_json(r, 410, json_pack("{s:s, s:s, s:s}", "error", "resync", "reason",
                                             "ahead", "message",
                                             "the cursor is ahead of the hub; take a snapshot"));
            return;
        }
        if (after < horizon) {
            hub_reply_json(r, 410,
                           json_pack("{s:s, s:s, s:s}", "error", "resync", "reason", "expired",
                                     "message",
                                     "tombstones newer than the cursor were purged; take a "
                                     "snapshot"));
            return;
        }
    }
    feed_reply(call, r, after, limit, epoch);
}

/* Answers a record with its rev as ETag, or 304 when the caller has it. */
static void record_reply(hub_call *call, hub_reply *r, json_t *rec)
{
    char etag[32];
    const char *inm = hub_lookup(call->conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
    snprintf(etag, sizeof etag, "\"%lld\"",
             (long long)json_integer_value(json_object_get(rec, "rev")));
    if (inm && strcmp(inm, etag) == 0) {
        json_decref(rec);
        r->status = 304;
        r->content_type = "application/json";
    } else {
        hub_reply_json(r, 200, rec);
    }
    snprintf(r->header_name, sizeof r->header_name, "ETag");
    snprintf(r->header_value, sizeof r->header_value, "%s", etag);
}

static void api_offering(hub_call *call, hub_reply *r, const char *id)
{
    json_t *rec;
    fg_error e;
    if (cat_offering_get(call->cat, id, &rec, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    record_reply(call, r, rec);
}

static void api_request(hub_call *call, hub_reply *r, const char *id)
{
    json_t *rec;
    fg_error e;
    if (cat_request_get(call->cat, id, &rec, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    if (strcmp(call->org, json_string_value(json_object_get(json_object_get(rec, "requester"),
                                                            "ods"))) != 0 &&
        strcmp(call->org, json_string_value(json_object_get(json_object_get(rec, "provider"),
                                                            "ods"))) != 0) {
        /* Not visible to this caller: as if it did not exist. */
        json_decref(rec);
        hub_reply_error(r, 404, "not_found", "no request with id '%.60s'", id);
        return;
    }
    record_reply(call, r, rec);
}

static void api_search(hub_call *call, hub_reply *r)
{
    cat_query q = {.max_price_pence = -1};
    const char *price = hub_arg(call, "max_price");
    const char *facets = hub_arg(call, "facets");
    json_t *results = NULL, *counts = NULL, *out;
    char key[2048];
    int64_t seq = 0;
    bool keyed;
    fg_error e;

    q.text = hub_arg(call, "q");
    if (q.text && !*q.text)
        q.text = NULL;
    q.area = hub_arg(call, "area");
    q.provider = hub_arg(call, "provider");
    q.delivery = hub_arg(call, "delivery");
    q.region = hub_arg(call, "region");
    q.tag = hub_arg(call, "tag");
    q.facets = facets && strcmp(facets, "1") == 0;
    q.include_withdrawn = hub_arg(call, "include_withdrawn") != NULL;
    if (!int_arg(call, r, "limit", 20, 1, 1000, &q.limit) ||
        !int_arg(call, r, "offset", 0, 0, 1000000000, &q.offset))
        return;
    if (price && *price && !fg_parse_pounds(price, &q.max_price_pence)) {
        hub_reply_error(r, 400, "bad_request", "max_price takes pounds like 1500 or 1500.50");
        return;
    }
    if (q.text && !fg_utf8_valid(q.text, strlen(q.text))) {
        hub_reply_error(r, 400, "bad_request", "q is not valid UTF-8");
        return;
    }
    /* Every value that shapes the answer, with separators no value holds
       (control characters are refused in them). */
    keyed = snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld\x1f%lld\x1f%d%d",
                     q.text ? q.text : "", q.area ? q.area : "", q.provider ? q.provider : "",
                     q.delivery ? q.delivery : "", q.region ? q.region : "",
                     q.tag ? q.tag : "", (long long)q.max_price_pence, (long long)q.limit,
                     (long long)q.offset, q.facets, q.include_withdrawn) < (int)sizeof key &&
            cat_feed_seq(call->cat, &seq, &e) == FG_OK;
    if (keyed && (r->body = hub_cache_get(key, seq, &r->len)) != NULL) {
        r->status = 200;
        r->content_type = "application/json";
        return;
    }
    if (cat_search(call->cat, &q, &results, q.facets ? &counts : NULL, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    out = json_pack("{s:o}", "results", results);
    if (counts)
        json_object_set_new(out, "facets", counts);
    hub_reply_json(r, 200, out);
    if (keyed && r->body)
        hub_cache_put(key, seq, r->body, r->len);
}

static bool good_key(const char *k)
{
    size_t n = 0;
    if (!k)
        return false;
    for (; k[n]; n++)
        if (!((k[n] >= 'A' && k[n] <= 'Z') || (k[n] >= 'a' && k[n] <= 'z') ||
              (k[n] >= '0' && k[n] <= '9') || k[n] == '-' || k[n] == '_') ||
            n >= 128)
            return false;
    return n > 0;
}

static void api_push(hub_call *call, hub_reply *r)
{
    const char *key = hub_lookup(call->conn, MHD_HEADER_KIND,
                                                  "Idempotency-Key");
    const char *type = hub_lookup(call->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    json_t *body, *answer = NULL;
    json_error_t jerr;
    fg_error e;

    if (!type || strncmp(type, "application/json", 16) != 0 ||
        (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
        hub_reply_error(r, 415, "unsupported_media_type", "push takes application/json");
        return;
    }
    if (!good_key(key)) {
        hub_reply_error(r, 400, "bad_request",
                        "Idempotency-Key must be 1-128 characters of [A-Za-z0-9_-]");
        return;
    }
    body = json_loadb(call->body, call->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        hub_reply_error(r, 400, "bad_request", "body is not JSON: line %d, column %d: %s",
                        jerr.line, jerr.column, jerr.text);
        return;
    }
    hub_lock();
    if (cat_idempotent_get(call->cat, call->org, key, &answer, &e) == FG_OK && !answer &&
        cat_push_apply(call->cat, hub_cfg->rt, call->org, body, &answer, &e) == FG_OK)
        cat_idempotent_put(call->cat, call->org, key, answer, &e);
    hub_unlock();
    json_decref(body);
    if (!answer) {
        if (e.status == FG_EINVAL)
            hub_reply_error(r, 422, "invalid", "%s", e.msg);
        else
            reply_status(r, &e);
        return;
    }
    hub_reply_json(r, 200, answer);
}

static void api_health(hub_call *call, hub_reply *r)
{
    char epoch[CAT_EPOCH_SIZE];
    int64_t seq;
    fg_error e;
    if (cat_feed_epoch(call->cat, epoch, &e) != FG_OK ||
        cat_feed_seq(call->cat, &seq, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    hub_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "epoch", epoch,
                                     "seq", (json_int_t)seq, "version", FGCAT_VERSION));
}

/* Routes one /v1/ call. */
static void api_route(hub_call *call, hub_reply *r)
{
    const char *p = call->path + 3; /* after "/v1" */
    bool get = strcmp(call->method, "GET") == 0 || strcmp(call->method, "HEAD") == 0;
    const char *auth;

    if (strcmp(p, "/health") == 0) {
        if (get)
            api_health(call, r);
        else
            hub_reply_error(r, 405, "method_not_allowed", "use GET");
        return;
    }
    auth = hub_lookup(call->conn, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 ||
        !hub_token_org(call->cat, auth + 7, call->org)) {
        call->org[0] = '\0';
        hub_reply_error(r, 401, "unauthorized", "a valid bearer token is required");
        snprintf(r->header_name, sizeof r->header_name, "WWW-Authenticate");
        snprintf(r->header_value, sizeof r->header_value, "Bearer realm=\"fgcat\"");
        return;
    }
    if (strcmp(p, "/push") == 0) {
        if (strcmp(call->method, "POST") == 0)
            api_push(call, r);
        else
            hub_reply_error(r, 405, "method_not_allowed", "use POST");
        return;
    }
    if (!get) {
        hub_reply_error(r, 405, "method_not_allowed", "use GET");
        return;
    }
    if (strcmp(p, "/whoami") == 0)
        hub_reply_json(r, 200, json_pack("{s:s}", "ods", call->org));
    else if (strcmp(p, "/changes") == 0)
        api_changes(call, r, false);
    else if (strcmp(p, "/snapshot") == 0)
        api_changes(call, r, true);
    else if (strcmp(p, "/search") == 0)
        api_search(call, r);
    else if (strncmp(p, "/offerings/", 11) == 0 && p[11])
        api_offering(call, r, p + 11);
    else if (strncmp(p, "/requests/", 10) == 0 && p[10])
        api_request(call, r, p + 10);
    else
        hub_reply_error(r, 404, "not_found", "no such API path");
}

/* ---- the server ------------------------------------------------------- */

typedef struct upload {
    char *buf;
    size_t len, cap;
    bool too_large;
    struct timespec started;
} upload;

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, hub_reply *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    resp = mhd->create_response_from_buffer(r->len, r->body ? r->body : (char *)"",
                                           r->body ? MHD_RESPMEM_MUST_FREE
                                                   : MHD_RESPMEM_PERSISTENT);
    r->body = NULL;
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        mhd->add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->header_name[0])
        mhd->add_response_header(resp, r->header_name, r->header_value);
    for (size_t i = 0; i < HUB_MORE_HEADERS; i++)
        if (r->more[i].name[0])
            mhd->add_response_header(resp, r->more[i].name, r->more[i].value);
    mhd->add_response_header(resp, "X-Content-Type-Options", "nosniff");
    ret = mhd->queue_response(conn, r->status, resp);
    mhd->destroy_response(resp);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version,
                              const char *upload_data, size_t *upload_size, void **con_cls)
{
    upload *up = *con_cls;
    hub_reply r;
    hub_call call;
    fg_error e;
    enum MHD_Result ret;
    (void)cls;
    (void)version;

    if (!up) {
        const char *cl = hub_lookup(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t n;
        up = calloc(1, sizeof *up);
        if (!up)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &up->started);
        *con_cls = up;
        if (cl && fg_parse_int(cl, 0, INT64_MAX, &n) && n > (int64_t)MAX_BODY)
            up->too_large = true; /* refused below without reading it */
        else
            return MHD_YES;
    }
    if (*upload_size && !up->too_large) {
        if (up->len + *upload_size > MAX_BODY) {
            up->too_large = true;
        } else {
            if (up->len + *upload_size + 1 > up->cap) {
                size_t cap = up->cap ? up->cap : 8192;
                char *grown;
                while (cap < up->len + *upload_size + 1)
                    cap *= 2;
                grown = realloc(up->buf, cap);
                if (!grown)
                    return MHD_NO;
                up->buf = grown;
                up->cap = cap;
            }
            memcpy(up->buf + up->len, upload_data, *upload_size);
            up->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size && up->too_large) {
        *upload_size = 0;
        return MHD_YES;
    }

    memset(&r, 0, sizeof r);
    memset(&call, 0, sizeof call);
    call.conn = conn;
    call.method = method;
    call.path = url;
    call.body = up->buf ? up->buf : "";
    if (up->buf)
        up->buf[up->len] = '\0';
    call.body_len = up->len;
    call.cfg = hub_cfg;
    if (up->too_large) {
        hub_reply_error(&r, 413, "too_large", "bodies are limited to %zu bytes", MAX_BODY);
    } else if (!(call.cat = thread_cat(&e))) {
        fg_log(FG_LOG_ERROR, "hub: %s", e.msg);
        hub_reply_error(&r, 503, "unavailable", "the catalogue cannot be opened");
    } else if (strncmp(url, "/v1/", 4) == 0 || strcmp(url, "/v1") == 0) {
        api_route(&call, &r);
    } else if (!hub_html_route(&call, &r)) {
        hub_reply_error(&r, 404, "not_found", "no such page");
    }
    fg_log(FG_LOG_INFO, "hub: %s %s %u %s %zuB %.1fms", method, url, r.status,
           call.org[0] ? call.org : "-", r.len, elapsed_ms(&up->started));
    ret = send_reply(conn, &r);
    free(r.body);
    return ret;
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    upload *up = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (up) {
        free(up->buf);
        free(up);
        *con_cls = NULL;
    }
}

/* libmicrohttpd's messages; the attribute lets clang check the vsnprintf. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    fg_log(FG_LOG_WARN, "hub: %s", line);
}

/* Parses "ADDR:PORT" (IPv4) into `sa`. */
static bool parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    int64_t port;
    size_t n = colon ? (size_t)(colon - s) : 0;
    if (!colon || n == 0 || n >= sizeof host || !fg_parse_int(colon + 1, 0, 65535, &port))
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static char *read_small_file(const char *path, fg_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) {
        fg_fail(err, FG_EIO, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(MAX_TLS_FILE + 1);
    if (!buf)
        abort();
    n = fread(buf, 1, MAX_TLS_FILE, f);
    fclose(f);
    if (n == 0 || n == MAX_TLS_FILE) {
        free(buf);
        fg_fail(err, FG_EINVAL, "'%s' is empty or larger than 1 MiB", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/*
 * Checks the state file beside the catalogue: a catalogue whose sequence
 * is below the one recorded under the same epoch was restored from an older
 * backup, so the feed gets a new epoch and every client resynchronises.
 */
static fg_status check_restored(cat_catalog *cat, const char *state_path, fg_error *err)
{
    char epoch[CAT_EPOCH_SIZE];
    int64_t seq;
    json_t *state = json_load_file(state_path, 0, NULL);
    fg_status st;
    if ((st = cat_feed_epoch(cat, epoch, err)) != FG_OK ||
        (st = cat_feed_seq(cat, &seq, err)) != FG_OK) {
        json_decref(state);
        return st;
    }
    if (state && json_is_string(json_object_get(state, "epoch")) &&
        strcmp(json_string_value(json_object_get(state, "epoch")), epoch) == 0 &&
        json_integer_value(json_object_get(state, "seq")) > seq) {
        fg_log(FG_LOG_WARN,
               "hub: the catalogue is at sequence %lld but this hub served %lld: restored "
               "from a backup, so the feed gets a new epoch and clients resynchronise",
               (long long)seq, (long long)json_integer_value(json_object_get(state, "seq")));
        if ((st = cat_feed_new_epoch(cat, err)) == FG_OK &&
            (st = cat_feed_epoch(cat, epoch, err)) == FG_OK)
            fg_log(FG_LOG_WARN, "hub: the feed's new epoch is %s", epoch);
    }
    json_decref(state);
    return st;
}

/* Records the epoch and sequence served so far (atomically: write, rename). */
static void write_state(cat_catalog *cat, const char *state_path, int64_t *last_written)
{
    char epoch[CAT_EPOCH_SIZE], tmp[4200];
    int64_t seq;
    json_t *state;
    if (cat_feed_epoch(cat, epoch, NULL) != FG_OK || cat_feed_seq(cat, &seq, NULL) != FG_OK ||
        seq == *last_written)
        return;
    state = json_pack("{s:s, s:I}", "epoch", epoch, "seq", (json_int_t)seq);
    snprintf(tmp, sizeof tmp, "%s.tmp", state_path);
    if (json_dump_file(state, tmp, JSON_COMPACT) == 0 && rename(tmp, state_path) == 0)
        *last_written = seq;
    json_decref(state);
}

static void maintain(cat_catalog *cat, int tombstone_days)
{
    char before[FG_TIMESTAMP_SIZE];
    size_t purged = 0;
    fg_error e;
    fg_time_iso((int64_t)time(NULL) - (int64_t)tombstone_days * 86400, before);
    hub_lock();
    if (cat_feed_purge(cat, before, &purged, &e) != FG_OK)
        fg_log(FG_LOG_WARN, "hub: purging tombstones: %s", e.msg);
    else if (purged)
        fg_log(FG_LOG_INFO, "hub: purged %zu tombstones older than %d days", purged,
               tombstone_days);
    if (cat_idempotent_purge(cat, &e) != FG_OK)
        fg_log(FG_LOG_WARN, "hub: purging push records: %s", e.msg);
    hub_unlock();
}

fg_status hub_run(const hub_config *cfg, const volatile sig_atomic_t *stop, fg_error *err)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    cat_catalog *cat = NULL;
    char *cert = NULL, *key = NULL, state_path[4200], addr[64];
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    int64_t written = -1;
    time_t last_maintenance = 0;
    fg_status st;

    if (!parse_listen(cfg->listen, &sa))
        return fg_fail(err, FG_EINVAL, "--listen must be IPv4ADDR:PORT, not '%.60s'",
                       cfg->listen);
    if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL))
        return fg_fail(err, FG_EINVAL, "--tls-cert and --tls-key go together");
    if (!(mhd = net_mhd_api(err)))
        return err ? err->status : FG_EIO;
    if ((st = cat_open(cfg->db_path, &cat, err)) != FG_OK)
        return st;
    snprintf(state_path, sizeof state_path, "%s.hub-state", cfg->db_path);
    if ((st = check_restored(cat, state_path, err)) != FG_OK)
        goto out;
    write_state(cat, state_path, &written);
    if (cfg->tls_cert) {
        if (!(cert = read_small_file(cfg->tls_cert, err)) ||
            !(key = read_small_file(cfg->tls_key, err))) {
            st = err ? err->status : FG_EIO;
            goto out;
        }
        flags |= MHD_USE_TLS;
    }
    hub_cfg = cfg;
    d = mhd->start_daemon(flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_EXTERNAL_LOGGER,
                         mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 4u,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 512u,
                         /* one address cannot hold every connection */
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HUB_CONNECTION_MEMORY,
                         MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
                         cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
                         MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
    if (!d) {
        st = fg_fail(err, FG_EIO, "cannot listen on %s (in use, or not an address here)",
                     cfg->listen);
        goto out;
    }
    info = mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
    if (cfg->on_listen)
        cfg->on_listen(addr, info ? info->port : ntohs(sa.sin_port), cfg->ud);
    while (!*stop) {
        struct timespec nap = {0, 100L * 1000 * 1000};
        nanosleep(&nap, NULL);
        write_state(cat, state_path, &written);
        if (time(NULL) - last_maintenance >= 60) {
            maintain(cat, cfg->tombstone_days);
            last_maintenance = time(NULL);
        }
    }
    /* Stop accepting, let requests in progress finish, then stop. */
    mhd->quiesce_daemon(d);
    mhd->stop_daemon(d);
    hub_cache_clear();
    write_state(cat, state_path, &written);
    fg_log(FG_LOG_INFO, "hub: stopped");
    st = FG_OK;
out:
    free(cert);
    free(key);
    cat_close(cat);
    return st;
}
