/*
 * Helpers shared by the commands: option parsing, messages, lazily opened
 * catalogue and plugins, output formatting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"

int cli_fail(const fg_error *err)
{
    fprintf(stderr, "fgcat: %s\n", err->msg[0] ? err->msg : fg_strerror(err->status));
    return fg_exit_code(err->status);
}

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    fputs("fgcat: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fgcat: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see fgcat %s --help)\n", cmd);
    return 2;
}

int cli_getopt(cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *usage, int *exit_code)
{
    char spec[32];

    /* A leading ':' (after any '+') makes getopt report a missing value as
       ':' and stay quiet: the messages below are ours. */
    snprintf(spec, sizeof spec, "%s:%s", shortopts[0] == '+' ? "+" : "",
             shortopts + (shortopts[0] == '+'));
    opterr = 0;
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, spec, longopts, &idx);
        const char *arg = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";
        switch (c) {
        case -1:
            return CLI_GETOPT_END;
        case CLI_OPT_JSON:
            ctx->json = true;
            continue;
        case CLI_OPT_DB:
            ctx->db_path = optarg;
            continue;
        case CLI_OPT_PLUGIN_PATH:
            ctx->plugin_path = optarg;
            continue;
        case CLI_OPT_HELP:
            fputs(usage, stdout);
            *exit_code = 0;
            return CLI_GETOPT_EXIT;
        case ':':
            *exit_code = cli_usage_error(argv[0], "option '%s' needs a value", arg);
            return CLI_GETOPT_EXIT;
        case '?':
            if (optopt > 0 && optopt < 128)
                *exit_code = cli_usage_error(argv[0], "unknown option '-%c'", optopt);
            else
                *exit_code = cli_usage_error(argv[0], "unknown option '%s'", arg);
            return CLI_GETOPT_EXIT;
        default:
            return c;
        }
    }
}

/* Log lines from the library and plugins go to stderr as fgcat messages. */
static void stderr_sink(fg_log_level level, const char *line, void *ud)
{
    (void)ud;
    fprintf(stderr, "fgcat: %s%s\n", level == FG_LOG_ERROR ? "error: " : "", line);
}

rt_runtime *cli_runtime(cli_ctx *ctx)
{
    if (ctx->rt)
        return ctx->rt;
    fg_log_set_sink(stderr_sink, FG_LOG_WARN, NULL);
    ctx->rt = rt_create();
    if (!ctx->rt) {
        cli_error(1, "out of memory");
        exit(1);
    }
    rt_load_path(ctx->rt, ctx->plugin_path);
    return ctx->rt;
}

fg_status cli_catalog(cli_ctx *ctx, fg_error *err)
{
    fg_status st;
    if (ctx->cat)
        return FG_OK;
    if ((st = cat_open(ctx->db_path, &ctx->cat, err)) != FG_OK)
        return st;
    if (cat_needs_seed(ctx->cat)) {
        cat_refresh_report rep;
        if ((st = cat_seed(ctx->cat, cli_runtime(ctx), &rep, err)) != FG_OK)
            return st;
        fprintf(stderr, "fgcat: new catalogue %s: %zu offerings from %zu plugins\n",
                ctx->db_path, rep.added + rep.changed + rep.unchanged, rep.plugins_ok);
    }
    return FG_OK;
}

int cli_print_json(const json_t *value)
{
    if (json_dumpf(value, stdout, JSON_INDENT(2)) != 0 || fputc('\n', stdout) == EOF)
        return cli_error(1, "cannot write to standard output");
    return 0;
}

void cli_money(char *buf, size_t size, json_int_t pence, const char *currency)
{
    char digits[32], grouped[48];
    long long pounds = (long long)(pence / 100), rest = (long long)(pence % 100);
    size_t n, g = 0;
    snprintf(digits, sizeof digits, "%lld", pounds);
    n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    if (currency && strcmp(currency, "GBP") == 0)
        snprintf(buf, size, "£%s.%02lld", grouped, rest);
    else
        snprintf(buf, size, "%s.%02lld %s", grouped, rest, currency ? currency : "");
}
