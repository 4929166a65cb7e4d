/*
 * fgcat serve: running a hub.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hub/hub.h"
#include "sync/sync.h"
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

/* The hub's mailer: the sync library's SMTP client. */
static fg_status send_mail(void *ud, const char *rcpt, const char *message,
                           const volatile sig_atomic_t *stop, fg_error *err)
{
    return sync_smtp_send(ud, rcpt, message, stop, err);
}

#define SERVE_STR_(x) #x
#define SERVE_STR(x) SERVE_STR_(x)

static const char serve_usage[] =
    "usage: fgcat serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--tombstone-days N] [--threads N] [--plugin-timeout N]\n"
    "                   [--per-client N] [--max-connections N] [--head-timeout S]\n"
    "                   [--body-timeout S] [--lock-timeout S] [--metrics-from ADDRS]\n"
    "                   [--session-idle D] [--session-max D]\n"
    "                   [--smtp URL --mail-from ADDR [--smtp-user-file FILE]\n"
    "                    [--smtp-ca-file FILE] [--smtp-insecure-plain]\n"
    "                    [--smtp-retry-min D] [--smtp-retry-max D] [--smtp-give-up D]]\n"
    "\n"
    "Runs a hub on this catalogue: the /v1/ sync API of docs/sync-protocol.md,\n"
    "FHIR R4 reads under /fhir/ (docs/fhir.md) and a browser catalogue, until\n"
    "SIGTERM or SIGINT (requests in progress finish first).  One log line per\n"
    "request on stderr (client address, method, path, status, organisation,\n"
    "size, time taken), never a token or a query.\n"
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
    "  --metrics-from ADDRS the client addresses (IPv4, separated by commas)\n"
    "                       that GET /v1/metrics answers in the Prometheus text\n"
    "                       format, the operator's scraper; others get 403\n"
    "                       (default 127.0.0.1)\n"
    "  --session-idle D     a person signed in to the pages is signed out after D\n"
    "                       without a page (default 30m; D as 45s, 30m, 12h)\n"
    "  --session-max D      ... and D after signing in, whatever their use\n"
    "                       (default 12h)\n"
    "Notifications (docs/notifications.md): requests' moves queue e-mails to the\n"
    "people of this catalogue ('fgcat user add'); the hub sends them, and\n"
    "without --smtp they stay queued ('fgcat notify status').\n"
    "  --smtp URL           the relay: smtp://HOST[:PORT] (STARTTLS required) or\n"
    "                       smtps://HOST[:PORT]; its certificate is verified\n"
    "  --mail-from ADDR     the sender address of every message (required with\n"
    "                       --smtp)\n"
    "  --smtp-user-file FILE  USER:PASSWORD on one line, to sign in to the relay\n"
    "                       (never logged, never stored in the catalogue)\n"
    "  --smtp-ca-file FILE  PEM certificates to trust for the relay instead of\n"
    "                       the system's\n"
    "  --smtp-insecure-plain  smtp:// without TLS: only for a relay on this\n"
    "                       machine or a trusted link\n"
    "  --smtp-retry-min D   wait after a failed message, doubling with each\n"
    "                       failure (default 1m; D as 45s, 30m, 12h, 90d)\n"
    "  --smtp-retry-max D   the longest wait (default 1h)\n"
    "  --smtp-give-up D     a message still not sent this long after it was\n"
    "                       queued is given up, shown by 'fgcat notify status'\n"
    "                       (default 3d)\n"
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
        O_LOCK,
        O_METRICS,
        O_SMTP,
        O_FROM,
        O_USER_FILE,
        O_CA_FILE,
        O_PLAIN,
        O_RETRY_MIN,
        O_RETRY_MAX,
        O_GIVE_UP,
        O_SESSION_IDLE,
        O_SESSION_MAX
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
                                         {"metrics-from", required_argument, NULL, O_METRICS},
                                         {"smtp", required_argument, NULL, O_SMTP},
                                         {"mail-from", required_argument, NULL, O_FROM},
                                         {"smtp-user-file", required_argument, NULL, O_USER_FILE},
                                         {"smtp-ca-file", required_argument, NULL, O_CA_FILE},
                                         {"smtp-insecure-plain", no_argument, NULL, O_PLAIN},
                                         {"smtp-retry-min", required_argument, NULL, O_RETRY_MIN},
                                         {"smtp-retry-max", required_argument, NULL, O_RETRY_MAX},
                                         {"smtp-give-up", required_argument, NULL, O_GIVE_UP},
                                         {"session-idle", required_argument, NULL,
                                          O_SESSION_IDLE},
                                         {"session-max", required_argument, NULL, O_SESSION_MAX},
                                         CLI_COMMON_OPTIONS};
    hub_config cfg = {.listen = "127.0.0.1:8473", .tombstone_days = 30, .threads = 4};
    sync_smtp_options smtp = {0};
    hub_mailer mailer = {.send = send_mail};
    sync_smtp *mail = NULL;
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
        case O_METRICS:
            cfg.metrics_from = optarg;
            break;
        case O_SMTP:
            smtp.url = optarg;
            break;
        case O_FROM:
            smtp.from = optarg;
            break;
        case O_USER_FILE:
            smtp.user_file = optarg;
            break;
        case O_CA_FILE:
            smtp.ca_file = optarg;
            break;
        case O_PLAIN:
            smtp.insecure_plain = true;
            break;
        case O_RETRY_MIN:
        case O_RETRY_MAX:
        case O_GIVE_UP:
            if (!cli_parse_duration(optarg, &n) || n < 1)
                return cli_usage_error(argv[0], "--smtp-%s must be a duration such as 45s, "
                                                "30m, 12h or 3d",
                                       c == O_RETRY_MIN   ? "retry-min"
                                       : c == O_RETRY_MAX ? "retry-max"
                                                          : "give-up");
            *(c == O_RETRY_MIN   ? &mailer.backoff.first_s
              : c == O_RETRY_MAX ? &mailer.backoff.max_s
                                 : &mailer.backoff.give_up_s) = n;
            break;
        case O_SESSION_IDLE:
        case O_SESSION_MAX:
            if (!cli_parse_duration(optarg, &n) || n < 1 || n > 366LL * 86400)
                return cli_usage_error(argv[0], "--session-%s must be a duration such as 45s, "
                                                "30m or 12h, at most a year",
                                       c == O_SESSION_IDLE ? "idle" : "max");
            *(c == O_SESSION_IDLE ? &cfg.session_idle : &cfg.session_max) = n;
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
    if (!smtp.url && (smtp.from || smtp.user_file || smtp.ca_file || smtp.insecure_plain))
        return cli_usage_error(argv[0], "the --smtp-* and --mail-from options need --smtp");
    if (mailer.backoff.first_s && mailer.backoff.max_s &&
        mailer.backoff.max_s < mailer.backoff.first_s)
        return cli_usage_error(argv[0], "--smtp-retry-max must not be shorter than "
                                        "--smtp-retry-min");
    if (smtp.url) {
        if (!(mail = sync_smtp_new(&smtp, &err)))
            return cli_fail(&err);
        mailer.ud = mail;
        mailer.from = smtp.from;
        /* The relay as the log names it: the URL holds no secret (those
           come from --smtp-user-file). */
        mailer.relay = smtp.url;
        /* The queue is read at least as often as the shortest retry. */
        mailer.poll_s = mailer.backoff.first_s > 0 && mailer.backoff.first_s < 5
                            ? (unsigned)mailer.backoff.first_s
                            : 5u;
        cfg.mailer = &mailer;
    }
    /* Seed the catalogue first (a new hub holds the built-in offerings). */
    if (cli_catalog(ctx, &err) != FG_OK) {
        sync_smtp_free(mail);
        return cli_fail(&err);
    }
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
    code = hub_run(&cfg, &stop_requested, &err) != FG_OK ? cli_fail(&err) : 0;
    sync_smtp_free(mail);
    return code;
}
