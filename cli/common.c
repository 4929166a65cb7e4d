/*
 * Helpers shared by the commands: option parsing, messages, lazily opened
 * catalogue and plugins, output formatting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "util.h"

/*
 * Writes "fgcat: <msg>" as one line on stderr.  Control characters (a
 * newline in a file name, an escape sequence in search text, a plugin's
 * careless message) are shown escaped, so a message is always exactly one
 * line and cannot drive the terminal; so are bytes that are not UTF-8 (input
 * that was not, or a character cut in two where a message quotes input at
 * a bounded length), so a message is always UTF-8 text.
 */
static void put_line(const char *msg)
{
    fputs("fgcat: ", stderr);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        size_t n = *p >= 0x80 ? fg_utf8_char((const char *)p) : 1;
        if (*p == '\n') {
            fputs("\\n", stderr);
        } else if (*p == '\t') {
            fputs("\\t", stderr);
        } else if (*p < 0x20 || *p == 0x7f || n == 0) {
            fprintf(stderr, "\\x%02x", *p);
        } else {
            fwrite(p, 1, n, stderr);
            p += n - 1;
        }
    }
    fputc('\n', stderr);
}

int cli_fail(const fg_error *err)
{
    put_line(err->msg[0] ? err->msg : fg_strerror(err->status));
    return fg_exit_code(err->status);
}

int cli_error(int code, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    put_line(msg);
    return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cli_error(2, "%s: %s (see fgcat %s --help)", cmd, msg, cmd);
}

/* An option error: a usage error of command `cmd`, or of fgcat itself when
   `cmd` is NULL ("fgcat: <msg> (see fgcat --help)"). */
static int option_error(const char *cmd, const char *msg)
{
    if (cmd)
        return cli_usage_error(cmd, "%s", msg);
    return cli_error(2, "%s (see fgcat --help)", msg);
}

int cli_getopt(cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *usage, int *exit_code)
{
    char spec[32], msg[160];
    /* Options before the command are parsed with a leading '+' (stop at the
       command); there argv[0] is the program's path, not a command name. */
    const char *cmd = shortopts[0] == '+' ? NULL : argv[0];

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
            /* SQLite would take "" as a private temporary database: a
               catalogue that silently vanishes at exit. */
            if (!*optarg) {
                *exit_code = option_error(cmd, "option '--db' needs a file name, not ''");
                return CLI_GETOPT_EXIT;
            }
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
            snprintf(msg, sizeof msg, "option '%.100s' needs a value", arg);
            *exit_code = option_error(cmd, msg);
            return CLI_GETOPT_EXIT;
        case '?':
            if (optopt > 0 && optopt < 128)
                snprintf(msg, sizeof msg, "unknown option '-%c'", optopt);
            else
                snprintf(msg, sizeof msg, "unknown option '%.100s'", arg);
            *exit_code = option_error(cmd, msg);
            return CLI_GETOPT_EXIT;
        default:
            return c;
        }
    }
}

bool cli_common_args(cli_ctx *ctx, int argc, char **argv, const char *usage,
                     const char *arg, int *exit_code)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    int c;

    *exit_code = 0;
    while ((c = cli_getopt(ctx, argc, argv, "", opts, usage, exit_code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return false;
    if (!arg && optind != argc)
        *exit_code = cli_usage_error(argv[0], "takes no arguments");
    else if (arg && argc - optind != 1)
        *exit_code = cli_usage_error(argv[0], "expected one %s", arg);
    return *exit_code == 0;
}

int cli_check_format(const char *cmd, const char *format)
{
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "fhir") != 0)
        return cli_usage_error(cmd, "--format must be json, csv or fhir, not '%.40s'",
                               format);
    return 0;
}

/* Log lines from the library and plugins go to stderr as fgcat messages. */
static void stderr_sink(fg_log_level level, const char *line, void *ud)
{
    (void)ud;
    cli_error(0, "%s%s", level == FG_LOG_ERROR ? "error: " : "", line);
}

void cli_log_level(fg_log_level level)
{
    fg_log_set_sink(stderr_sink, level, NULL);
}

void cli_apply_settings(cli_ctx *ctx, rt_runtime *rt)
{
    int seconds;
    fg_error err;

    /* The catalogue's settings apply from the first plugin call: open it
       when it exists (a new one is only created by commands that need it).
       A catalogue that cannot be opened is reported by the command. */
    if (!ctx->cat && access(ctx->db_path, F_OK) == 0)
        (void)cli_catalog(ctx, &err);
    if (ctx->cat && cat_plugin_timeout(ctx->cat, &seconds, &err) == FG_OK)
        rt_set_timeout(rt, seconds);
}

rt_runtime *cli_runtime(cli_ctx *ctx)
{
    rt_runtime *rt;

    if (ctx->rt)
        return ctx->rt;
    rt = rt_create();
    if (!rt) {
        cli_error(1, "out of memory");
        exit(1);
    }
    cli_apply_settings(ctx, rt);
    /* Opening a new catalogue seeds it, which loads the plugins. */
    if (ctx->rt) {
        rt_free(rt);
        return ctx->rt;
    }
    /* What the catalogue recorded of each plugin file lets loading start
       no worker: each starts on its plugin's first call. */
    if (ctx->cat) {
        char *cache = NULL;
        fg_error err;
        (void)cat_meta_get(ctx->cat, CLI_META_PLUGIN_CACHE, &cache, &err);
        rt_set_descriptor_cache(rt, cache);
        free(cache);
    }
    rt_load_path(rt, ctx->plugin_path);
    ctx->rt = rt;
    return ctx->rt;
}

void cli_save_plugin_cache(cli_ctx *ctx)
{
    char *cache = ctx->rt && ctx->cat ? rt_descriptor_cache(ctx->rt) : NULL;
    fg_error err;

    /* Best effort: a catalogue that cannot be written costs the next
       command its workers' starts, nothing more. */
    if (cache)
        (void)cat_meta_set(ctx->cat, CLI_META_PLUGIN_CACHE, cache, &err);
    free(cache);
}

fg_status cli_catalog(cli_ctx *ctx, fg_error *err)
{
    fg_status st;
    bool seed;
    if (ctx->cat)
        return FG_OK;
    if ((st = cat_open(ctx->db_path, &ctx->cat, err)) != FG_OK)
        return st;
    if ((st = cat_needs_seed(ctx->cat, &seed, err)) != FG_OK)
        return st;
    if (seed) {
        cat_refresh_report rep;
        if ((st = cat_seed(ctx->cat, cli_runtime(ctx), &rep, err)) != FG_OK)
            return st;
        cli_error(0, "new catalogue %s: %zu offerings from %zu plugins", ctx->db_path,
                  rep.added + rep.changed + rep.unchanged, rep.plugins_ok);
    }
    return FG_OK;
}

int cli_print_json(const json_t *value)
{
    if (json_dumpf(value, stdout, JSON_INDENT(2)) != 0 || fputc('\n', stdout) == EOF)
        return cli_error(1, "cannot write to standard output");
    return 0;
}

bool cli_parse_duration(const char *s, int64_t *seconds)
{
    static const struct {
        char unit;
        int64_t seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    const int64_t max = (int64_t)3660 * 86400; /* ten years and a little */
    char number[16];
    size_t n = strlen(s);
    int64_t count;
    if (n < 2 || n > sizeof number)
        return false;
    memcpy(number, s, n - 1);
    number[n - 1] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (s[n - 1] == units[i].unit) {
            if (!fg_parse_int(number, 1, max / units[i].seconds, &count))
                return false;
            *seconds = count * units[i].seconds;
            return true;
        }
    return false;
}
