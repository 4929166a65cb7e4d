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
    pthread_setspecific(srv->cat_key, cat);
    return cat;
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

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version,
                              const char *upload_data, size_t *upload_size, void **con_cls)
{
    hub_server *srv = cls;
    upload *up = *con_cls;
    hub_reply r;
    hub_call call;
    fg_error e;
    enum MHD_Result ret;
    (void)version;

    if (!up) {
        const char *cl = srv->mhd->lookup_connection_value(conn, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t n;
        up = fg_xcalloc(1, sizeof *up);
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
    if (up->too_large) {
        hub_reply_error(&r, 413, "too_large", "bodies are limited to %zu bytes", MAX_BODY);
    } else if (!(call.cat = thread_cat(srv, &e))) {
        fg_log(FG_LOG_ERROR, "hub: %s", e.msg);
        hub_reply_error(&r, 503, "unavailable", "the catalogue cannot be opened");
    } else if (strncmp(url, "/v1/", 4) == 0 || strcmp(url, "/v1") == 0) {
        hub_api_route(&call, &r);
    } else if (!hub_fhir_route(&call, &r) && !hub_web_route(&call, &r)) {
        hub_reply_error(&r, 404, "not_found", "no such page");
    }
    fg_log(FG_LOG_INFO, "hub: %s %s %u %s %zuB %.1fms", method, url, r.status,
           call.org[0] ? call.org : "-", r.len, elapsed_ms(&up->started));
    ret = send_reply(srv->mhd, conn, &r);
    hub_reply_clear(&r);
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
    hub_server srv = {.cfg = cfg};
    const net_mhd *mhd;
    fg_status st;

    if (!parse_listen(cfg->listen, &sa))
        return fg_fail(err, FG_EINVAL, "--listen must be IPv4ADDR:PORT, not '%.60s'",
                       cfg->listen);
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
    pthread_mutex_init(&srv.lock, NULL);
    srv.cache = hub_cache_new();
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
    d = mhd->start_daemon(flags, 0, NULL, NULL, handle, &srv, MHD_OPTION_EXTERNAL_LOGGER,
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
            maintain(&srv, cat, cfg->tombstone_days);
            last_maintenance = time(NULL);
        }
    }
    /* Stop accepting, let requests in progress finish, then stop. */
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
    pthread_mutex_destroy(&srv.lock);
    pthread_key_delete(srv.cat_key);
    return st;
}

