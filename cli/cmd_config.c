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
    "\n"
    "  --json  print {\"offerings-dir\": DIR or null} (no arguments, or get)\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

/* A setting: its name on the command line and its key in the catalogue. */
static const struct {
    const char *name;
    const char *key;
} settings[] = {
    {"offerings-dir", CAT_SETTING_OFFERINGS_DIR},
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

/* The catalogue key of setting `name`, or NULL. */
static const char *setting_key(const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return settings[i].key;
    return NULL;
}

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
    int code = 0, c, nargs;
    const char *verb, *key = NULL;
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
    if (verb && !(key = setting_key(argv[optind + 1])))
        return cli_usage_error(argv[0], "'%s' is not a setting (offerings-dir)",
                               argv[optind + 1]);
    if (verb && strcmp(verb, "set") == 0 &&
        (code = check_offerings_dir(argv[optind + 2], abs)) != 0)
        return code;
    if (cat_open(ctx->db_path, &ctx->cat, &err) != FG_OK)
        return cli_fail(&err);
    if (!verb || strcmp(verb, "get") == 0)
        return show_settings(ctx, verb ? argv[optind + 1] : NULL);
    if (strcmp(verb, "set") == 0) {
        if (cat_meta_set(ctx->cat, key, abs, &err) != FG_OK)
            return cli_fail(&err);
        printf("%s = %s (run fgcat refresh to apply it)\n", argv[optind + 1], abs);
        return 0;
    }
    if (cat_meta_delete(ctx->cat, key, &err) != FG_OK)
        return cli_fail(&err);
    printf("%s unset (run fgcat refresh to apply it)\n", argv[optind + 1]);
    return 0;
}
