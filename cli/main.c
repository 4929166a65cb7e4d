/*
 * fgcat: the command line.  Global options, then a git-style subcommand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"search", cmd_search, "search offerings (full text, filters, facets)"},
    {"show", cmd_show, "show one offering in full"},
    {"areas", cmd_areas, "list the loaded service areas with offering counts"},
    {"plugins", cmd_plugins, "list plugins; 'plugins check FILE.so' checks one"},
    {"refresh", cmd_refresh, "run every plugin's registration again"},
    {"import", cmd_import, "import offerings from JSON, CSV or FHIR (all or nothing)"},
    {"export", cmd_export, "export every offering as JSON, CSV or FHIR R4"},
    {"delete", cmd_delete, "remove an offering for good (it travels as a tombstone)"},
    {"request", cmd_request, "request an offering; follow, accept, decline, complete, cancel"},
    {"remote", cmd_remote, "the hubs this node syncs with: add, list, remove"},
    {"sync", cmd_sync, "push and pull with a hub, once or periodically; sync status"},
    {"serve", cmd_serve, "run a hub that nodes sync with"},
    {"token", cmd_token, "issue a member trust's token for this hub"},
    {"user", cmd_user, "the people of the trusts on this hub: add, list, role, remove"},
    {"notify", cmd_notify, "the queue of notification e-mails: status, retry"},
    {"config", cmd_config, "this node's settings: the operator's offerings directory"},
    {"backup", cmd_backup, "write a consistent copy of this catalogue, while in use"},
    {"restore", cmd_restore, "replace this catalogue with a backup (new feed epoch)"},
};

static const char usage[] =
    "usage: fgcat [--db PATH] [--plugin-path DIRS] COMMAND [ARGS] [--json]\n"
    "\n"
    "The NHS foundation-group shared-services catalogue.\n"
    "\n"
    "Commands:\n"
    "%s"
    "\n"
    "Global options (also accepted after the command):\n"
    "  --db PATH           catalogue file (env FGCAT_DB; default\n"
    "                      $XDG_DATA_HOME/fgcat/catalogue.db)\n"
    "  --plugin-path DIRS  colon-separated plugin directories (env\n"
    "                      FGCAT_PLUGIN_PATH; default: this build's plugins)\n"
    "  --json              machine-readable output on stdout\n"
    "  --help              this text; 'fgcat COMMAND --help' for a command\n"
    "  --version           print the version\n"
    "\n"
    "Exit status: 0 done, 1 run-time failure, 2 usage or invalid input,\n"
    "3 not found, 4 refused by a rule.\n";

static void print_usage(FILE *out)
{
    char list[2048] = "";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "  %-10s %s\n", commands[i].name,
                 commands[i].summary);
    }
    fprintf(out, usage, list);
}

int main(int argc, char **argv)
{
    static const struct option globals[] = {
        {"version", no_argument, NULL, 'V'}, CLI_COMMON_OPTIONS};
    cli_ctx ctx;
    fg_error err;
    int code = 0;
    const char *env;

    memset(&ctx, 0, sizeof ctx);
    fg_error_clear(&err);
    cli_log_level(FG_LOG_WARN);

    /* Global options stop at the first non-option: the command. */
    for (;;) {
        int c = cli_getopt(&ctx, argc, argv, "+V", globals, "", &code);
        if (c == CLI_GETOPT_END)
            break;
        if (c == CLI_GETOPT_EXIT) {
            if (code == 0)
                print_usage(stdout);
            return code;
        }
        if (c == 'V') {
            printf("fgcat %s (plugin ABI %d.%d)\n", fg_version(), FGCAT_ABI_MAJOR,
                   FGCAT_ABI_MINOR);
            return 0;
        }
    }
    if (optind >= argc) {
        print_usage(stderr);
        return 2;
    }

    if (!ctx.db_path && (env = getenv("FGCAT_DB")) != NULL && *env)
        ctx.db_path = env;
    if (!ctx.db_path) {
        if (fg_default_db_path(ctx.db_buf, sizeof ctx.db_buf, &err) != FG_OK)
            return cli_fail(&err);
        ctx.db_path = ctx.db_buf;
    }
    if (!ctx.plugin_path && (env = getenv("FGCAT_PLUGIN_PATH")) != NULL && *env)
        ctx.plugin_path = env;
    if (!ctx.plugin_path) {
        if (fg_default_plugin_path(ctx.plugin_buf, sizeof ctx.plugin_buf, &err) != FG_OK)
            return cli_fail(&err);
        ctx.plugin_path = ctx.plugin_buf;
    }

    {
        const char *name = argv[optind];
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        cli_cmd_fn fn = NULL;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(commands[i].name, name) == 0)
                fn = commands[i].fn;
        if (!fn) {
            fprintf(stderr, "fgcat: '%s' is not a command (see fgcat --help)\n", name);
            return 2;
        }
        optind = 0; /* full getopt reset for the command's own options */
        code = fn(&ctx, sub_argc, sub_argv);
    }
    cli_save_plugin_cache(&ctx);
    cat_close(ctx.cat);
    rt_free(ctx.rt);
    if (fflush(stdout) != 0 && code == 0)
        code = cli_error(1, "cannot write to standard output");
    return code;
}
