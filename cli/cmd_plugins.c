/*
 * fgcat plugins and fgcat plugins check: the reports come from
 * core/check.c, this prints them.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "util.h"

/* Prints "PATH: TEXT" as one line on stdout, control characters escaped
   as on stderr (an offering's id or a plugin's message may hold them). */
static void print_problem(const char *path, const char *text)
{
    char line[2048];
    snprintf(line, sizeof line, "%s: %s", path, text);
    for (const unsigned char *c = (const unsigned char *)line; *c; c++) {
        if (*c == '\n')
            fputs("\\n", stdout);
        else if (*c == '\t')
            fputs("\\t", stdout);
        else if (*c < 0x20 || *c == 0x7f)
            printf("\\x%02x", *c);
        else
            putchar(*c);
    }
    putchar('\n');
}

/* The node's time limit (the catalogue's setting, when there is a
   catalogue) applies to the check too. */
static int plugins_check(cli_ctx *ctx, const char *path)
{
    char line[1024];
    json_t *report, *problems, *pr;
    fg_error err;
    size_t i;
    int code;

    fg_status st;
    int timeout = 0;

    if (ctx->cat || access(ctx->db_path, F_OK) == 0)
        if (ctx->cat || cat_open(ctx->db_path, &ctx->cat, &err) == FG_OK)
            (void)cat_plugin_timeout(ctx->cat, &timeout, &err);
    st = rt_check_file(path, ctx->plugin_path, timeout, cat_check_plugin_offerings, &report,
                       &err);
    cli_log_level(FG_LOG_WARN);
    if (st != FG_OK)
        return cli_error(fg_exit_code(err.status), "plugins check: %s", err.msg);
    code = strcmp(json_string_value(json_object_get(report, "state")), "loaded") ? 4 : 0;
    problems = json_object_get(report, "problems");
    if (ctx->json) {
        cli_print_json(report);
    } else if (code) {
        json_int_t more =
            json_integer_value(json_object_get(report, "problems_not_listed"));
        json_array_foreach(problems, i, pr)
        {
            rt_problem_line(pr, line, sizeof line);
            print_problem(path, line);
        }
        if (more) {
            snprintf(line, sizeof line, "and %lld more problems, not listed",
                     (long long)more);
            print_problem(path, line);
        }
    } else {
        json_t *a;
        printf("%s: plugin %s %s (ABI %s), %lld valid offerings, areas:", path,
               json_string_value(json_object_get(report, "id")),
               json_string_value(json_object_get(report, "version")),
               json_string_value(json_object_get(report, "abi")),
               (long long)json_integer_value(json_object_get(report, "offerings")));
        json_array_foreach(json_object_get(report, "areas"), i, a)
            printf(" %s", json_string_value(a));
        printf("\n");
    }
    fflush(stdout);
    if (code)
        cli_error(4, "plugin %s refused: %s", path,
                  json_string_value(json_object_get(report, "reason")));
    json_decref(report);
    return code;
}

/* `plugins timeout [SECONDS]`: shows or sets the node's time limit of a
   plugin call, kept in the catalogue. */
static int plugins_timeout(cli_ctx *ctx, const char *value)
{
    fg_error err;
    int seconds = RT_DEFAULT_TIMEOUT_S;
    int64_t n = 0;

    if (value && !fg_parse_int(value, 1, RT_MAX_TIMEOUT_S, &n))
        return cli_usage_error("plugins timeout", "SECONDS must be 1-%d", RT_MAX_TIMEOUT_S);
    /* Settings only: the catalogue is not filled by this command. */
    if (cat_open(ctx->db_path, &ctx->cat, &err) != FG_OK)
        return cli_fail(&err);
    if (value) {
        if (cat_set_plugin_timeout(ctx->cat, (int)n, &err) != FG_OK)
            return cli_fail(&err);
        seconds = (int)n;
    } else if (cat_plugin_timeout(ctx->cat, &seconds, &err) != FG_OK &&
               err.status != FG_ENOTFOUND) {
        return cli_fail(&err);
    }
    if (ctx->json) {
        json_t *j = json_pack("{s:i}", "timeout", seconds);
        int code = cli_print_json(j);
        json_decref(j);
        return code;
    }
    printf("plugin calls time out after %d s\n", seconds);
    return 0;
}

static const char plugins_usage[] =
    "usage: fgcat plugins [--json]\n"
    "       fgcat plugins check FILE.so [--json]\n"
    "       fgcat plugins timeout [SECONDS] [--json]\n"
    "\n"
    "Lists the plugins found on the plugin path: name, version, plugin ABI,\n"
    "path, state (loaded; refused, with the reason; or failed: its worker\n"
    "crashed, overran its time limit or broke the protocol, with which call).\n"
    "Each loaded plugin's offerings are validated, without writing to the\n"
    "catalogue.  A plugin that exports symbols besides fgcat_plugin_entry is\n"
    "loaded, with a warning.  Every plugin runs in its own worker process; what\n"
    "it prints is logged as one warning line, never mixed into the output.\n"
    "\n"
    "'plugins check FILE.so' loads the plugin path and then one file, each in\n"
    "its worker (a crash or a hang is reported, not fatal), and reports every\n"
    "problem it finds: dlopen's refusal, a missing entry symbol or one that is\n"
    "not a function, an ABI mismatch (both versions), each bad descriptor\n"
    "field, a name or area already taken on the path, a failing, crashing or\n"
    "hanging init, each refused offering with its field, a crash or a hang in\n"
    "registering, validating or quoting sample requests (for each offering: the\n"
    "smallest and largest quantity its min_*/max_* attributes allow, with no\n"
    "start date and with tomorrow), anything the plugin prints, and each\n"
    "exported symbol besides fgcat_plugin_entry.  Exit 0 when there is none\n"
    "and the file would load\n"    "next to the plugins on the path (stdout: what it provides); exit 4\n"
    "otherwise: stdout has one line per problem, 'FILE: PROBLEM', and stderr\n"
    "one line, 'fgcat: plugin FILE refused: FIRST PROBLEM (and N more\n"
    "problems)'.  Exit 3 when FILE cannot be read, 2 when it is not a regular\n"
    "file.  More in docs/plugin-guide.md, section 5.\n"
    "  --json  print an array of plugin objects, with \"warnings\" (strings)\n"
    "          when there are any; check: one object with \"problems\", a list\n"
    "          of {\"what\", \"offering\" (refused offerings only), \"message\"},\n"
    "          \"what\" one of load, entry, abi, descriptor, conflict, init,\n"
    "          crash, timeout, protocol, output, offering, register, quote,\n"
    "          exports, elf\n"
    "\n"
    "'plugins timeout' shows the time limit of each plugin call (default 5 s);\n"
    "'plugins timeout SECONDS' sets it (1-3600) in the catalogue's settings, for\n"
    "every command on this node.  A call that overruns it is ended and reported\n"
    "as 'plugin NAME did not answer CALLBACK within N s'.\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_plugins(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    json_t *out;
    rt_runtime *rt;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, plugins_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind < argc && strcmp(argv[optind], "timeout") == 0) {
        if (argc - optind > 2)
            return cli_usage_error("plugins timeout", "expected at most one number");
        return plugins_timeout(ctx, argc - optind == 2 ? argv[optind + 1] : NULL);
    }
    if (optind < argc && strcmp(argv[optind], "check") == 0) {
        if (argc - optind != 2)
            return cli_usage_error("plugins check", "expected one plugin file");
        return plugins_check(ctx, argv[optind + 1]);
    }
    if (optind != argc)
        return cli_usage_error(argv[0], "unknown argument '%s'", argv[optind]);

    rt = cli_runtime(ctx);
    rt_start_all(rt); /* every plugin's state, init's included */
    out = json_array();
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        size_t n = 0;
        fg_error err;
        json_t *j, *warnings;
        if (p->state == RT_LOADED && cat_check_plugin_offerings(rt, p, &n, NULL, &err) != FG_OK)
            rt_refuse(p, err.msg);
        j = rt_plugin_json(p, n);
        warnings = p->state == RT_LOADED ? rt_export_warnings(p) : json_array();
        if (json_array_size(warnings))
            json_object_set_new(j, "warnings", warnings);
        else
            json_decref(warnings);
        json_array_append_new(out, j);
    }
    if (ctx->json) {
        code = cli_print_json(out);
    } else {
        size_t i;
        json_t *p;
        json_array_foreach(out, i, p) {
            const char *state = json_string_value(json_object_get(p, "state"));
            printf("%-26s %-8s ABI %-5s %-8s %s\n",
                   json_string_value(json_object_get(p, "id")),
                   json_string_value(json_object_get(p, "version")),
                   json_string_value(json_object_get(p, "abi")), state,
                   json_string_value(json_object_get(p, "path")));
            if (strcmp(state, "loaded") != 0)
                printf("    %s\n", json_string_value(json_object_get(p, "reason")));
        }
    }
    json_decref(out);
    return code;
}
