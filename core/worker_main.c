/*
 * fgcat-plugin-worker: runs one plugin for fgcat, in its own process.
 *
 *     fgcat-plugin-worker --parent PID -- PLUGIN.so
 *
 * fgcat starts it (core/supervisor.c) with stdin on /dev/null, stdout and
 * stderr on a pipe fgcat reads, and fd 3 a socket to fgcat.  The worker
 * dies with its parent, limits its own resources, installs a seccomp
 * filter, loads the plugin with dlopen, sends what its descriptor says
 * ("hello"), then answers fgcat's requests one at a time until fgcat
 * closes the socket.  Messages are length-prefixed JSON (core/wire.h);
 * the protocol and the allowed system calls are in docs/design.md.
 */
#define _GNU_SOURCE /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "rt_internal.h"
#include "util.h"
#include "wire.h"

#define FD_HOST 3

/* Resource limits of a worker. */
#define WORKER_CPU_S 600                       /* CPU time over its life */
#define WORKER_AS_BYTES ((rlim_t)1 << 30)      /* address space: 1 GiB */
#define WORKER_NOFILE 64                       /* open files */

#if defined(__SANITIZE_ADDRESS__)
#define WORKER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_ASAN 1
#endif
#endif

#ifdef WORKER_ASAN
/* AddressSanitizer reserves terabytes of address space, so RLIMIT_AS is
   left off in a sanitizer build and its own RSS limit stands in; a
   plugin's crash is left to the kernel, so it is a signal as in a normal
   build. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "hard_rss_limit_mb=512:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:"
           "detect_leaks=0";
}
#endif

/* Sends `msg` (stolen) to fgcat; exits when fgcat is gone. */
static void send_host(json_t *msg)
{
    size_t len;
    unsigned char *buf = wire_frame(msg, &len);
    json_decref(msg);
    if (!buf || wire_write_all(FD_HOST, buf, len) != 0)
        _exit(0);
    free(buf);
}

static json_t *text(const char *s);

/* The worker's log lines (the plugin's host->log among them) go to fgcat,
   as JSON text: bytes that are not UTF-8 become '?'. */
static void log_to_host(fg_log_level level, const char *line, void *ud)
{
    (void)ud;
    send_host(json_pack("{s:s, s:i, s:o}", "op", "log", "level", (int)level, "text", text(line)));
}

/* --- the sandbox ------------------------------------------------------- */

/* Each limit is named by its constant: setrlimit's resource parameter is an
   enum in glibc, and a variable int would not convert to it cleanly. */
static void limit_resources(void)
{
    const struct rlimit cpu = {WORKER_CPU_S, WORKER_CPU_S + 5};
    const struct rlimit files = {WORKER_NOFILE, WORKER_NOFILE};
    const struct rlimit none = {0, 0};
    int failed = 0;
    failed |= setrlimit(RLIMIT_CPU, &cpu);
#ifndef WORKER_ASAN
    const struct rlimit memory = {WORKER_AS_BYTES, WORKER_AS_BYTES};
    failed |= setrlimit(RLIMIT_AS, &memory);
#endif
    failed |= setrlimit(RLIMIT_NOFILE, &files);
    failed |= setrlimit(RLIMIT_NPROC, &none);
    failed |= setrlimit(RLIMIT_CORE, &none);
    if (failed != 0)
        _exit(120);
}

/*
 * What a plugin may do: use memory, read files, tell the time, write to
 * the descriptors it was given, use threads, and exit.  Everything else
 * (sockets, exec, fork, ptrace, writing files, ...) fails with EPERM: it
 * is refused, not obeyed, and the plugin carries on.
 */
static const char *const allowed[] = {
    /* memory */
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore",
    /* reading files (opened read-only: see below) and its descriptors */
    "read", "pread64", "readv", "preadv", "lseek", "close", "fstat", "newfstatat",
    "stat", "lstat", "statx", "access", "faccessat", "faccessat2", "readlink",
    "readlinkat", "getdents64", "getcwd", "fcntl", "dup", "ioctl",
    /* writing to its socket and its output pipe */
    "write", "writev", "pwrite64", "sendto", "sendmsg", "recvfrom", "recvmsg",
    "poll", "ppoll", "select", "pselect6",
    /* time */
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
    "clock_nanosleep",
    /* signals, its own identity, threads and their locks */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "tgkill",
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
    "futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
    "sched_yield", "sched_getaffinity", "getrandom", "uname", "getrlimit",
    "prlimit64", "sysinfo", "arch_prctl", "prctl", "membarrier",
    /* ending */
    "exit", "exit_group",
};

static void install_filter(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    int sc;

    if (!ctx)
        _exit(121);
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if ((sc = seccomp_syscall_resolve_name(allowed[i])) != __NR_SCMP_ERROR &&
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sc, 0) != 0)
            _exit(122);
    /* Files open read-only. */
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, 0)) != 0 ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, 0)) != 0)
        _exit(122);
    /* Threads, not processes: clone only with CLONE_THREAD; clone3 (whose
       flags a filter cannot read) answers ENOSYS so the C library falls
       back to clone. */
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0x00010000 /* CLONE_THREAD */,
                                 0x00010000)) != 0 ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0)
        _exit(122);
    if (seccomp_load(ctx) != 0)
        _exit(123);
    seccomp_release(ctx);
}

/* --- requests ---------------------------------------------------------- */

static rt_plugin *plugin;

static json_t *problems_json(const rt_plugin *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n_problems; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "what", p->problems[i].what,
                                             "offering", p->problems[i].offering, "message",
                                             p->problems[i].message));
    return arr;
}

/* A JSON string of `s`, '?' for bytes that are not UTF-8 (new). */
static json_t *text(const char *s)
{
    char *copy = fg_strdup(s ? s : "");
    json_t *j;
    fg_utf8_scrub(copy);
    j = json_string(copy);
    free(copy);
    return j ? j : json_string("?");
}

static void send_hello(const rt_plugin *p)
{
    json_t *areas = json_array();
    for (char **a = p->areas; a && *a; a++)
        json_array_append_new(areas, json_string(*a));
    send_host(json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:s, s:o, s:o, s:I, s:o}", "op",
                        "hello", "name", text(p->name), "version", text(p->version),
                        "description", text(p->description), "abi_major",
                        (json_int_t)p->abi_major, "abi_minor", (json_int_t)p->abi_minor,
                        "areas", areas, "state", p->state == RT_LOADED ? "loaded" : "refused",
                        "reason", text(p->reason), "problems", problems_json(p),
                        "more_problems", (json_int_t)p->more_problems,
                        "labels", p->labels ? json_incref(p->labels) : json_object()));
}

static void reply_status(fg_status st, const fg_error *e)
{
    send_host(json_pack("{s:s, s:i, s:o}", "op", "reply", "status", (int)st, "msg",
                        text(st == FG_OK ? "" : e->msg)));
}

static void dispatch(json_t *msg);

/* add_offering's link to fgcat: sends the offering and waits for fgcat's
   verdict, answering what fgcat asks meanwhile (its validator). */
static int add_to_host(void *ud, const char *id, const char *source, json_t *offering,
                       const char *why)
{
    json_t *m = json_pack("{s:s}", "op", "add");
    (void)ud;
    if (id)
        json_object_set_new(m, "id", text(id));
    if (source)
        json_object_set_new(m, "source", text(source));
    if (offering)
        json_object_set(m, "offering", offering);
    else
        json_object_set_new(m, "error", text(why));
    send_host(m);
    for (;;) {
        json_t *in = wire_read_blocking(FD_HOST);
        const char *op = json_string_value(json_object_get(in, "op"));
        if (!in)
            _exit(0);
        if (op && strcmp(op, "verdict") == 0) {
            int rc = (int)json_integer_value(json_object_get(in, "rc"));
            json_decref(in);
            return rc;
        }
        dispatch(in);
    }
}

static void do_quote(json_t *msg)
{
    json_t *rq = json_object_get(msg, "request");
    rt_request req = {
        .requester_ods = json_string_value(json_object_get(rq, "requester_ods")),
        .contact = json_string_value(json_object_get(rq, "contact")),
        .quantity = (int64_t)json_integer_value(json_object_get(rq, "quantity")),
        .start = json_string_value(json_object_get(rq, "start")),
        .note = json_string_value(json_object_get(rq, "note")),
    };
    int64_t amount = 0;
    char currency[4] = "";
    fg_error e;
    fg_status st;

    fg_error_clear(&e);
    st = rt_quote(plugin, json_object_get(msg, "offering"), &req, &amount, currency, &e);
    if (st != FG_OK) {
        reply_status(st, &e);
        return;
    }
    send_host(json_pack("{s:s, s:i, s:s, s:I, s:o}", "op", "reply", "status", 0, "msg", "",
                        "amount", (json_int_t)amount, "currency", text(currency)));
}

/* Answers one request of fgcat's; `msg` is stolen. */
static void dispatch(json_t *msg)
{
    const char *op = json_string_value(json_object_get(msg, "op"));
    fg_error e;
    fg_status st;

    fg_error_clear(&e);
    if (!op)
        op = "";
    if (strcmp(op, "init") == 0) {
        if (rt_direct_init(plugin))
            reply_status(FG_OK, &e);
        else
            send_host(json_pack("{s:s, s:i, s:o}", "op", "reply", "status", (int)FG_EREFUSED,
                                "msg", text(plugin->reason)));
    } else if (strcmp(op, "register") == 0) {
        int rc = rt_direct_register(plugin, add_to_host, NULL);
        send_host(json_pack("{s:s, s:i}", "op", "reply", "rc", rc));
    } else if (strcmp(op, "validate") == 0) {
        st = rt_validate_offering(plugin, json_object_get(msg, "offering"), &e);
        reply_status(st, &e);
    } else if (strcmp(op, "quote") == 0) {
        do_quote(msg);
    } else if (strcmp(op, "shutdown") == 0) {
        if (plugin->desc->shutdown)
            plugin->desc->shutdown(rt_host_api(), plugin->pstate);
        reply_status(FG_OK, &e);
        _exit(0);
    } else {
        _exit(0); /* not fgcat: stop */
    }
    json_decref(msg);
}

int main(int argc, char **argv)
{
    rt_runtime *rt;
    long parent;
    char *end;

    if (argc != 5 || strcmp(argv[1], "--parent") != 0 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "fgcat-plugin-worker: started by fgcat only\n");
        return 2;
    }
    parent = strtol(argv[2], &end, 10);
    /* Die with fgcat, even when it is killed; it may already be gone. */
    if (*end || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != (pid_t)parent)
        _exit(0);
    /* Nothing of fgcat's but the socket and the standard streams. */
    close_range(FD_HOST + 1, ~0U, 0);
    signal(SIGPIPE, SIG_DFL);
    limit_resources();
    install_filter();
    fg_log_set_sink(NULL, FG_LOG_ERROR, NULL);

    /* Started: from here on the time is the plugin's (dlopen runs its
       constructors, then its entry point). */
    send_host(json_pack("{s:s}", "op", "started"));
    rt = rt_create();
    if (!rt)
        _exit(1);
    rt->direct = true;
    plugin = rt_record_new(rt, argv[4]);
    if (!plugin)
        _exit(1);
    rt_direct_open(rt, plugin);
    send_hello(plugin);
    if (plugin->state != RT_LOADED)
        _exit(0);
    fg_log_set_sink(log_to_host, FG_LOG_DEBUG, NULL);
    for (;;) {
        json_t *msg = wire_read_blocking(FD_HOST);
        if (!msg)
            _exit(0);
        dispatch(msg);
    }
}
