/*
 * fgcat config: the node's settings, stored in the catalogue.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char config_usage[] =
    "usage: fgcat config [--json]\n"
    "       fgcat config get KEY\n"
    "       fgcat config set KEY VALUE\n"
    "       fgcat config unset KEY\n"
    "\n"
    "Shows or changes this node's settings, which are kept in its catalogue.\n"
    "With no arguments, lists every setting and its value.\n"
    "\n"
    "Settings:\n"
    "  offerings-dir DIR  a directory of offerings files (*.json, each one\n"
    "                     offering object or an array of them, in the form\n"
    "                     'fgcat export' prints) that add to or replace the\n"
    "                     plugins' own offerings at every refresh: an offering\n"
    "                     with the id of a plugin's offering replaces it, a new\n"
    "                     id adds one.  Each is checked by its area's plugin\n"
    "                     like any offering.  DIR must exist; it is stored as\n"
    "                     an absolute path.  Run 'fgcat refresh' to apply it.\n"
    "  hub-url URL        on a hub: the address at which people reach its pages\n"
    "                     (http:// or https://, no path), used in the links of\n"
    "                     password and notification e-mails.\n"
    "\n"
    "  --json  print {\"offerings-dir\": DIR or null, \"hub-url\": URL or null}\n"
    "          (no arguments, or get)\n"
    "  --db PATH, --plugin-path DIRS, --help\n";


/* Resolves and checks an offerings directory into `abs` (PATH_MAX bytes):
   it must be a readable directory whose files are well-formed. */
static int check_offerings_dir(const char *dir, char *abs)
{
    struct stat st;
    json_t *found = NULL;
    fg_error err;

    if (!realpath(dir, abs))
        return cli_error(2, "config: offerings-dir %s: %s", dir, strerror(errno));
    if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error(2, "config: offerings-dir %s is not a directory", dir);
    fg_error_clear(&err);
    if (rt_read_offerings_dir(abs, &found, &err) != FG_OK)
        return cli_fail(&err);
    json_decref(found);
    return 0;
}

/* Checks a hub address into `out` (PATH_MAX bytes): http:// or https://
   and a host (with a port), without path, query or trailing slash. */
static int check_hub_url(const char *url, char *out)
{
    const char *host = strncmp(url, "https://", 8) == 0  ? url + 8
                       : strncmp(url, "http://", 7) == 0 ? url + 7
                                                         : NULL;
    size_t n = host ? strcspn(host, "/") : 0;
    if (!host || n == 0 || strlen(url) > 200 || (host[n] && strcmp(host + n, "/") != 0))
        return cli_error(2, "config: hub-url must be http:// or https:// and a host, "
                            "such as https://hub.example.nhs.uk, not '%.80s'",
                         url);
    for (size_t i = 0; i < n; i++)
        if (!((host[i] >= 'A' && host[i] <= 'Z') || (host[i] >= 'a' && host[i] <= 'z') ||
              (host[i] >= '0' && host[i] <= '9') || strchr(".-:[]", host[i])))
            return cli_error(2, "config: hub-url has a character a host name cannot hold: "
                                "'%.80s'",
                             url);
    snprintf(out, PATH_MAX, "%.*s", (int)((size_t)(host - url) + n), url);
    return 0;
}

/* A setting: its name on the command line, its key in the catalogue, how
   a value is checked (into PATH_MAX bytes) and what applies it. */
static const struct {
    const char *name;
    const char *key;
    int (*check)(const char *value, char *out);
    const char *applies;
} settings[] = {
    {"offerings-dir", CAT_SETTING_OFFERINGS_DIR, check_offerings_dir,
     " (run fgcat refresh to apply it)"},
    {"hub-url", CAT_SETTING_HUB_URL, check_hub_url, ""},
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

/* The setting called `name`, or -1. */
static int setting_index(const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Prints every setting (or the one of `only`) as text or JSON. */
static int show_settings(cli_ctx *ctx, const char *only)
{
    json_t *out = json_object();
    fg_error err;
    int code = 0;

    for (size_t i = 0; i < N_SETTINGS; i++) {
        char *value = NULL;
        if (only && strcmp(only, settings[i].name) != 0)
            continue;
        if (cat_meta_get(ctx->cat, settings[i].key, &value, &err) != FG_OK) {
            json_decref(out);
            return cli_fail(&err);
        }
        json_object_set_new(out, settings[i].name, value ? json_string(value) : json_null());
        free(value);
    }
    if (ctx->json) {
        code = cli_print_json(out);
    } else {
        const char *name;
        json_t *v;
        json_object_foreach(out, name, v) {
            if (only)
                printf("%s\n", json_is_string(v) ? json_string_value(v) : "");
            else
                printf("%s = %s\n", name, json_is_string(v) ? json_string_value(v) : "(not set)");
        }
    }
    json_decref(out);
    return code;
}

int cmd_config(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    fg_error err;
    int code = 0, c, nargs, which = -1;
    const char *verb;
    char abs[PATH_MAX];

    while ((c = cli_getopt(ctx, argc, argv, "", opts, config_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    nargs = argc - optind;
    verb = nargs ? argv[optind] : NULL;
    if (verb && strcmp(verb, "get") != 0 && strcmp(verb, "set") != 0 &&
        strcmp(verb, "unset") != 0)
        return cli_usage_error(argv[0], "'%s' is not get, set or unset", verb);
    if (verb && (nargs != (strcmp(verb, "set") == 0 ? 3 : 2)))
        return cli_usage_error(argv[0], "%s takes %s", verb,
                               strcmp(verb, "set") == 0 ? "KEY VALUE" : "one KEY");
    if (verb && (which = setting_index(argv[optind + 1])) < 0)
        return cli_usage_error(argv[0], "'%s' is not a setting (offerings-dir, hub-url)",
                               argv[optind + 1]);
    if (verb && strcmp(verb, "set") == 0 &&
        (code = settings[which].check(argv[optind + 2], abs)) != 0)
        return code;
    if (cat_open(ctx->db_path, &ctx->cat, &err) != FG_OK)
        return cli_fail(&err);
    if (!verb || strcmp(verb, "get") == 0)
        return show_settings(ctx, verb ? argv[optind + 1] : NULL);
    if (strcmp(verb, "set") == 0) {
        if (cat_meta_set(ctx->cat, settings[which].key, abs, &err) != FG_OK)
            return cli_fail(&err);
        printf("%s = %s%s\n", argv[optind + 1], abs, settings[which].applies);
        return 0;
    }
    if (cat_meta_delete(ctx->cat, settings[which].key, &err) != FG_OK)
        return cli_fail(&err);
    printf("%s unset%s\n", argv[optind + 1], settings[which].applies);
    return 0;
}
