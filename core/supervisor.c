/*
 * The host side of plugin isolation: starts one worker process per plugin
 * file (fgcat-plugin-worker, core/worker_main.c), talks to it over a
 * socketpair in length-prefixed JSON (core/wire.h), bounds every call with
 * the runtime's time limit, turns what the plugin prints into one warning
 * line, and ends a worker that crashes, overruns or breaks the protocol.
 * The protocol is described in docs/design.md.
 */
#define _GNU_SOURCE /* pipe2, SOCK_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "rt_internal.h"
#include "util.h"
#include "wire.h"

extern char **environ;

/* Workers started again after a failure (ensure_worker), in this process:
   rt_worker_restarts. */
static atomic_ulong worker_restarts;

/* Bytes of a plugin's output kept for its warning line. */
#define OUTPUT_KEEP 200
/* The longest wait between a restart and the next. */
#define BACKOFF_MAX_MS ((int64_t)60 * 1000)
/* How long a worker may take to start, before the plugin is loaded: a
   process start, slow on a busy machine, is not the plugin's time. */
#define START_MS 30000
/* How long a worker that closed its connection gets to exit, in ms. */
#define EXIT_GRACE_MS 500

typedef struct rt_worker rt_worker;
struct rt_worker {
    /* One call at a time per plugin, as the ABI promises plugins; recursive
       because a registration calls back into the same plugin's validator
       from the same thread. */
    pthread_mutex_t lock;
    const rt_runtime *rt;
    pid_t pid;           /* 0 when no worker runs */
    int sock, out;       /* -1 when closed */
    wire_reader rd;
    char printed[OUTPUT_KEEP + 1];
    size_t printed_len, printed_total;
    int64_t restart_at_ms;
    unsigned failures;   /* in a row, for the backoff */
    bool loading;        /* a failure refuses the plugin (the caller does) */
    bool pending;        /* loaded from the descriptor cache, not started yet */
    json_t *hello;       /* pending: the hello the cache holds, to compare */
    char key[RT_FILE_KEY_SIZE]; /* the file's identity when loaded, or "" */
    const char *kind;    /* the last failure's problem kind */
    char last[FG_ERROR_MSG_SIZE]; /* the last failure, for the hub's answers */
};

/* What waiting for a worker's message ended with. */
typedef enum await_result {
    AW_MSG,      /* a message */
    AW_EOF,      /* the worker closed its end (it died, usually) */
    AW_TIMEOUT,  /* the time limit passed */
    AW_PROTOCOL, /* bytes that are not a message */
    AW_STOP      /* rt_interrupt */
} await_result;

static int stop_pipe[2] = {-1, -1};
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static volatile sig_atomic_t interrupted;

static void make_stop_pipe(void)
{
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        stop_pipe[0] = stop_pipe[1] = -1;
}

void rt_interrupt(void)
{
    char c = 1;
    interrupted = 1;
    if (stop_pipe[1] >= 0 && write(stop_pipe[1], &c, 1) < 0) {
        /* Full or closed: the flag alone still stops the next wait. */
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The worker executable: FGCAT_PLUGIN_WORKER when set (tests, a moved
   tree), else the one beside this binary. */
bool rt_worker_exe(char *buf, size_t size, char *why, size_t why_size)
{
    const char *env = getenv("FGCAT_PLUGIN_WORKER");
    fg_error err;

    if (env && *env) {
        if ((size_t)snprintf(buf, size, "%s", env) >= size) {
            snprintf(why, why_size, "FGCAT_PLUGIN_WORKER is too long");
            return false;
        }
        return true;
    }
    if (fg_default_worker_path(buf, size, &err) != FG_OK) {
        snprintf(why, why_size, "%s", err.msg);
        return false;
    }
    return true;
}

/* --- the worker's process ------------------------------------------------ */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Starts the worker for `p`; false with the reason in `why`. */
static bool spawn(rt_worker *w, const rt_plugin *p, char *why, size_t why_size)
{
    char exe[4096], parent[32];
    int sv[2], op[2], rc;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    pid_t pid;

    pthread_once(&stop_once, make_stop_pipe);
    if (!rt_worker_exe(exe, sizeof exe, why, why_size))
        return false;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(why, why_size, "cannot create a socket pair: %s", strerror(errno));
        return false;
    }
    if (pipe2(op, O_CLOEXEC) != 0) {
        snprintf(why, why_size, "cannot create a pipe: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    snprintf(parent, sizeof parent, "%ld", (long)getpid());
    char *argv[] = {exe, (char *)"--parent", parent, (char *)"--", p->path, NULL};
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, op[1], 1);
    posix_spawn_file_actions_adddup2(&fa, op[1], 2);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    posix_spawnattr_init(&at);
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(&pid, exe, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(sv[1]);
    close(op[1]);
    if (rc != 0) {
        close(sv[0]);
        close(op[0]);
        snprintf(why, why_size, "cannot start the plugin worker %.300s: %s", exe, strerror(rc));
        return false;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    fcntl(op[0], F_SETFL, fcntl(op[0], F_GETFL) | O_NONBLOCK);
    w->pid = pid;
    w->sock = sv[0];
    w->out = op[0];
    w->rd.len = 0;
    return true;
}

/* Reaps the worker, waiting at most `grace_ms` for it to exit on its own
   before killing it.  Returns its wait status; *killed says whether it had
   to be killed. */
static int reap(rt_worker *w, int grace_ms, bool *killed)
{
    int status = 0;
    int64_t until = now_ms() + grace_ms;
    pid_t r;

    *killed = false;
    if (w->pid <= 0)
        return 0;
    for (;;) {
        r = waitpid(w->pid, &status, WNOHANG);
        if (r == w->pid || (r < 0 && errno != EINTR))
            break;
        if (now_ms() >= until) {
            kill(w->pid, SIGKILL);
            *killed = true;
            while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    w->pid = 0;
    close_fd(&w->sock);
    return status;
}

/* Reads what the plugin printed so far, keeping the first OUTPUT_KEEP
   bytes. */
static void drain_output(rt_worker *w)
{
    char buf[4096];
    for (;;) {
        ssize_t n = w->out >= 0 ? read(w->out, buf, sizeof buf) : -1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            close_fd(&w->out);
        if (n <= 0)
            return;
        if (w->printed_len < OUTPUT_KEEP) {
            size_t take = (size_t)n < OUTPUT_KEEP - w->printed_len
                              ? (size_t)n
                              : OUTPUT_KEEP - w->printed_len;
            memcpy(w->printed + w->printed_len, buf, take);
            w->printed_len += take;
        }
        w->printed_total += (size_t)n;
    }
}

/* Logs what `p` printed during `callback`, as one warning line, and
   records it as a problem. */
static void report_output(rt_plugin *p, const char *callback)
{
    rt_worker *w = p->worker;
    drain_output(w);
    if (!w->printed_total)
        return;
    w->printed[w->printed_len] = '\0';
    for (char *c = w->printed; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';
    fg_utf8_scrub(w->printed);
    rt_problem_add(p, "output", NULL, "wrote %zu bytes to its output in %s: \"%s%s\"",
                   w->printed_total, callback, w->printed,
                   w->printed_total > w->printed_len ? "..." : "");
    fg_log(FG_LOG_WARN, "plugin %s wrote %zu bytes to its output in %s (not shown as fgcat's): \"%s%s\"",
           p->name, w->printed_total, callback, w->printed,
           w->printed_total > w->printed_len ? "..." : "");
    w->printed_len = w->printed_total = 0;
}

/* --- messages ---------------------------------------------------------- */

/* Sends `msg` (stolen) to the worker by `deadline`; false when it cannot. */
static bool send_msg(rt_worker *w, json_t *msg, int64_t deadline)
{
    size_t len, off = 0;
    unsigned char *buf = wire_frame(msg, &len);
    bool ok = buf != NULL;

    json_decref(msg);
    while (ok && off < len) {
        ssize_t n = send(w->sock, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = {.fd = w->sock, .events = POLLOUT};
            int64_t left = deadline - now_ms();
            ok = left > 0 && !interrupted && poll(&pf, 1, (int)left) > 0;
        } else {
            ok = false;
        }
    }
    free(buf);
    return ok;
}

/* Waits for the worker's next message, reading its output meanwhile. */
static await_result await_msg(rt_worker *w, json_t **msg, int64_t deadline, char *why,
                              size_t why_size)
{
    for (;;) {
        struct pollfd fds[3];
        int64_t left;
        int r = wire_take(&w->rd, msg, why, why_size);

        if (r > 0)
            return AW_MSG;
        if (r < 0)
            return AW_PROTOCOL;
        if (interrupted)
            return AW_STOP;
        left = deadline - now_ms();
        if (left <= 0)
            return AW_TIMEOUT;
        fds[0] = (struct pollfd){.fd = w->sock, .events = POLLIN};
        fds[1] = (struct pollfd){.fd = w->out, .events = POLLIN};
        fds[2] = (struct pollfd){.fd = stop_pipe[0], .events = POLLIN};
        if (poll(fds, 3, (int)(left > 60000 ? 60000 : left)) < 0 && errno != EINTR)
            return AW_EOF;
        if (fds[1].revents)
            drain_output(w);
        if (fds[0].revents) {
            long got = wire_fill(&w->rd, w->sock, 65536);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                return AW_EOF;
        }
    }
}

/*
 * Ends `p`'s worker after `how` went wrong in `callback`, and says so: in
 * `msg` (one line naming the plugin), in the log and in its problems.
 * Without restarts the plugin becomes RT_FAILED; with them the next call
 * after the backoff starts a new worker.  Returns FG_EPLUGIN.
 */
static fg_status fail_worker(rt_plugin *p, const char *callback, await_result how,
                             const char *detail, fg_error *err)
{
    rt_worker *w = p->worker;
    char msg[FG_ERROR_MSG_SIZE];
    const char *what = "crash";
    bool killed;
    int status;

    if (how != AW_EOF && w->pid > 0)
        kill(w->pid, SIGKILL);
    status = reap(w, EXIT_GRACE_MS, &killed);
    if (how == AW_TIMEOUT) {
        what = "timeout";
        snprintf(msg, sizeof msg, "plugin %s did not answer %s within %d s", p->name,
                 callback, w->rt->timeout_ms / 1000);
    } else if (how == AW_PROTOCOL) {
        what = "protocol";
        snprintf(msg, sizeof msg, "plugin %s broke the worker protocol in %s: %s", p->name,
                 callback, detail);
    } else if (how == AW_STOP) {
        snprintf(msg, sizeof msg, "plugin %s was stopped in %s: fgcat is stopping",
                 p->name, callback);
    } else if (!killed && WIFSIGNALED(status)) {
        snprintf(msg, sizeof msg, "plugin %s crashed in %s (signal %d, %s)", p->name,
                 callback, WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (!killed && WIFEXITED(status)) {
        snprintf(msg, sizeof msg, "plugin %s exited in %s (status %d)", p->name, callback,
                 WEXITSTATUS(status));
    } else {
        snprintf(msg, sizeof msg, "plugin %s closed its connection in %s", p->name,
                 callback);
    }
    report_output(p, callback);
    close_fd(&w->out);
    snprintf(w->last, sizeof w->last, "%s", msg);
    w->kind = what;
    if (w->loading)
        return fg_fail(err, FG_EPLUGIN, "%s", msg);
    rt_problem_add(p, what, NULL, "%s", msg);
    if (w->rt->restart && p->initialised) {
        int64_t backoff = (int64_t)1000 << (w->failures < 6 ? w->failures : 6);
        if (backoff > BACKOFF_MAX_MS)
            backoff = BACKOFF_MAX_MS;
        w->failures++;
        w->restart_at_ms = now_ms() + backoff;
        fg_log(FG_LOG_WARN, "%s; restarting it in %lld s", msg, (long long)(backoff / 1000));
    } else if (p->state == RT_LOADED) {
        /* The caller reports it: the command's error, or rt_refuse. */
        p->state = RT_FAILED;
        snprintf(p->reason, sizeof p->reason, "%s", msg);
    }
    return fg_fail(err, FG_EPLUGIN, "%s", msg);
}

/* Handles a "log" message: the plugin's host->log, or the worker's own. */
static bool forward_log(const json_t *msg)
{
    json_t *level = json_object_get(msg, "level");
    const char *text = json_string_value(json_object_get(msg, "text"));
    if (!json_is_integer(level) || !text)
        return false;
    fg_log((fg_log_level)(json_integer_value(level) < 0   ? 0
                          : json_integer_value(level) > 3 ? 3
                                                          : json_integer_value(level)),
           "%s", text);
    return true;
}

/*
 * Sends `req` (stolen) for `callback` and waits for the worker's "reply",
 * handling "log" messages, and "add" ones with `coll` during a
 * registration.  On FG_OK *reply is the reply (new); otherwise the worker
 * was ended (fail_worker).
 */
static fg_status call(rt_plugin *p, const char *callback, json_t *req, rt_collector *coll,
                      json_t **reply, fg_error *err)
{
    rt_worker *w = p->worker;
    int64_t deadline = now_ms() + w->rt->timeout_ms;
    char why[256] = "";

    *reply = NULL;
    if (!send_msg(w, req, deadline))
        return fail_worker(p, callback, interrupted ? AW_STOP : AW_EOF, "", err);
    for (;;) {
        json_t *msg;
        const char *op;
        await_result r = await_msg(w, &msg, deadline, why, sizeof why);

        if (r != AW_MSG)
            return fail_worker(p, callback, r, why, err);
        op = json_string_value(json_object_get(msg, "op"));
        if (op && strcmp(op, "reply") == 0) {
            report_output(p, callback);
            *reply = msg;
            return FG_OK;
        }
        if (op && strcmp(op, "log") == 0 && forward_log(msg)) {
            json_decref(msg);
            continue;
        }
        if (op && strcmp(op, "add") == 0 && coll) {
            const char *id = json_string_value(json_object_get(msg, "id"));
            const char *source = json_string_value(json_object_get(msg, "source"));
            const char *reason = json_string_value(json_object_get(msg, "error"));
            json_t *offering = json_object_get(msg, "offering");
            int rc = rt_collector_add(coll, id && *id ? id : NULL, source,
                                      json_is_object(offering) ? offering : NULL,
                                      reason ? reason : "not an offering object");
            json_decref(msg);
            /* A nested call (its validator) may have ended the worker. */
            if (w->pid <= 0)
                return fg_fail(err, FG_EPLUGIN, "%s", w->last);
            /* The time the host spends on an offering is not the plugin's. */
            deadline = now_ms() + w->rt->timeout_ms;
            if (!send_msg(w, json_pack("{s:s, s:i}", "op", "verdict", "rc", rc), deadline))
                return fail_worker(p, callback, interrupted ? AW_STOP : AW_EOF, "", err);
            continue;
        }
        snprintf(why, sizeof why, "an unexpected message '%.40s'", op ? op : "(no op)");
        json_decref(msg);
        return fail_worker(p, callback, AW_PROTOCOL, why, err);
    }
}

/* A fg_status and message from a reply; false when they are not there. */
static bool reply_status(const json_t *reply, fg_status *st, const char **msg)
{
    json_t *s = json_object_get(reply, "status");
    *msg = json_string_value(json_object_get(reply, "msg"));
    if (!json_is_integer(s) || json_integer_value(s) < 0 ||
        json_integer_value(s) >= FG_STATUS_COUNT || !*msg)
        return false;
    *st = (fg_status)json_integer_value(s);
    return true;
}

/* --- loading ------------------------------------------------------------ */

/* The static name of a problem kind the worker reported. */
static const char *problem_kind(const char *what)
{
    static const char *const kinds[] = {"load",     "entry",    "abi",    "descriptor",
                                        "conflict", "init",     "offering", "register",
                                        "crash",    "timeout",  "protocol", "output"};
    for (size_t i = 0; what && i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i], what) == 0)
            return kinds[i];
    return "protocol";
}

static char *text_at(const json_t *obj, const char *key, size_t max)
{
    const char *s = json_string_value(json_object_get(obj, key));
    char *copy = fg_strdup(s ? s : "");
    if (strlen(copy) > max)
        copy[max] = '\0';
    fg_utf8_scrub(copy);
    return copy;
}

/* True when `v` is absent or a string of at most `max` bytes. */
static bool opt_text(const json_t *v, size_t max)
{
    return !v || (json_is_string(v) && json_string_length(v) <= max);
}

/*
 * True when the worker's labels have the shape p->labels documents (the
 * worker checked their content against the descriptor; fgcat checks what
 * it will read): each area one of `p`'s, each label a string.
 */
static bool labels_ok(const rt_plugin *p, const json_t *labels)
{
    const char *area, *key;
    json_t *l, *a;

    if (!json_is_object(labels))
        return false;
    json_object_foreach((json_t *)labels, area, l) {
        bool mine = false;
        for (char **x = p->areas; x && *x; x++)
            mine = mine || strcmp(*x, area) == 0;
        if (!mine || !json_is_object(l) || !json_is_string(json_object_get(l, "label")) ||
            !opt_text(json_object_get(l, "label"), 80) ||
            !opt_text(json_object_get(l, "description"), 500) ||
            !json_is_object(json_object_get(l, "attributes")))
            return false;
        json_object_foreach(json_object_get(l, "attributes"), key, a) {
            if (!json_is_object(a) || !json_is_string(json_object_get(a, "label")) ||
                !opt_text(json_object_get(a, "label"), 80) ||
                !opt_text(json_object_get(a, "unit"), 40) ||
                !opt_text(json_object_get(a, "description"), 500))
                return false;
        }
    }
    return true;
}

/* Takes the worker's "hello": what it read from the descriptor (labels
   too) and every problem it found. */
static bool apply_hello(rt_plugin *p, const json_t *hello)
{
    const char *state = json_string_value(json_object_get(hello, "state"));
    const char *op = json_string_value(json_object_get(hello, "op"));
    json_t *areas = json_object_get(hello, "areas"), *problems, *pr, *labels;
    size_t i;

    if (!state || !op || strcmp(op, "hello") != 0)
        return false;
    free(p->name);
    free(p->version);
    free(p->description);
    p->name = text_at(hello, "name", 40);
    if (!*p->name) {
        free(p->name);
        p->name = fg_strdup(strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path);
    }
    p->version = text_at(hello, "version", 40);
    p->description = text_at(hello, "description", 200);
    p->abi_major = (uint32_t)json_integer_value(json_object_get(hello, "abi_major"));
    p->abi_minor = (uint32_t)json_integer_value(json_object_get(hello, "abi_minor"));
    problems = json_object_get(hello, "problems");
    json_array_foreach(problems, i, pr)
    {
        const char *off = json_string_value(json_object_get(pr, "offering"));
        const char *m = json_string_value(json_object_get(pr, "message"));
        rt_problem_add(p, problem_kind(json_string_value(json_object_get(pr, "what"))),
                       off && *off ? off : NULL, "%s", m ? m : "");
    }
    p->more_problems += (size_t)json_integer_value(json_object_get(hello, "more_problems"));
    if (strcmp(state, "loaded") != 0) {
        const char *reason = json_string_value(json_object_get(hello, "reason"));
        p->state = RT_REFUSED;
        snprintf(p->reason, sizeof p->reason, "%s", reason ? reason : "refused");
        if (!p->n_problems)
            rt_problem_add(p, "load", NULL, "%s", p->reason);
        return true;
    }
    if (!json_is_array(areas) || !json_array_size(areas) || json_array_size(areas) > 16)
        return false;
    p->areas = fg_xcalloc(json_array_size(areas) + 1, sizeof *p->areas);
    for (i = 0; i < json_array_size(areas); i++) {
        const char *a = json_string_value(json_array_get(areas, i));
        if (!a || !fg_valid_slug(a, 40))
            return false;
        p->areas[i] = fg_strdup(a);
    }
    if (!fg_valid_slug(p->name, 40))
        return false;
    labels = json_object_get(hello, "labels");
    if (!labels_ok(p, labels))
        return false;
    json_decref(p->labels);
    p->labels = json_object_size(labels) ? json_incref(labels) : NULL;
    p->state = RT_LOADED;
    return true;
}

/* Refuses `p` during loading after its worker failed in `callback`. */
static void refuse_failed(rt_plugin *p, const char *callback, await_result how,
                          const char *detail)
{
    fg_error err;
    fail_worker(p, callback, how, detail, &err);
    rt_refuse_load(p, p->worker->kind, "%s", err.msg);
}

/* Ends a worker whose plugin was refused: it exits when its connection
   closes. */
static void dismiss(rt_worker *w)
{
    bool killed;
    close_fd(&w->sock);
    if (w->pid > 0)
        reap(w, EXIT_GRACE_MS, &killed);
    close_fd(&w->out);
}

/* `p`'s worker record, no process yet. */
static rt_worker *worker_new(rt_runtime *rt, rt_plugin *p)
{
    rt_worker *w = fg_xcalloc(1, sizeof *w);
    pthread_mutexattr_t ma;

    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&w->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    w->rt = rt;
    w->sock = w->out = -1;
    p->worker = w;
    return w;
}

void rt_worker_start(rt_runtime *rt, rt_plugin *p)
{
    rt_worker *w = p->worker ? p->worker : worker_new(rt, p);
    char why[FG_ERROR_MSG_SIZE];

    /* Anything but a regular file is refused before a worker sees it: a
       FIFO would block dlopen for ever; a directory named x.so. */
    if (rt_file_key(p->path, w->key, why, sizeof why) < 0 || !spawn(w, p, why, sizeof why))
        rt_refuse_load(p, "load", "%s", why);
}

/* Clears what apply_hello set, for a cached hello that did not pass. */
static void forget_hello(rt_plugin *p)
{
    for (char **a = p->areas; a && *a; a++)
        free(*a);
    free(p->areas);
    p->areas = NULL;
    json_decref(p->labels);
    p->labels = NULL;
    p->state = RT_LOADED;
    p->reason[0] = '\0';
    p->n_problems = p->more_problems = 0;
}

void rt_worker_prepare(rt_runtime *rt, rt_plugin *p)
{
    char key[RT_FILE_KEY_SIZE], why[FG_ERROR_MSG_SIZE];
    const json_t *hello;

    if (rt->cache && rt_file_key(p->path, key, why, sizeof why) > 0 &&
        (hello = rt_cache_lookup(rt, p->path, key)) != NULL) {
        rt_worker *w = worker_new(rt, p);
        snprintf(w->key, sizeof w->key, "%s", key);
        if (apply_hello(p, hello) && p->state == RT_LOADED) {
            w->pending = true;
            w->hello = json_deep_copy(hello);
            return;
        }
        /* Only hellos that passed are kept: this one was tampered with. */
        forget_hello(p);
        rt_cache_store(rt, p->path, key, NULL);
    }
    rt_worker_start(rt, p);
}

/* Why open_worker is called. */
typedef enum open_mode {
    OPEN_LOAD,   /* loading: the hello is the descriptor */
    OPEN_LAZY,   /* the first start of a plugin loaded from the cache */
    OPEN_RESTART /* a restart (the hub, rt_restart) */
} open_mode;

/*
 * Reads the worker's hello and runs init.  The first time (loading, or
 * the first start of a plugin loaded from the descriptor cache, whose
 * hello must say what the cache said), every failure refuses `p`; on a
 * restart it counts as a failure of the worker (fail_worker).  False when
 * `p` was refused or the worker failed.
 */
static bool open_worker(rt_runtime *rt, rt_plugin *p, open_mode mode)
{
    bool first = mode != OPEN_RESTART;
    rt_worker *w = p->worker;
    json_t *msg = NULL;
    char why[256] = "";
    fg_status st;
    fg_error err;
    const char *text;
    await_result r;

    w->loading = first;
    r = await_msg(w, &msg, now_ms() + START_MS, why, sizeof why);
    if (r == AW_MSG) {
        const char *op = json_string_value(json_object_get(msg, "op"));
        if (!op || strcmp(op, "started") != 0) {
            snprintf(why, sizeof why, "it did not start as a worker does");
            r = AW_PROTOCOL;
        }
        json_decref(msg);
        msg = NULL;
    }
    if (r == AW_MSG)
        r = await_msg(w, &msg, now_ms() + rt->timeout_ms, why, sizeof why);
    if (r != AW_MSG) {
        refuse_failed(p, "loading", r, why);
        return false;
    }
    if (mode == OPEN_LAZY) {
        /* The plugin the cache described, or the cache is wrong about
           this file (a descriptor that depends on more than the file):
           the next load reads it again. */
        bool same = json_equal(msg, w->hello);
        if (!same) {
            const char *state = json_string_value(json_object_get(msg, "state"));
            rt_cache_store(rt, p->path, w->key,
                           state && strcmp(state, "loaded") == 0 ? msg : NULL);
            json_decref(msg);
            dismiss(w);
            rt_refuse_load(p, "load",
                           "plugin %s describes itself otherwise than when fgcat recorded "
                           "it; run the command again",
                           p->name);
            return false;
        }
        json_decref(msg);
        report_output(p, "loading");
    } else if (!first) {
        /* A restart: the same file, still the same plugin. */
        const char *name = json_string_value(json_object_get(msg, "name"));
        const char *state = json_string_value(json_object_get(msg, "state"));
        bool same = name && state && strcmp(name, p->name) == 0 && strcmp(state, "loaded") == 0;
        json_decref(msg);
        if (!same) {
            fail_worker(p, "loading", AW_PROTOCOL, "the file changed since fgcat started", &err);
            return false;
        }
    } else {
        bool ok = apply_hello(p, msg);
        /* Kept for the next load, which then starts no worker. */
        if (ok && p->state == RT_LOADED)
            rt_cache_store(rt, p->path, w->key, msg);
        json_decref(msg);
        if (!ok) {
            refuse_failed(p, "loading", AW_PROTOCOL, "a bad descriptor message");
            return false;
        }
        report_output(p, "loading");
        if (p->state != RT_LOADED || !rt_check_conflicts(rt, p)) {
            dismiss(w);
            return false;
        }
    }
    st = call(p, "init", json_pack("{s:s}", "op", "init"), NULL, &msg, &err);
    if (st != FG_OK) {
        if (first)
            rt_refuse_load(p, w->kind, "%s", err.msg);
        w->loading = false;
        return false;
    }
    w->loading = false;
    if (!reply_status(msg, &st, &text)) {
        json_decref(msg);
        if (first)
            refuse_failed(p, "init", AW_PROTOCOL, "a bad reply");
        else
            fail_worker(p, "init", AW_PROTOCOL, "a bad reply", &err);
        return false;
    }
    if (st != FG_OK) {
        if (first)
            rt_refuse_load(p, "init", "%s", text);
        else
            fail_worker(p, "init", AW_PROTOCOL, text, &err);
        json_decref(msg);
        dismiss(w);
        return false;
    }
    json_decref(msg);
    p->initialised = true;
    return true;
}

void rt_worker_finish(rt_runtime *rt, rt_plugin *p)
{
    rt_worker *w = p->worker;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    if (w->pending) {
        /* Its descriptor came from the cache: only the conflicts are left
           to judge, in load order, as for a started plugin. */
        if (!rt_check_conflicts(rt, p)) {
            w->pending = false;
            rt_finish_refusal(p);
        }
    } else if (w->pid > 0 && open_worker(rt, p, OPEN_LOAD)) {
        p->state = RT_LOADED;
    } else {
        rt_finish_refusal(p);
    }
    pthread_mutex_unlock(&w->lock);
}

/* The error of a call to `p`, which was refused when it started. */
static fg_status refused_call(const rt_plugin *p, fg_error *err)
{
    if (strncmp(p->reason, "plugin ", 7) == 0)
        return fg_fail(err, FG_EPLUGIN, "%s", p->reason);
    return fg_fail(err, FG_EPLUGIN, "plugin %s refused: %s", p->name, p->reason);
}

/* Completes the start of a pending plugin whose worker `spawned` (or not,
   with the reason in `why`): its hello, then init.  On failure `p` is
   refused, and the refusal logged when `log`. */
static fg_status finish_pending(rt_plugin *p, bool spawned, const char *why, bool log,
                                fg_error *err)
{
    rt_worker *w = p->worker;

    if (!spawned)
        rt_refuse_load(p, "load", "%s", why);
    else if (open_worker((rt_runtime *)w->rt, p, OPEN_LAZY))
        return FG_OK;
    if (log)
        rt_finish_refusal(p);
    return refused_call(p, err);
}

/* Starts a pending plugin's worker on its first call. */
static fg_status start_pending(rt_plugin *p, fg_error *err)
{
    rt_worker *w = p->worker;
    char why[FG_ERROR_MSG_SIZE] = "";
    bool spawned;

    w->pending = false;
    spawned = spawn(w, p, why, sizeof why);
    return finish_pending(p, spawned, why, false, err);
}

void rt_start_all(rt_runtime *rt)
{
    size_t n = rt_plugin_count(rt);
    bool *spawned = fg_xcalloc(n ? n : 1, sizeof *spawned);
    char (*why)[FG_ERROR_MSG_SIZE] = fg_xcalloc(n ? n : 1, sizeof *why);

    /* Every pending worker first, so that they start in parallel. */
    for (size_t i = 0; i < n; i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (!p->worker || !p->worker->pending || p->state != RT_LOADED)
            continue;
        p->worker->pending = false;
        spawned[i] = spawn(p->worker, p, why[i], sizeof why[i]);
        if (!spawned[i])
            finish_pending(p, false, why[i], true, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (!spawned[i])
            continue;
        pthread_mutex_lock(&p->worker->lock);
        finish_pending(p, true, "", true, NULL);
        pthread_mutex_unlock(&p->worker->lock);
    }
    free(why);
    free(spawned);
}

/* Makes sure `p` has a running worker: with restarts, starts a new one
   once the backoff has passed. */
static fg_status ensure_worker(rt_plugin *p, fg_error *err)
{
    rt_worker *w = p->worker;
    char why[FG_ERROR_MSG_SIZE];
    int64_t now = now_ms();

    if (w->pid > 0)
        return FG_OK;
    if (w->pending)
        return start_pending(p, err);
    if (!w->rt->restart)
        return fg_fail(err, FG_EPLUGIN, "%s", w->last[0] ? w->last : p->reason);
    if (now < w->restart_at_ms)
        return fg_fail(err, FG_EPLUGIN, "%s; restarting it in %lld s", w->last,
                       (long long)((w->restart_at_ms - now + 999) / 1000));
    if (!spawn(w, p, why, sizeof why)) {
        w->restart_at_ms = now + BACKOFF_MAX_MS;
        return fg_fail(err, FG_EPLUGIN, "plugin %s cannot be restarted: %.400s", p->name, why);
    }
    fg_log(FG_LOG_INFO, "plugin %s restarted", p->name);
    atomic_fetch_add(&worker_restarts, 1);
    if (!open_worker((rt_runtime *)w->rt, p, OPEN_RESTART))
        return fg_fail(err, FG_EPLUGIN, "%s", w->last);
    return FG_OK;
}

/* --- calls ------------------------------------------------------------- */

fg_status rt_worker_register(rt_plugin *p, const json_t *overrides, rt_add_fn add, void *ud,
                             fg_error *err)
{
    rt_worker *w = p->worker;
    rt_collector *c;
    json_t *reply;
    fg_status st;

    pthread_mutex_lock(&w->lock);
    if ((st = ensure_worker(p, err)) != FG_OK)
        goto out;
    c = rt_collector_new(p, overrides, add, ud);
    st = call(p, "register_offerings", json_pack("{s:s}", "op", "register"), c, &reply, err);
    if (st != FG_OK) {
        /* The failure is the first problem that counts; keep it with the
           offerings it had added. */
        rt_collector_abandon(c);
        st = FG_EREFUSED;
        goto out;
    }
    if (!json_is_integer(json_object_get(reply, "rc"))) {
        json_decref(reply);
        rt_collector_abandon(c);
        fail_worker(p, "register_offerings", AW_PROTOCOL, "a bad reply", err);
        st = FG_EREFUSED;
        goto out;
    }
    w->failures = 0;
    st = rt_collector_finish(c, (int)json_integer_value(json_object_get(reply, "rc")), err);
    json_decref(reply);
out:
    pthread_mutex_unlock(&w->lock);
    return st;
}

fg_status rt_worker_validate(rt_plugin *p, json_t *offering, fg_error *err)
{
    rt_worker *w = p->worker;
    json_t *reply;
    const char *text;
    fg_status st;

    pthread_mutex_lock(&w->lock);
    if ((st = ensure_worker(p, err)) != FG_OK ||
        (st = call(p, "validate_offering",
                   json_pack("{s:s, s:O}", "op", "validate", "offering", offering), NULL,
                   &reply, err)) != FG_OK)
        goto out;
    if (!reply_status(reply, &st, &text)) {
        st = fail_worker(p, "validate_offering", AW_PROTOCOL, "a bad reply", err);
    } else if (st != FG_OK) {
        fg_fail(err, st, "%s", text);
    }
    w->failures = 0;
    json_decref(reply);
out:
    pthread_mutex_unlock(&w->lock);
    return st;
}

fg_status rt_worker_quote(rt_plugin *p, json_t *offering, const rt_request *req,
                          int64_t *amount_pence, char currency[4], fg_error *err)
{
    rt_worker *w = p->worker;
    json_t *reply, *rq = json_object();
    const char *text, *cur;
    fg_status st;

    json_object_set_new(rq, "requester_ods", json_string(req->requester_ods));
    if (req->contact)
        json_object_set_new(rq, "contact", json_string(req->contact));
    json_object_set_new(rq, "quantity", json_integer(req->quantity));
    if (req->start)
        json_object_set_new(rq, "start", json_string(req->start));
    if (req->note)
        json_object_set_new(rq, "note", json_string(req->note));
    pthread_mutex_lock(&w->lock);
    if ((st = ensure_worker(p, err)) != FG_OK) {
        json_decref(rq);
        goto out;
    }
    st = call(p, "quote_request",
              json_pack("{s:s, s:O, s:o}", "op", "quote", "offering", offering, "request", rq),
              NULL, &reply, err);
    if (st != FG_OK)
        goto out;
    cur = json_string_value(json_object_get(reply, "currency"));
    if (!reply_status(reply, &st, &text) ||
        (st == FG_OK && (!json_is_integer(json_object_get(reply, "amount")) || !cur ||
                         strlen(cur) != 3))) {
        st = fail_worker(p, "quote_request", AW_PROTOCOL, "a bad reply", err);
    } else if (st != FG_OK) {
        fg_fail(err, st, "%s", text);
    } else {
        *amount_pence = (int64_t)json_integer_value(json_object_get(reply, "amount"));
        memcpy(currency, cur, 4);
    }
    w->failures = 0;
    json_decref(reply);
out:
    pthread_mutex_unlock(&w->lock);
    return st;
}

void rt_worker_stop(rt_plugin *p)
{
    rt_worker *w = p->worker;
    json_t *reply = NULL;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    if (w->pid > 0 && p->initialised && p->state == RT_LOADED && !interrupted) {
        fg_error err;
        if (call(p, "shutdown", json_pack("{s:s}", "op", "shutdown"), NULL, &reply, &err) ==
            FG_OK)
            json_decref(reply);
        else
            fg_log(FG_LOG_WARN, "%s", err.msg);
    }
    if (w->pid > 0) {
        bool killed;
        close_fd(&w->sock);
        reap(w, interrupted ? 0 : EXIT_GRACE_MS, &killed);
    }
    close_fd(&w->out);
    wire_close(&w->rd);
    json_decref(w->hello);
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&w->lock);
    free(w);
    p->worker = NULL;
}

void rt_restart(rt_runtime *rt)
{
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        rt_worker *w = p->worker;
        fg_error err;
        char why[FG_ERROR_MSG_SIZE];
        json_t *reply;
        bool killed;

        /* A pending worker starts with the environment as it is anyway. */
        if (!w || p->state != RT_LOADED || w->pending)
            continue;
        pthread_mutex_lock(&w->lock);
        if (w->pid > 0) {
            if (call(p, "shutdown", json_pack("{s:s}", "op", "shutdown"), NULL, &reply,
                     &err) == FG_OK)
                json_decref(reply);
            close_fd(&w->sock);
            reap(w, EXIT_GRACE_MS, &killed);
            close_fd(&w->out);
        }
        if (p->state == RT_LOADED) {
            if (!spawn(w, p, why, sizeof why)) {
                p->state = RT_FAILED;
                snprintf(p->reason, sizeof p->reason, "plugin %s cannot be restarted: %.400s",
                         p->name, why);
            } else {
                open_worker(rt, p, OPEN_RESTART);
            }
        }
        pthread_mutex_unlock(&w->lock);
    }
}

unsigned long rt_worker_restarts(void)
{
    return atomic_load(&worker_restarts);
}
