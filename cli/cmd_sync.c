/*
 * fgcat sync and fgcat sync status.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sync/sync.h"
#include "util.h"

static volatile sig_atomic_t sync_stop;

static void on_stop(int sig)
{
    (void)sig;
    sync_stop = 1;
}

/* Draws a one-line progress indicator on a terminal. */
static void show_progress(const sync_progress *p, void *ud)
{
    (void)ud;
    fprintf(stderr, "\rfgcat: sync %s: %s %zu", p->remote, p->phase, p->done);
    fflush(stderr);
}

/* Parses "90s", "15m", "2h" or "1d" into seconds; a bare number is
   refused (15 could mean seconds or minutes). */
static bool parse_duration(const char *s, int64_t *secs)
{
    char num[24];
    size_t n = strlen(s);
    int64_t mult = 1, v;
    if (n == 0 || n >= sizeof num)
        return false;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 's':
        num[--n] = '\0';
        break;
    case 'm':
        mult = 60;
        num[--n] = '\0';
        break;
    case 'h':
        mult = 3600;
        num[--n] = '\0';
        break;
    case 'd':
        mult = 86400;
        num[--n] = '\0';
        break;
    default:
        return false;
    }
    if (!fg_parse_int(num, 1, (int64_t)366 * 86400, &v) || v * mult > (int64_t)366 * 86400)
        return false;
    *secs = v * mult;
    return true;
}

/* One line of sync status: a "requests" or "moves" count object. */
static void print_counts(const char *what, const json_t *c)
{
    if (!json_is_object(c))
        return;
    printf("  %-14s %lld waiting, %lld delivered, %lld refused, %lld undeliverable\n", what,
           (long long)json_integer_value(json_object_get(c, "waiting")),
           (long long)json_integer_value(json_object_get(c, "delivered")),
           (long long)json_integer_value(json_object_get(c, "refused")),
           (long long)json_integer_value(json_object_get(c, "undeliverable")));
}

/* After a round: requests of this node's organisation that no remote
   carries the offering of are reported in one line; 4, or 0 when there
   are none (or 1 when they cannot be listed). */
static int report_undeliverable(cli_ctx *ctx)
{
    json_t *list;
    fg_error err;
    size_t n;
    int code = 0;
    if (sync_undeliverable(ctx->cat, NULL, &list, &err) != FG_OK)
        return cli_fail(&err);
    n = json_array_size(list);
    if (n == 1)
        code = cli_error(4, "sync: request %s not delivered: no hub this node syncs with "
                            "carries %s (kept here; see fgcat sync status)",
                         json_string_value(json_object_get(json_array_get(list, 0), "id")),
                         json_string_value(
                             json_object_get(json_array_get(list, 0), "offering_id")));
    else if (n > 1)
        code = cli_error(4, "sync: %zu requests not delivered, e.g. %s: no hub this node "
                            "syncs with carries %s (kept here; see fgcat sync status)",
                         n, json_string_value(json_object_get(json_array_get(list, 0), "id")),
                         json_string_value(
                             json_object_get(json_array_get(list, 0), "offering_id")));
    json_decref(list);
    return code;
}

/* Syncs one remote and reports it; returns the exit code. */
static int sync_one(cli_ctx *ctx, const char *name, const sync_options *so)
{
    sync_report rep;
    fg_error err;
    fg_status st = sync_run(ctx->cat, name, so, &rep, &err);
    if (so->progress)
        fputc('\n', stderr);
    if (ctx->json) {
        json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b}", "remote",
                              name, "status", st == FG_OK ? "ok" : fg_strerror(st), "pushed",
                              (json_int_t)rep.pushed, "unchanged", (json_int_t)rep.unchanged,
                              "refused", (json_int_t)rep.refused, "pulled",
                              (json_int_t)rep.pulled, "deleted", (json_int_t)rep.deleted,
                              "http_calls", (json_int_t)rep.http_calls, "resynced", rep.resynced,
                              "interrupted", rep.interrupted);
        if (st != FG_OK)
            json_object_set_new(j, "error", json_string(err.msg));
        cli_print_json(j);
        json_decref(j);
    } else if (st == FG_OK || st == FG_EREFUSED) {
        char when[FG_TIMESTAMP_SIZE];
        fg_now_iso(when);
        fprintf(stderr,
                "fgcat: %s sync %s: pushed %zu, unchanged %zu, refused %zu, pulled %zu, "
                "deleted %zu, %u HTTP call%s%s%s\n",
                when, name, rep.pushed, rep.unchanged, rep.refused, rep.pulled, rep.deleted,
                rep.http_calls, rep.http_calls == 1 ? "" : "s", rep.resynced ? ", full resync" : "",
                rep.interrupted ? ", interrupted" : "");
    }
    if (st != FG_OK)
        return cli_error(fg_exit_code(st), "sync %s: %s", name, err.msg);
    return 0;
}

static const char sync_usage[] =
    "usage: fgcat sync [NAME | --all] [--every DURATION] [options]\n"
    "       fgcat sync status [--json]\n"
    "\n"
    "Pushes what this node owns and changed (its organisation's offerings and\n"
    "requests, as the hub's whoami names it), then pulls the hub's change feed,\n"
    "each page committed with its cursor, then pushes what the pull made\n"
    "deliverable.  A request and its moves go to every remote whose hub\n"
    "carries the offering (it listed it, or took it from this node), whatever\n"
    "the origin of this node's copy.  With no NAME and one remote, syncs that\n"
    "one.  Exit 4 when the hub refused an item (recorded in sync status, not\n"
    "pushed again until it changes) or when a request of this node's\n"
    "organisation is left undeliverable (no remote carries its offering; it\n"
    "is kept, and sync status lists it); 1 when the hub could not be reached.\n"
    "status shows per remote the requests and moves waiting, delivered,\n"
    "refused (with the hub's reason) and undeliverable.\n"
    "\n"
    "  --all               every remote\n"
    "  --every DURATION    repeat every DURATION, with its unit (30s, 15m, 1h,\n"
    "                      1d), until SIGTERM or SIGINT, finishing the\n"
    "                      current page\n"
    "  --insecure          do not verify the hub's TLS certificate\n"
    "  --page N            records per feed page, 1-5000 (default 5000; fewer\n"
    "                      commit more often on a slow link)\n"
    "  --retries N         attempts per call on transient failures (default 5)\n"
    "  --timeout SECONDS   limit per call (default 120)\n"
    "  --json              print a JSON summary per sync (status: the remotes)\n"
    "  --db PATH, --help\n"
    "\n"
    "A progress line is drawn on a terminal; otherwise one line per sync.\n";

int cmd_sync(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_ALL = CLI_OPT_FIRST_OWN, O_EVERY, O_INSECURE, O_PAGE, O_RETRIES, O_TIMEOUT };
    static const struct option opts[] = {{"all", no_argument, NULL, O_ALL},
                                         {"every", required_argument, NULL, O_EVERY},
                                         {"insecure", no_argument, NULL, O_INSECURE},
                                         {"page", required_argument, NULL, O_PAGE},
                                         {"retries", required_argument, NULL, O_RETRIES},
                                         {"timeout", required_argument, NULL, O_TIMEOUT},
                                         CLI_COMMON_OPTIONS};
    sync_options so = {.attempts = 5, .timeout_s = 120, .low_speed_time_s = 30,
                       .page = SYNC_DEFAULT_PAGE, .stop = &sync_stop};
    bool all = false;
    int64_t every = 0, v;
    json_t *names = NULL;
    struct sigaction sa;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, sync_usage, &code)) >= 0) {
        switch (c) {
        case O_ALL:
            all = true;
            break;
        case O_EVERY:
            if (!parse_duration(optarg, &every))
                return cli_usage_error(argv[0], "--every takes a duration with its unit "
                                                "(s, m, h or d), like 30s, 15m or 1h, "
                                                "not '%.20s'",
                                       optarg);
            break;
        case O_INSECURE:
            so.insecure = true;
            break;
        case O_PAGE:
            if (!fg_parse_int(optarg, 1, SYNC_MAX_PAGE, &v))
                return cli_usage_error(argv[0], "--page must be 1-%d records", SYNC_MAX_PAGE);
            so.page = (int)v;
            break;
        case O_RETRIES:
            if (!fg_parse_int(optarg, 1, 20, &v))
                return cli_usage_error(argv[0], "--retries must be 1-20");
            so.attempts = (int)v;
            break;
        case O_TIMEOUT:
            if (!fg_parse_int(optarg, 1, 3600, &v))
                return cli_usage_error(argv[0], "--timeout must be 1-3600 seconds");
            so.timeout_s = v;
            so.low_speed_time_s = v < 30 ? v : 30;
            break;
        }
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);

    if (optind < argc && strcmp(argv[optind], "status") == 0) {
        json_t *list, *r, *f;
        size_t i, k;
        if (argc - optind != 1)
            return cli_usage_error(argv[0], "'status' takes no arguments");
        if (sync_status(ctx->cat, &list, &err) != FG_OK)
            return cli_fail(&err);
        if (ctx->json) {
            code = cli_print_json(list);
        } else {
            json_array_foreach(list, i, r) {
#define S(k) (json_is_string(json_object_get(r, k)) ? json_string_value(json_object_get(r, k)) : "-")
                printf("%s  %s\n", S("name"), S("url"));
                printf("  organisation:  %s\n", S("org"));
                printf("  last success:  %s\n", S("last_success"));
                printf("  last error:    %s%s%s\n", S("last_error"),
                       json_is_string(json_object_get(r, "last_error")) ? " at " : "",
                       json_is_string(json_object_get(r, "last_error")) ? S("last_error_at")
                                                                         : "");
                printf("  cursor:        %s\n", S("cursor"));
#undef S
                if (json_is_integer(json_object_get(r, "pending")))
                    printf("  pending:       %lld\n",
                           (long long)json_integer_value(json_object_get(r, "pending")));
                else
                    printf("  pending:       - (not synced yet)\n");
                print_counts("requests", json_object_get(r, "requests"));
                print_counts("moves", json_object_get(r, "moves"));
                json_array_foreach(json_object_get(r, "undeliverable"), k, f) printf(
                    "  undeliverable: request %s: no hub this node syncs with carries %s\n",
                    json_string_value(json_object_get(f, "id")),
                    json_string_value(json_object_get(f, "offering_id")));
                json_array_foreach(json_object_get(r, "refused"), k, f) printf(
                    "  refused:       %s %s rev %lld: %s: %s\n",
                    json_string_value(json_object_get(f, "kind")),
                    json_string_value(json_object_get(f, "id")),
                    (long long)json_integer_value(json_object_get(f, "rev")),
                    json_string_value(json_object_get(f, "status")),
                    json_string_value(json_object_get(f, "reason")));
            }
        }
        json_decref(list);
        return code;
    }

    if (all || optind == argc) {
        if (optind != argc)
            return cli_usage_error(argv[0], "--all takes no remote name");
        if (sync_remote_names(ctx->cat, &names, &err) != FG_OK)
            return cli_fail(&err);
        if (json_array_size(names) == 0) {
            json_decref(names);
            return cli_error(3, "sync: no remotes (add one with fgcat remote add)");
        }
        if (!all && json_array_size(names) > 1) {
            json_decref(names);
            return cli_usage_error(argv[0], "several remotes: name one, or use --all");
        }
    } else if (argc - optind == 1) {
        names = json_pack("[s]", argv[optind]);
    } else {
        return cli_usage_error(argv[0], "expected one remote NAME");
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (isatty(STDERR_FILENO) && !ctx->json)
        so.progress = show_progress;
    for (;;) {
        size_t i;
        json_t *name;
        int worst = 0;
        json_array_foreach(names, i, name) {
            int rc = sync_one(ctx, json_string_value(name), &so);
            /* A refusal (4) outranks nothing else; failures win. */
            if (rc != 0 && (worst == 0 || worst == 4))
                worst = rc;
            if (sync_stop)
                break;
        }
        /* Only after every remote of the round: another may carry it. */
        if (!sync_stop && (worst == 0 || worst == 4)) {
            int u = report_undeliverable(ctx);
            if (u != 0)
                worst = u;
        }
        code = worst;
        if (!every || sync_stop)
            break;
        /* Later rounds are not failed by earlier refusals: report, go on. */
        for (int64_t s = 0; s < every * 10 && !sync_stop; s++) {
            struct timespec nap = {0, 100L * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
        if (sync_stop)
            break;
    }
    json_decref(names);
    return every ? (sync_stop ? 0 : code) : code;
}
