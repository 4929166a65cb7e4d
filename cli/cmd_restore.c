/*
 * fgcat restore: a catalogue back from a backup, with a new feed epoch.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>

#include "cli.h"

static const char restore_usage[] =
    "usage: fgcat restore FILE\n"
    "\n"
    "Replaces this catalogue with the backup FILE that 'fgcat backup' wrote\n"
    "(the backup is checked whole first and left as it is).  The restored\n"
    "catalogue gets a new feed epoch: every node of a restored hub takes a\n"
    "full resync at its next sync and pushes again what it owns, so nothing\n"
    "written after the backup is lost; a restored node resynchronises with\n"
    "each of its hubs.  Stop the hub (or the node's periodic sync) first;\n"
    "start it again after.  See docs/operations.md.\n"
    "  --db PATH, --help\n";

int cmd_restore(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, restore_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc - 1)
        return cli_usage_error(argv[0], "takes one FILE");
    if (cat_restore(argv[optind], ctx->db_path, &err) != FG_OK)
        return cli_fail(&err);
    fprintf(stderr, "fgcat: restored '%s' from '%s' with a new feed epoch\n", ctx->db_path,
            argv[optind]);
    return 0;
}
