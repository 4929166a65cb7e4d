/*
 * fgcat serve and fgcat token: running a hub and issuing its tokens.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hub/hub.h"
#include "log.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    rt_interrupt(); /* a plugin call in progress ends now */
}

static void say_listening(const char *addr, unsigned port, void *ud)
{
    (void)ud;
    fprintf(stderr, "fgcat: hub listening on %s:%u\n", addr, port);
    fflush(stderr);
}

#define SERVE_STR_(x) #x
#define SERVE_STR(x) SERVE_STR_(x)

static const char serve_usage[] =
    "usage: fgcat serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--tombstone-days N] [--threads N] [--plugin-timeout N]\n"
    "                   [--per-client N] [--max-connections N] [--head-timeout S]\n"
    "                   [--body-timeout S] [--lock-timeout S]\n"
    "\n"
    "Runs a hub on this catalogue: the /v1/ sync API of docs/sync-protocol.md,\n"
    "FHIR R4 reads under /fhir/ (docs/fhir.md) and a browser catalogue, until\n"
    "SIGTERM or SIGINT (requests in progress finish first).  One log line per\n"
    "request on stderr, never a token.\n"
    "  --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8473;\n"
    "                       port 0 picks a free one, printed on start)\n"
    "  --tls-cert FILE      PEM certificate; with --tls-key, serve HTTPS\n"
    "  --tls-key FILE       PEM private key\n"
    "  --tombstone-days N   keep deletions in the feed N days (default 30)\n"
    "  --threads N          worker threads (default 4)\n"
    "  --plugin-timeout N   time limit of each plugin call in seconds (1-3600;\n"
    "                       default: the catalogue's setting, see 'fgcat plugins\n"
    "                       timeout', else 5).  A plugin that crashes or overruns\n"
    "                       gets that request or push item an error, and its\n"
    "                       worker is restarted after 1 s, doubling to 60 s\n"
    "  --per-client N       connections at once from one client address (default\n"
    "                       " SERVE_STR(HUB_PER_CLIENT) "); beyond it, the one waiting longest for a request\n"
    "                       is closed, or the new one when all are busy\n"
    "  --max-connections N  connections at once in all (default " SERVE_STR(HUB_MAX_CONNECTIONS) "), likewise\n"
    "  --head-timeout S     seconds a connection has to send a whole request head,\n"
    "                       from connecting or its previous answer (default " SERVE_STR(HUB_HEAD_TIMEOUT) ")\n"
    "  --body-timeout S     seconds to send a whole request body (default " SERVE_STR(HUB_BODY_TIMEOUT) ")\n"
    "  --lock-timeout S     seconds a push waits for the catalogue when another\n"
    "                       write holds it, before answering 503 with Retry-After\n"
    "                       (default " SERVE_STR(HUB_LOCK_TIMEOUT) ")\n"

    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_serve(cli_ctx *ctx, int argc, char **argv)
{
    enum {
        O_LISTEN = CLI_OPT_FIRST_OWN,
        O_CERT,
        O_KEY,
        O_DAYS,
        O_THREADS,
        O_TIMEOUT,
        O_PER_CLIENT,
        O_MAX_CONN,
        O_HEAD,
        O_BODY,
        O_LOCK
    };
    static const struct option opts[] = {{"listen", required_argument, NULL, O_LISTEN},
                                         {"tls-cert", required_argument, NULL, O_CERT},
                                         {"tls-key", required_argument, NULL, O_KEY},
                                         {"tombstone-days", required_argument, NULL, O_DAYS},
                                         {"threads", required_argument, NULL, O_THREADS},
                                         {"plugin-timeout", required_argument, NULL, O_TIMEOUT},
                                         {"per-client", required_argument, NULL, O_PER_CLIENT},
                                         {"max-connections", required_argument, NULL, O_MAX_CONN},
                                         {"head-timeout", required_argument, NULL, O_HEAD},
                                         {"body-timeout", required_argument, NULL, O_BODY},
                                         {"lock-timeout", required_argument, NULL, O_LOCK},
                                         CLI_COMMON_OPTIONS};
    hub_config cfg = {.listen = "127.0.0.1:8473", .tombstone_days = 30, .threads = 4};
    struct sigaction sa;
    int64_t n, timeout = 0;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, serve_usage, &code)) >= 0) {
        switch (c) {
        case O_LISTEN:
            cfg.listen = optarg;
            break;
        case O_CERT:
            cfg.tls_cert = optarg;
            break;
        case O_KEY:
            cfg.tls_key = optarg;
            break;
        case O_DAYS:
            if (!fg_parse_int(optarg, 0, 36500, &n))
                return cli_usage_error(argv[0], "--tombstone-days must be 0-36500");
            cfg.tombstone_days = (int)n;
            break;
        case O_THREADS:
            if (!fg_parse_int(optarg, 1, 256, &n))
                return cli_usage_error(argv[0], "--threads must be 1-256");
            cfg.threads = (unsigned)n;
            break;
        case O_TIMEOUT:
            if (!fg_parse_int(optarg, 1, RT_MAX_TIMEOUT_S, &timeout))
                return cli_usage_error(argv[0], "--plugin-timeout must be 1-%d",
                                       RT_MAX_TIMEOUT_S);
            break;
        case O_PER_CLIENT:
        case O_MAX_CONN:
            if (!fg_parse_int(optarg, 1, 10000, &n))
                return cli_usage_error(argv[0], "--%s must be 1-10000",
                                       c == O_PER_CLIENT ? "per-client" : "max-connections");
            *(c == O_PER_CLIENT ? &cfg.per_client : &cfg.max_connections) = (unsigned)n;
            break;
        case O_HEAD:
        case O_BODY:
        case O_LOCK:
            if (!fg_parse_int(optarg, 1, 3600, &n))
                return cli_usage_error(argv[0], "--%s-timeout must be 1-3600 seconds",
                                       c == O_HEAD ? "head" : c == O_BODY ? "body" : "lock");
            *(c == O_HEAD ? &cfg.head_timeout
                          : c == O_BODY ? &cfg.body_timeout : &cfg.lock_timeout) = (unsigned)n;
            break;
        }
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc)
        return cli_usage_error(argv[0], "takes no arguments");
    /* Seed the catalogue first (a new hub holds the built-in offerings). */
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    cat_close(ctx->cat);
    ctx->cat = NULL;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cfg.db_path = ctx->db_path;
    cfg.rt = cli_runtime(ctx);
    /* A hub runs for days: a failed plugin worker is started again. */
    rt_set_restart(cfg.rt, true);
    if (timeout)
        rt_set_timeout(cfg.rt, (int)timeout);
    cfg.on_listen = say_listening;
    cli_log_level(FG_LOG_INFO);
    if (hub_run(&cfg, &stop_requested, &err) != FG_OK)
        return cli_fail(&err);
    return 0;
}

static const char token_usage[] =
    "usage: fgcat token create ODS [--output FILE]\n"
    "       fgcat token list [--json]\n"
    "       fgcat token revoke ODS|ID\n"
    "\n"
    "Tokens let member trusts' nodes use this hub (fgcat remote add ...\n"
    "--token-file F on their side).  create prints a new token for ODS once,\n"
    "on stdout, or writes it to a new file; the hub keeps only its SHA-256\n"
    "hash.  list shows each token's id (the start of its hash), organisation\n"
    "and dates.  revoke stops every token of ODS, or the one with that id:\n"
    "calls with it get 401.\n"
    "  --output FILE  (create) write the token to FILE, a new file only its\n"
    "                 owner can read (mode 0600), instead of stdout\n"
    "  --json  (create) print {\"ods\", \"token\"}; (list) an array\n"
    "  --db PATH, --help\n";

/* Writes `token` and a newline to `fd` and closes it; 0, or 1 with one
   line naming `path`. */
static int write_token(int fd, const char *path, const char *token)
{
    char line[CAT_TOKEN_SIZE + 1];
    size_t off = 0, n = (size_t)snprintf(line, sizeof line, "%s\n", token);
    while (off < n) {
        ssize_t w = write(fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return cli_error(1, "cannot write token file '%s': %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    memset(line, 0, sizeof line);
    if (close(fd) != 0)
        return cli_error(1, "cannot write token file '%s': %s", path, strerror(errno));
    return 0;
}

int cmd_token(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_OUTPUT = CLI_OPT_FIRST_OWN };
    static const struct option opts[] = {{"output", required_argument, NULL, O_OUTPUT},
                                         CLI_COMMON_OPTIONS};
    char token[CAT_TOKEN_SIZE];
    const char *sub, *output = NULL;
    fg_error err;
    int code = 0, c, n, fd = -1;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, token_usage, &code)) >= 0)
        if (c == O_OUTPUT)
            output = optarg;
    if (c == CLI_GETOPT_EXIT)
        return code;
    n = argc - optind;
    sub = n > 0 ? argv[optind] : "";
    if (!((strcmp(sub, "create") == 0 && n == 2) || (strcmp(sub, "list") == 0 && n == 1) ||
          (strcmp(sub, "revoke") == 0 && n == 2)))
        return cli_usage_error(argv[0], "expected 'create ODS', 'list' or 'revoke ODS|ID'");
    if (output && strcmp(sub, "create") != 0)
        return cli_usage_error(argv[0], "--output goes with create");
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(sub, "list") == 0) {
        json_t *list, *t;
        size_t i;
        if (cat_token_list(ctx->cat, &list, &err) != FG_OK)
            return cli_fail(&err);
        if (ctx->json)
            code = cli_print_json(list);
        else
            json_array_foreach(list, i, t) printf(
                "%s  %-5s  created %s%s%s\n", json_string_value(json_object_get(t, "id")),
                json_string_value(json_object_get(t, "ods")),
                json_string_value(json_object_get(t, "created_at")),
                json_is_string(json_object_get(t, "revoked_at")) ? "  revoked " : "",
                json_is_string(json_object_get(t, "revoked_at"))
                    ? json_string_value(json_object_get(t, "revoked_at"))
                    : "");
        json_decref(list);
        return code;
    }
    if (strcmp(sub, "revoke") == 0) {
        size_t revoked;
        if (cat_token_revoke(ctx->cat, argv[optind + 1], &revoked, &err) != FG_OK)
            return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                           : cli_fail(&err);
        fprintf(stderr, "fgcat: revoked %zu token%s\n", revoked, revoked == 1 ? "" : "s");
        return 0;
    }
    /* The file first: a token is made only when it has somewhere to go,
       and an existing file (perhaps another trust's token) is kept. */
    if (output && (fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return cli_error(errno == EEXIST ? 2 : 1, "cannot create token file '%s': %s%s",
                         output, strerror(errno),
                         errno == EEXIST ? " (it is kept; choose another name)" : "");
    if (cat_token_create(ctx->cat, argv[optind + 1], token, &err) != FG_OK) {
        if (fd >= 0) {
            close(fd);
            unlink(output);
        }
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    }
    if (output) {
        /* The umask may have taken bits away, never added any: 0600 holds. */
        code = write_token(fd, output, token);
        memset(token, 0, sizeof token);
        if (code == 0)
            fprintf(stderr, "fgcat: token for %s written to %s (mode 0600)\n",
                    argv[optind + 1], output);
        return code;
    }
    if (ctx->json) {
        json_t *j = json_pack("{s:s, s:s}", "ods", argv[optind + 1], "token", token);
        code = cli_print_json(j);
        json_decref(j);
    } else {
        printf("%s\n", token);
    }
    return code;
}
