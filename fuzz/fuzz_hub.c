/*
 * The hub's HTTP request handling: arbitrary bytes sent as they are to the
 * real hub (hub_run, libmicrohttpd, one worker thread) listening on a
 * loopback port, over a new connection per input, so that the request
 * line, path, query, headers and body all come from the fuzzer and go
 * through the same parsing and routing a deployed hub runs.
 *
 * The hub serves a temporary catalogue seeded with the built-in plugins'
 * offerings and a request, and knows two fixed tokens (FZ_ORG and RTF, see
 * the corpus) so that inputs get past authentication.  After an input that
 * changed the catalogue, what it added is deleted again.
 *
 * Checks, beyond the sanitizers (which see the server thread too): the hub
 * answers every input and closes the connection within ANSWER_TIMEOUT_S,
 * never answers 500 (which it gives only when the catalogue fails), and
 * leaves the full-text index sound.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "hub/hub.h"
#include "util.h"

#define ANSWER_TIMEOUT_S 10
#define TOKEN_TST "fgc_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TOKEN_RTF "fgc_fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char dir[4096], db_path[4200];
static cat_catalog *cat; /* the harness's own connection to the hub's file */
static pthread_t hub_thread;
static volatile sig_atomic_t stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static unsigned port;
static bool hub_failed;
static fg_error hub_err;
static hub_config cfg;
static int64_t data_version;

static void on_listen(const char *addr, unsigned p, void *ud)
{
    (void)addr;
    (void)ud;
    pthread_mutex_lock(&mu);
    port = p;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void *serve(void *arg)
{
    (void)arg;
    if (hub_run(&cfg, &stop, &hub_err) != FG_OK) {
        pthread_mutex_lock(&mu);
        hub_failed = true;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void add_token(const char *token, const char *ods)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[65], sql[256];
    if (!EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) || len != 32)
        fz_fail("cannot hash a token");
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + (size_t)2 * i, 3, "%02x", md[i]);
    snprintf(sql, sizeof sql,
             "INSERT INTO token(hash, ods, created_at) VALUES ('%s', '%s', "
             "'2026-11-22T10:00:00Z')",
             hex, ods);
    if (sqlite3_exec(cat_db(cat), sql, NULL, NULL, NULL) != SQLITE_OK)
        fz_fail("fixture token: %s", sqlite3_errmsg(cat_db(cat)));
}

/* PRAGMA data_version: changes when another connection (the hub's)
   commits to the file. */
static int64_t version(void)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cat_db(cat), "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Deletes what inputs added (the seeded offerings are the plugins' and
   only their providers could change them) and puts the request back. */
static void reset(void)
{
    if (sqlite3_exec(cat_db(cat),
                     "BEGIN IMMEDIATE;"
                     "DELETE FROM request_event WHERE request IN"
                     " (SELECT rowid FROM request WHERE id <> '" FZ_REQUEST_ID "');"
                     "DELETE FROM request WHERE id <> '" FZ_REQUEST_ID "';"
                     "DELETE FROM offering WHERE origin NOT LIKE 'plugin:%';"
                     "DELETE FROM idempotency;"
                     "DELETE FROM feed WHERE deleted_at IS NOT NULL;"
                     "COMMIT;",
                     NULL, NULL, NULL) != SQLITE_OK)
        fz_fail("resetting the hub's catalogue: %s", sqlite3_errmsg(cat_db(cat)));
    fz_put_fixed_request(cat);
    data_version = version();
}

static void shut_down(void)
{
    DIR *d;
    struct dirent *e;
    stop = 1;
    pthread_join(hub_thread, NULL);
    cat_close(cat);
    /* The catalogue, its WAL files and the hub's state file. */
    if ((d = opendir(dir))) {
        while ((e = readdir(d))) {
            char path[4400];
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void start_hub(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fgcat-fuzz-hub-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        fz_fail("mkdtemp: %s", strerror(errno));
    snprintf(db_path, sizeof db_path, "%s/hub.db", dir);
    cat = fz_catalog(db_path);
    add_token(TOKEN_TST, FZ_ORG);
    add_token(TOKEN_RTF, "RTF");
    cfg = (hub_config){.db_path = db_path,
                       .listen = "127.0.0.1:0",
                       .rt = fz_runtime(),
                       .tombstone_days = 30,
                       .threads = 1,
                       .on_listen = on_listen};
    if (pthread_create(&hub_thread, NULL, serve, NULL) != 0)
        fz_fail("cannot start the hub thread");
    pthread_mutex_lock(&mu);
    while (!port && !hub_failed)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    if (hub_failed)
        fz_fail("the hub did not start: %s", hub_err.msg);
    atexit(shut_down);
    data_version = version();
}

/* Connects `fd` to the hub.  A connect interrupted by a signal (libFuzzer's
   timer) goes on in the background: wait for it and take its result. */
static bool connect_hub(int fd, const struct sockaddr_in *sa)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int e = 0, n;
    socklen_t len = sizeof e;
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0)
        return true;
    if (errno != EINTR)
        return false;
    while ((n = poll(&p, 1, ANSWER_TIMEOUT_S * 1000)) < 0 && errno == EINTR)
        ;
    if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        return false;
    errno = e;
    return e == 0;
}

/* Sends the input, closes our side, and reads the answer until the hub
   closes the connection.  The first line of the answer goes to `status`. */
static void exchange(const uint8_t *data, size_t size, char status[64])
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct timeval tv = {.tv_sec = ANSWER_TIMEOUT_S};
    char buf[16384];
    size_t sent = 0, got = 0;
    time_t deadline = time(NULL) + ANSWER_TIMEOUT_S;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    status[0] = '\0';
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        !connect_hub(fd, &sa))
        fz_fail("cannot connect to the hub: %s", strerror(errno));
    /* libFuzzer's timer signal interrupts these calls: EINTR is retried,
       up to the deadline. */
    while (sent < size) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR && time(NULL) < deadline)
            continue;
        if (n <= 0)
            break; /* the hub may close early, e.g. on a bad request line */
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            break;
        if (n < 0 && errno == EINTR && time(NULL) < deadline)
            continue;
        if (n < 0)
            fz_fail("the hub did not finish answering within %d s (%s)", ANSWER_TIMEOUT_S,
                    strerror(errno));
        if (got == 0) {
            size_t line = 0;
            while (line < (size_t)n && line < 63 && buf[line] != '\r' && buf[line] != '\n')
                line++;
            memcpy(status, buf, line);
            status[line] = '\0';
        }
        got += (size_t)n;
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char status[64];
    if (!cat)
        start_hub();
    exchange(data, size, status);
    if (getenv("FGCAT_FUZZ_VERBOSE"))
        fprintf(stderr, "hub: %s\n", status);
    if (strncmp(status, "HTTP/1.", 7) == 0 && strncmp(status + 8, " 500", 4) == 0)
        fz_fail("the hub answered \"%s\"", status);
    if (version() != data_version) {
        fz_check_fts(cat, "a request to the hub");
        reset();
    }
    return 0;
}
