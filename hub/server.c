/*
 * The hub's HTTP server (libmicrohttpd): reads each request, fills its
 * call and hands it to the API (api.c) or the browser pages (web/), sends
 * the reply, and keeps the hub's state file and tombstones.  Each worker
 * thread has its own connection to the catalogue (SQLite in WAL mode lets
 * them read at once); pushes go through one lock, plugin calls never.  What
 * the requests share is a hub_server, passed to libmicrohttpd as the
 * handler's argument: no globals.
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
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define MAX_BODY ((size_t)16 * 1024 * 1024)
#define MAX_TLS_FILE ((size_t)1024 * 1024)
/* Each connection's memory pool in libmicrohttpd holds the request line
   and headers and one record per query argument.  Its default (32 KiB)
   runs out at about 450 arguments -- a 3 KiB URL -- and libmicrohttpd
   0.9.75 then holds the connection, unanswered, until its timeout.  256
   KiB takes every URL of the protocol's 8 KiB limit, however dense. */
#define HUB_CONNECTION_MEMORY (512 * 1024)


static void close_thread_cat(void *p)
{
    cat_close(p);
}

/* This thread's connection to the hub's catalogue, opened on first use and
   closed when the thread ends.  NULL when it cannot be opened. */
static cat_catalog *thread_cat(hub_server *srv, fg_error *err)
{
    cat_catalog *cat = pthread_getspecific(srv->cat_key);
    if (cat)
        return cat;
    if (cat_open(srv->cfg->db_path, &cat, err) != FG_OK)
        return NULL;
    cat_set_busy_limit(cat, (int)srv->cfg->lock_timeout * 1000);
    pthread_setspecific(srv->cat_key, cat);
    return cat;
}

/* ---- connections: per-client limits and read deadlines --------------- */

/*
 * libmicrohttpd times a connection out only when it has been silent for a
 * while, so a client sending its header a byte at a time holds it for
 * ever, and its per-address limit refuses a client's new connection while
 * its idle ones stay open.  The hub therefore keeps its own list of the
 * open connections: a client address holding its share of connections
 * that are only waiting gives up the oldest of them to its new one, and
 * the loop in hub_run closes every connection that has not sent its
 * request head, or its body, within the configured time.  A connection is
 * closed by shutting its socket down, which libmicrohttpd sees as the
 * client leaving; the list's lock keeps the descriptor open meanwhile
 * (libmicrohttpd reports a connection closed before closing its socket).
 */
typedef enum { CONN_HEAD, CONN_BODY, CONN_ANSWER } conn_phase;

struct hub_conn {
    hub_conn *prev, *next;
    int fd;
    struct sockaddr_storage addr;
    conn_phase phase;
    struct timespec since; /* when the current phase began */
    bool cut;              /* shut down, waiting for libmicrohttpd to close it */
};

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(a, b, sizeof *a) == 0;
}

/* Shuts `c` down (the caller holds conns_lock). */
static void conn_cut(hub_server *srv, hub_conn *c, hub_close_reason reason, const char *why)
{
    char addr[INET_ADDRSTRLEN] = "?";
    if (c->cut)
        return;
    c->cut = true;
    hub_metrics_closed(srv->metrics, reason);
    if (c->addr.ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&c->addr)->sin_addr, addr,
                  sizeof addr);
    fg_log(FG_LOG_INFO, "hub: closed a connection from %s: %s", addr, why);
    shutdown(c->fd, SHUT_RDWR);
}

/* Makes room for `c`, just accepted, under the per-client and total
   limits: the oldest connection only waiting for a request (of c's
   address, or any) is closed; when every one is busy, `c` is. */
static void conn_admit(hub_server *srv, hub_conn *c)
{
    unsigned per_client = 0, total = 0;
    hub_conn *oldest_mine = NULL, *oldest_any = NULL;
    for (hub_conn *o = srv->conns_head; o; o = o->next) {
        if (o->cut)
            continue;
        total++;
        if (o->phase == CONN_HEAD && !oldest_any)
            oldest_any = o;
        if (same_address(&o->addr, &c->addr)) {
            per_client++;
            if (o->phase == CONN_HEAD && !oldest_mine)
                oldest_mine = o;
        }
    }
    if (per_client >= srv->cfg->per_client) {
        if (oldest_mine)
            conn_cut(srv, oldest_mine, HUB_CLOSED_PER_CLIENT,
                     "its address has the most connections allowed, "
                     "and this one was waiting longest");
        else
            conn_cut(srv, c, HUB_CLOSED_PER_CLIENT,
                     "its address has the most connections allowed, all busy");
    } else if (total >= srv->cfg->max_connections) {
        if (oldest_any)
            conn_cut(srv, oldest_any, HUB_CLOSED_MAX_CONNECTIONS,
                     "the hub has the most connections allowed, "
                     "and this one was waiting longest");
        else
            conn_cut(srv, c, HUB_CLOSED_MAX_CONNECTIONS,
                     "the hub has the most connections allowed, all busy");
    }
}

static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    hub_server *srv = cls;
    hub_conn *c = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            srv->mhd->get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *addr =
            srv->mhd->get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (!fd)
            return;
        c = fg_xcalloc(1, sizeof *c);
        c->fd = fd->connect_fd;
        if (addr && addr->client_addr && addr->client_addr->sa_family == AF_INET)
            memcpy(&c->addr, addr->client_addr, sizeof(struct sockaddr_in));
        clock_gettime(CLOCK_MONOTONIC, &c->since);
        pthread_mutex_lock(&srv->conns_lock);
        conn_admit(srv, c);
        c->prev = srv->conns_tail;
        if (srv->conns_tail)
            srv->conns_tail->next = c;
        else
            srv->conns_head = c;
        srv->conns_tail = c;
        srv->n_conns++;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = c;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && c) {
        pthread_mutex_lock(&srv->conns_lock);
        if (c->prev)
            c->prev->next = c->next;
        else
            srv->conns_head = c->next;
        if (c->next)
            c->next->prev = c->prev;
        else
            srv->conns_tail = c->prev;
        srv->n_conns--;
        pthread_mutex_unlock(&srv->conns_lock);
        free(c);
        *socket_context = NULL;
    }
}

/* Moves the connection of `conn` to `phase`, from now. */
static void conn_phase_set(hub_server *srv, struct MHD_Connection *conn, conn_phase phase)
{
    const union MHD_ConnectionInfo *info =
        srv->mhd->get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    hub_conn *c = info ? info->socket_context : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    c->phase = phase;
    clock_gettime(CLOCK_MONOTONIC, &c->since);
    pthread_mutex_unlock(&srv->conns_lock);
}

/* Closes the connections past their deadline for a request head or body. */
static void enforce_deadlines(hub_server *srv)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&srv->conns_lock);
    for (hub_conn *c = srv->conns_head; c; c = c->next) {
        time_t waited = now.tv_sec - c->since.tv_sec;
        if (c->phase == CONN_HEAD && waited >= (time_t)srv->cfg->head_timeout)
            conn_cut(srv, c, HUB_CLOSED_HEAD_TIMEOUT,
                     "no whole request head in time (--head-timeout)");
        else if (c->phase == CONN_BODY && waited >= (time_t)srv->cfg->body_timeout)
            conn_cut(srv, c, HUB_CLOSED_BODY_TIMEOUT,
                     "no whole request body in time (--body-timeout)");
    }
    pthread_mutex_unlock(&srv->conns_lock);
}

/* ---- the server ------------------------------------------------------- */

/* The protocol's limit on a request's URL (path and query), in bytes. */
#define MAX_URL 8192

/* One request: what the request line showed, then its body as it comes. */
typedef struct upload {
    char *buf;
    size_t len, cap;
    bool too_large;
    bool started;          /* the handler has seen the request head */
    const char *raw_end;   /* the end of the raw URI in libmicrohttpd's buffer */
    unsigned refused;      /* 400 or 414 when the request line is refused */
    const char *why;       /* and why */
    struct timespec begun;
} upload;

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Called by libmicrohttpd with the raw URI (path and query) once the
 * request line is in, before it decodes anything: a URL over the limit,
 * a control character, "%00" or a '%' not followed by two hex digits is
 * refused, whichever part of the URL holds it.  The request starts here.
 */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
    upload *up = fg_xcalloc(1, sizeof *up);
    size_t n = strlen(uri);
    (void)cls;
    (void)conn;
    clock_gettime(CLOCK_MONOTONIC, &up->begun);
    up->raw_end = uri + n;
    if (n > MAX_URL) {
        up->refused = 414;
        up->why = "URLs are limited to 8192 bytes";
        /* libmicrohttpd splits the query into arguments next, in its
           buffer, and with tens of thousands of them runs out of memory
           and never answers: make the query one argument, refused
           anyway. */
        for (char *q = strchr((char *)uri, '?'); q && *q; q++)
            if (*q == '&' || *q == '=' || *q == ';')
                *q = '_';
        return up;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)uri[i];
        if (ch < 0x21 || ch == 0x7f) {
            up->refused = 400;
            up->why = "the URL holds a control character or a space";
            break;
        }
        if (ch == '%') {
            if (!is_hex(uri[i + 1]) || !is_hex(uri[i + 2])) {
                up->refused = 400;
                up->why = "the URL holds a '%' that is not followed by two hex digits";
                break;
            }
            if (uri[i + 1] == '0' && uri[i + 2] == '0') {
                up->refused = 400;
                up->why = "the URL holds %00 (NUL)";
                break;
            }
        }
    }
    return up;
}

typedef struct span {
    const char *key, *value;
    size_t value_size;
} span;

typedef struct framing {
    unsigned content_length, transfer_encoding;
    bool chunked, bad_value;
    char bad[80];
    span *spans;
    size_t n, cap;
} framing;

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    framing *f = cls;
    (void)kind;
    (void)key_size;
    if (!key || !value)
        return MHD_YES;
    for (size_t i = 0; i < value_size; i++) {
        unsigned char ch = (unsigned char)value[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            f->bad_value = true;
            snprintf(f->bad, sizeof f->bad, "header %.40s holds a control character", key);
            return MHD_NO;
        }
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        f->chunked = strcasecmp(value, "chunked") == 0;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 32;
        f->spans = fg_xrealloc(f->spans, f->cap * sizeof *f->spans);
    }
    f->spans[f->n++] = (span){key, value, value_size};
    return MHD_YES;
}

static bool only_line_ends(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\0' && *p != '\r' && *p != '\n' && *p != ' ' && *p != '\t')
            return false;
    return true;
}

/*
 * libmicrohttpd reads a header line up to its CR LF but keeps only what
 * comes before a NUL byte in it: "Bearer TOKEN\0junk" reads as "Bearer
 * TOKEN".  The headers lie in its buffer in the order they came, each
 * line's end replaced by NULs, so between the end of one value and the
 * next header's name there is nothing but line ends unless a NUL hid
 * something; after the last value come the line end and the empty line.
 */
static bool hides_nul(const framing *f)
{
    for (size_t i = 0; i < f->n; i++) {
        const char *end = f->spans[i].value + f->spans[i].value_size;
        const char *next = i + 1 < f->n ? f->spans[i + 1].key : end + 4;
        if (next > end && next - end <= 64 && !only_line_ends(end, next))
            return true;
    }
    return false;
}

/*
 * The request head as a whole: an embedded NUL in the request line or a
 * header, a control character in a header, Content-Length twice, or with
 * Transfer-Encoding, or a Transfer-Encoding other than one "chunked" --
 * each of which a proxy in front of the hub could read otherwise than it
 * does -- is refused.  NULL when the head is acceptable.
 */
static const char *check_head(hub_server *srv, struct MHD_Connection *conn, const upload *up,
                              const char *version, framing *f)
{
    const char *bad = NULL;
    /* The request line is METHOD SP URI SP VERSION, and libmicrohttpd
       ends the URI by writing a NUL over the space before the version:
       the URI it passed on ends exactly one byte before the version
       unless a NUL byte (or a second space) cut it short. */
    if (up->raw_end && version && version != up->raw_end + 1)
        return "the request line holds a NUL byte or a stray space";
    memset(f, 0, sizeof *f);
    srv->mhd->get_connection_values_n(conn, MHD_HEADER_KIND, check_header, f);
    if (f->bad_value)
        bad = f->bad;
    else if (hides_nul(f))
        bad = "a header holds a NUL byte";
    else if (f->content_length > 1)
        bad = "Content-Length is given more than once";
    else if (f->transfer_encoding && f->content_length)
        bad = "Content-Length and Transfer-Encoding are both given";
    else if (f->transfer_encoding > 1 || (f->transfer_encoding && !f->chunked))
        bad = "Transfer-Encoding must be one \"chunked\"";
    free(f->spans);
    return bad;
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum MHD_Result send_reply(const net_mhd *mhd, struct MHD_Connection *conn,
                                  hub_reply *r)
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
    for (size_t i = 0; i < r->n_headers; i++)
        mhd->add_response_header(resp, r->headers[i].name, r->headers[i].value);
    mhd->add_response_header(resp, "X-Content-Type-Options", "nosniff");
    ret = mhd->queue_response(conn, r->status, resp);
    mhd->destroy_response(resp);
    return ret;
}

/*
 * Copies `in` for the log: every token ("fgc_" and its hex digits) is
 * replaced by "fgc_[redacted]", wherever a client put it, and control
 * characters become '?'.
 */
static void redact(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < size; i++) {
        if (strncasecmp(in + i, "fgc_", 4) == 0) {
            const char *mark = "fgc_[redacted]";
            for (size_t k = 0; mark[k] && o + 1 < size; k++)
                out[o++] = mark[k];
            i += 4;
            while (is_hex(in[i]))
                i++;
            i--;
            continue;
        }
        out[o] = in[i];
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
            out[o] = '?';
        o++;
    }
    out[o] = '\0';
}

/* True when `list` is IPv4 addresses in dotted form, separated by commas. */
static bool good_address_list(const char *list)
{
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char one[INET_ADDRSTRLEN], back[INET_ADDRSTRLEN];
        struct in_addr a;
        if (len == 0 || len >= sizeof one)
            return false;
        memcpy(one, p, len);
        one[len] = '\0';
        /* As inet_ntop writes it, so that it compares equal to a client's. */
        if (inet_pton(AF_INET, one, &a) != 1 || !inet_ntop(AF_INET, &a, back, sizeof back) ||
            strcmp(one, back) != 0)
            return false;
        if (!end)
            return true;
        p = end + 1;
    }
}

/* The client's address of `conn`, as text ("?" when unknown). */
static void client_address(hub_server *srv, struct MHD_Connection *conn, char *out,
                           size_t size)
{
    const union MHD_ConnectionInfo *info =
        srv->mhd->get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "?");
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET,
                  &((const struct sockaddr_in *)(const void *)info->client_addr)->sin_addr, out,
                  (socklen_t)size);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version,
                              const char *upload_data, size_t *upload_size, void **con_cls)
{
    hub_server *srv = cls;
    upload *up = *con_cls;
    hub_reply r;
    hub_call call;
    fg_error e;
    framing f;
    enum MHD_Result ret;
    const char *bad = NULL;
    char logged[512], verb[32];
    double took;

    if (!up) { /* libmicrohttpd always calls uri_seen first; defensively */
        up = fg_xcalloc(1, sizeof *up);
        clock_gettime(CLOCK_MONOTONIC, &up->begun);
        *con_cls = up;
    }
    if (!up->started) {
        const char *cl = srv->mhd->lookup_connection_value(conn, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t n;
        up->started = true;
        if (!up->refused && (bad = check_head(srv, conn, up, version, &f)) != NULL) {
            up->refused = 400;
            up->why = bad;
        }
        if (!up->refused) {
            if (cl && fg_parse_int(cl, 0, INT64_MAX, &n) && n > (int64_t)MAX_BODY) {
                up->too_large = true; /* refused below without reading it */
            } else {
                conn_phase_set(srv, conn, CONN_BODY);
                return MHD_YES;
            }
        }
    }
    if (*upload_size && !up->too_large) {
        if (up->len + *upload_size > MAX_BODY) {
            up->too_large = true;
        } else {
            if (up->len + *upload_size + 1 > up->cap) {
                size_t cap = up->cap ? up->cap : 8192;
                while (cap < up->len + *upload_size + 1)
                    cap *= 2;
                up->buf = fg_xrealloc(up->buf, cap);
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
    conn_phase_set(srv, conn, CONN_ANSWER);

    memset(&r, 0, sizeof r);
    memset(&call, 0, sizeof call);
    call.srv = srv;
    call.conn = conn;
    call.method = method;
    call.path = url;
    call.body = up->buf ? up->buf : "";
    if (up->buf)
        up->buf[up->len] = '\0';
    call.body_len = up->len;
    call.cfg = srv->cfg;
    client_address(srv, conn, call.client, sizeof call.client);
    if (up->refused) {
        /* The rest of what the client sent cannot be trusted to be framed
           as it thinks: answer (JSON for the API, a page for a browser),
           and close the connection. */
        if (strncmp(url, "/v1", 3) == 0 || strncmp(url, "/fhir", 5) == 0) {
            hub_reply_error(&r, up->refused,
                            up->refused == 414 ? "uri_too_long" : "bad_request", "%s", up->why);
        } else {
            hub_web_refused(&call, &r, up->refused, up->why);
        }
        hub_reply_header(&r, MHD_HTTP_HEADER_CONNECTION, "close");
    } else if (up->too_large) {
        hub_reply_error(&r, 413, "too_large", "bodies are limited to %zu bytes", MAX_BODY);
        hub_reply_header(&r, MHD_HTTP_HEADER_CONNECTION, "close");
    } else if (!(call.cat = thread_cat(srv, &e))) {
        fg_log(FG_LOG_ERROR, "hub: %s", e.msg);
        hub_reply_error(&r, 503, "unavailable", "the catalogue cannot be opened");
    } else if (strncmp(url, "/v1/", 4) == 0 || strcmp(url, "/v1") == 0) {
        hub_api_route(&call, &r);
    } else if (!hub_fhir_route(&call, &r) && !hub_web_route(&call, &r)) {
        hub_reply_error(&r, 404, "not_found", "no such page");
    }
    redact(url, logged, sizeof logged);
    redact(method, verb, sizeof verb);
    took = elapsed_ms(&up->begun);
    hub_metrics_request(srv->metrics, hub_route_of(url), r.status, took / 1000);
    /* The access log: client, request, answer, caller, size, time. */
    fg_log(FG_LOG_INFO, "hub: %s %s %s %u %s %zuB %.1fms", call.client, verb, logged,
           r.status, call.org[0] ? call.org : "-", r.len, took);
    ret = send_reply(srv->mhd, conn, &r);
    hub_reply_clear(&r);
    return ret;
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    upload *up = *con_cls;
    (void)toe;
    /* A kept-alive connection waits for its next request head from now. */
    conn_phase_set(cls, conn, CONN_HEAD);
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
    char line[512], logged[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    redact(line, logged, sizeof logged);
    fg_log(FG_LOG_WARN, "hub: %s", logged);
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
    buf = fg_xmalloc(MAX_TLS_FILE + 1);
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
    bool marked = false;
    fg_status st;
    if ((st = cat_feed_epoch(cat, epoch, err)) != FG_OK ||
        (st = cat_feed_seq(cat, &seq, err)) != FG_OK) {
        json_decref(state);
        return st;
    }
    if ((st = cat_restored_mark(cat, &marked, err)) != FG_OK) {
        json_decref(state);
        return st;
    }
    if (marked) {
        /* A backup copied back in place (with or without its state
           file): its sequence numbers would be served again. */
        fg_log(FG_LOG_WARN, "hub: the catalogue was copied back from a backup, so the feed "
                            "gets a new epoch and clients resynchronise");
        if ((st = cat_feed_new_epoch(cat, err)) == FG_OK &&
            (st = cat_feed_epoch(cat, epoch, err)) == FG_OK)
            fg_log(FG_LOG_WARN, "hub: the feed's new epoch is %s", epoch);
    } else if (state && json_is_string(json_object_get(state, "epoch")) &&
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

static void maintain(hub_server *srv, cat_catalog *cat, int tombstone_days)
{
    char before[FG_TIMESTAMP_SIZE];
    size_t purged = 0;
    fg_error e;
    fg_time_iso((int64_t)time(NULL) - (int64_t)tombstone_days * 86400, before);
    pthread_mutex_lock(&srv->lock);
    if (cat_feed_purge(cat, before, &purged, &e) != FG_OK)
        fg_log(FG_LOG_WARN, "hub: purging tombstones: %s", e.msg);
    else if (purged)
        fg_log(FG_LOG_INFO, "hub: purged %zu tombstones older than %d days", purged,
               tombstone_days);
    if (cat_idempotent_purge(cat, &e) != FG_OK)
        fg_log(FG_LOG_WARN, "hub: purging push records: %s", e.msg);
    pthread_mutex_unlock(&srv->lock);
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
    hub_config conf = *cfg;
    hub_server srv = {.cfg = &conf};
    const net_mhd *mhd;
    hub_notifier *notifier = NULL;
    fg_status st;

    if (!parse_listen(cfg->listen, &sa))
        return fg_fail(err, FG_EINVAL, "--listen must be IPv4ADDR:PORT, not '%.60s'",
                       cfg->listen);
    if (cfg->metrics_from && !good_address_list(cfg->metrics_from))
        return fg_fail(err, FG_EINVAL,
                       "--metrics-from must be IPv4 addresses separated by commas, not '%.60s'",
                       cfg->metrics_from);
    if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL))
        return fg_fail(err, FG_EINVAL, "--tls-cert and --tls-key go together");
    if (!(mhd = srv.mhd = net_mhd_api(err)))
        return err ? err->status : FG_EIO;
    if ((st = cat_open(cfg->db_path, &cat, err)) != FG_OK)
        return st;
    if (pthread_key_create(&srv.cat_key, close_thread_cat) != 0) {
        cat_close(cat);
        return fg_fail(err, FG_EIO, "cannot make a thread key for the hub");
    }
    if (!conf.per_client)
        conf.per_client = HUB_PER_CLIENT;
    if (!conf.max_connections)
        conf.max_connections = HUB_MAX_CONNECTIONS;
    if (!conf.head_timeout)
        conf.head_timeout = HUB_HEAD_TIMEOUT;
    if (!conf.body_timeout)
        conf.body_timeout = HUB_BODY_TIMEOUT;
    if (!conf.lock_timeout)
        conf.lock_timeout = HUB_LOCK_TIMEOUT;
    if (!conf.threads)
        conf.threads = 4;
    if (!conf.metrics_from)
        conf.metrics_from = "127.0.0.1";
    if (!conf.session_idle)
        conf.session_idle = HUB_SESSION_IDLE;
    if (!conf.session_max)
        conf.session_max = HUB_SESSION_MAX;
    pthread_mutex_init(&srv.lock, NULL);
    pthread_mutex_init(&srv.conns_lock, NULL);
    srv.cache = hub_cache_new();
    srv.metrics = hub_metrics_new();
    srv.signin = hub_signin_limit_new();
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
    /* libmicrohttpd's own limits stay above the hub's (conn_admit), which
       it applies a moment after accepting. */
    d = mhd->start_daemon(flags, 0, NULL, NULL, handle, &srv, MHD_OPTION_EXTERNAL_LOGGER,
                         mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_THREAD_POOL_SIZE, conf.threads,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT,
                         conf.max_connections + 64u + 16u * conf.threads,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HUB_CONNECTION_MEMORY,
                         MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
                         MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &srv,
                         MHD_OPTION_NOTIFY_COMPLETED, request_done, &srv,
                         cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
                         MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
    if (!d) {
        st = fg_fail(err, FG_EIO, "cannot listen on %s (in use, or not an address here)",
                     cfg->listen);
        goto out;
    }
    info = mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
    notifier = hub_notify_start(&conf, srv.metrics);
    if (cfg->on_listen)
        cfg->on_listen(addr, info ? info->port : ntohs(sa.sin_port), cfg->ud);
    while (!*stop) {
        struct timespec nap = {0, 100L * 1000 * 1000};
        nanosleep(&nap, NULL);
        enforce_deadlines(&srv);
        write_state(cat, state_path, &written);
        if (time(NULL) - last_maintenance >= 60) {
            maintain(&srv, cat, cfg->tombstone_days);
            last_maintenance = time(NULL);
        }
    }
    /* Stop accepting, let requests in progress finish, then stop; a
       message in flight to the relay is abandoned and stays queued. */
    hub_notify_stop(notifier);
    mhd->quiesce_daemon(d);
    mhd->stop_daemon(d);
    write_state(cat, state_path, &written);
    fg_log(FG_LOG_INFO, "hub: stopped");
    st = FG_OK;
out:
    free(cert);
    free(key);
    cat_close(cat);
    /* The worker threads are gone, each having closed its catalogue. */
    hub_cache_free(srv.cache);
    hub_metrics_free(srv.metrics);
    hub_signin_limit_free(srv.signin);
    pthread_mutex_destroy(&srv.lock);
    pthread_mutex_destroy(&srv.conns_lock);
    pthread_key_delete(srv.cat_key);
    return st;
}

