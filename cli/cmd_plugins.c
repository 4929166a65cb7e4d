/*
 * fgcat areas, fgcat plugins and fgcat plugins check.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define CHECK_REPORT_MAX (256 * 1024)

static const char areas_usage[] =
    "usage: fgcat areas [--json]\n"
    "\n"
    "Lists the service areas of the loaded plugins, with how many active and\n"
    "withdrawn offerings each has in the catalogue.\n"
    "  --json  print an array of {\"id\", \"plugin\", \"active\", \"withdrawn\"}\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_areas(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    json_t *counts = NULL, *out;
    fg_error err;
    rt_runtime *rt;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, areas_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc)
        return cli_usage_error(argv[0], "takes no arguments");
    rt = cli_runtime(ctx);
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_area_counts(ctx->cat, &counts, &err) != FG_OK)
        return cli_fail(&err);
    out = json_array();
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (p->state != RT_LOADED)
            continue;
        for (char **a = p->areas; *a; a++) {
            json_t *n = json_object_get(counts, *a);
            json_array_append_new(
                out, json_pack("{s:s, s:s, s:I, s:I}", "id", *a, "plugin", p->name,
                               "active",
                               (json_int_t)json_integer_value(json_object_get(n, "active")),
                               "withdrawn",
                               (json_int_t)json_integer_value(
                                   json_object_get(n, "withdrawn"))));
        }
    }
    if (ctx->json) {
        code = cli_print_json(out);
    } else {
        size_t i;
        json_t *a;
        printf("%-28s %-28s %7s %9s\n", "AREA", "PLUGIN", "ACTIVE", "WITHDRAWN");
        json_array_foreach(out, i, a) {
            printf("%-28s %-28s %7lld %9lld\n", json_string_value(json_object_get(a, "id")),
                   json_string_value(json_object_get(a, "plugin")),
                   (long long)json_integer_value(json_object_get(a, "active")),
                   (long long)json_integer_value(json_object_get(a, "withdrawn")));
        }
    }
    json_decref(out);
    json_decref(counts);
    return code;
}

/* A plugin as `fgcat plugins --json` shows it. New. */
static json_t *plugin_json(const rt_plugin *p, size_t offerings)
{
    char abi[32];
    json_t *areas = json_array();
    json_t *j;
    for (char **a = p->areas; a && *a; a++)
        json_array_append_new(areas, json_string(*a));
    snprintf(abi, sizeof abi, "%u.%u", (unsigned)p->abi_major, (unsigned)p->abi_minor);
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", p->name, "version",
                  p->version ? p->version : "", "abi", p->abi_major ? abi : "",
                  "path", p->path, "state", p->state == RT_LOADED ? "loaded" : "refused",
                  "areas", areas);
    json_object_set_new(j, "description", json_string(p->description ? p->description : ""));
    if (p->state == RT_LOADED)
        json_object_set_new(j, "offerings", json_integer((json_int_t)offerings));
    else
        json_object_set_new(j, "reason", json_string(p->reason));
    return j;
}

/* The plugin of `rt` loaded from the same file as `path`, or NULL. */
static rt_plugin *find_by_file(rt_runtime *rt, const char *path)
{
    char want[PATH_MAX], have[PATH_MAX];
    if (!realpath(path, want))
        return NULL;
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (realpath(p->path, have) && strcmp(want, have) == 0)
            return p;
    }
    return NULL;
}

/*
 * Loads and checks one plugin file, registering its offerings without a
 * catalogue.  Runs in the child of `plugins check`.  The plugins of
 * `plugin_path` are loaded first, as every other command would, so that the
 * answer is "would this file load here": a name or area another plugin
 * already has is a refusal.  When the file is on the path itself, its
 * record from the path is the one reported.  Writes one byte, 'P', to `fd`
 * once the path is loaded, so the parent can tell whose crash it saw.
 * Returns the report.
 */
static json_t *check_in_process(const char *path, const char *plugin_path, int fd)
{
    rt_runtime *rt = rt_create();
    rt_plugin *p;
    size_t n = 0;
    json_t *report;
    fg_error err;

    if (!rt)
        return json_pack("{s:s, s:s}", "state", "refused", "reason", "out of memory");
    rt_load_path(rt, plugin_path);
    if (write(fd, "P", 1) != 1)
        _exit(1);
    p = find_by_file(rt, path);
    if (!p)
        p = rt_load_file(rt, path);
    if (p && p->state == RT_LOADED &&
        cat_check_plugin_offerings(rt, p, &n, &err) != FG_OK) {
        p->state = RT_REFUSED;
        snprintf(p->reason, sizeof p->reason, "%s", err.msg);
    }
    report = p ? plugin_json(p, n) : json_pack("{s:s, s:s}", "state", "refused", "reason",
                                               "out of memory");
    rt_free(rt);
    return report;
}

/*
 * Runs check_in_process in a child, so that a plugin that crashes or
 * exits while loading is reported rather than taking fgcat with it.
 */
static json_t *check_in_child(const char *path, const char *plugin_path, char *why,
                              size_t why_size)
{
    int fds[2], status;
    pid_t pid;
    char *buf;
    size_t len = 0;
    bool path_loaded;
    json_t *report;

    if (pipe(fds) != 0) {
        snprintf(why, why_size, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "cannot fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        json_t *r;
        char *text;
        close(fds[0]);
        /* The parent reports the outcome; the child's loader stays quiet. */
        fg_log_set_sink(NULL, FG_LOG_ERROR, NULL);
        r = check_in_process(path, plugin_path, fds[1]);
        text = json_dumps(r, JSON_COMPACT);
        if (text) {
            size_t off = 0, n = strlen(text);
            while (off < n) {
                ssize_t w = write(fds[1], text + off, n - off);
                if (w <= 0)
                    break;
                off += (size_t)w;
            }
        }
        _exit(0);
    }
    close(fds[1]);
    buf = malloc(CHECK_REPORT_MAX + 1);
    if (!buf)
        abort();
    for (;;) {
        ssize_t r = read(fds[0], buf + len, CHECK_REPORT_MAX - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == CHECK_REPORT_MAX)
            break;
    }
    buf[len] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    path_loaded = len > 0 && buf[0] == 'P';
    if (WIFSIGNALED(status)) {
        if (path_loaded)
            snprintf(why, why_size, "crashed while loading (signal %d, %s)",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            snprintf(why, why_size,
                     "not checked: a plugin on the plugin path %s crashed "
                     "while loading (signal %d, %s)",
                     plugin_path, WTERMSIG(status), strsignal(WTERMSIG(status)));
        free(buf);
        return NULL;
    }
    report = path_loaded ? json_loads(buf + 1, 0, NULL) : NULL;
    free(buf);
    if (!report)
        snprintf(why, why_size, "exited (status %d) before reporting",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return report;
}

static int plugins_check(cli_ctx *ctx, const char *path)
{
    struct stat sb;
    char why[512] = "";
    json_t *report;
    int code;

    if (stat(path, &sb) != 0)
        return cli_error(3, "plugins check: cannot read '%s': %s", path, strerror(errno));
    report = check_in_child(path, ctx->plugin_path, why, sizeof why);
    if (!report) {
        if (ctx->json) {
            json_t *j = json_pack("{s:s, s:s, s:s}", "path", path, "state", "refused",
                                  "reason", why);
            cli_print_json(j);
            json_decref(j);
        }
        return cli_error(4, "plugin %s refused: %s", path, why);
    }
    code = strcmp(json_string_value(json_object_get(report, "state")), "loaded") ? 4 : 0;
    if (ctx->json)
        cli_print_json(report);
    if (code)
        cli_error(4, "plugin %s refused: %s", path,
                  json_string_value(json_object_get(report, "reason")));
    else if (!ctx->json) {
        size_t i;
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
    json_decref(report);
    return code;
}

static const char plugins_usage[] =
    "usage: fgcat plugins [--json]\n"
    "       fgcat plugins check FILE.so [--json]\n"
    "\n"
    "Lists the plugins found on the plugin path: name, version, plugin ABI,\n"
    "path, state (loaded or refused, with the reason).  Each loaded plugin's\n"
    "offerings are validated, without writing to the catalogue.\n"
    "\n"
    "'plugins check FILE.so' loads the plugin path and then one file in a child\n"
    "process (a crash is reported, not fatal), validates the file's descriptor\n"
    "and offerings, and exits 0 when it would load next to the plugins on the\n"
    "path, 4 when it would be refused (a name or area already taken included).\n"
    "  --json  print an array of plugin objects (check: one object)\n"
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
    if (optind < argc && strcmp(argv[optind], "check") == 0) {
        if (argc - optind != 2)
            return cli_usage_error("plugins check", "expected one plugin file");
        return plugins_check(ctx, argv[optind + 1]);
    }
    if (optind != argc)
        return cli_usage_error(argv[0], "unknown argument '%s'", argv[optind]);

    rt = cli_runtime(ctx);
    out = json_array();
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        size_t n = 0;
        fg_error err;
        if (p->state == RT_LOADED && cat_check_plugin_offerings(rt, p, &n, &err) != FG_OK)
            rt_refuse(p, err.msg);
        json_array_append_new(out, plugin_json(p, n));
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
