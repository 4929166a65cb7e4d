/*
 * fgcat backup: a consistent copy of the catalogue, taken while it is in
 * use (a running hub or node included).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const char backup_usage[] =
    "usage: fgcat backup FILE\n"
    "\n"
    "Writes a consistent copy of this catalogue -- a node's or a hub's -- to\n"
    "FILE, a new file, while fgcat may be using it (a running hub or sync goes\n"
    "on).  Restore it with 'fgcat restore FILE'.  A hub restored from it starts\n"
    "a new feed epoch, so every node resynchronises and pushes again what the\n"
    "backup lacks.  Copying the catalogue file of a running hub or node is not\n"
    "a backup: use this.  See docs/operations.md.\n"
    "  --db PATH, --help\n";

int cmd_backup(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, backup_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc - 1)
        return cli_usage_error(argv[0], "takes one FILE");
    if (access(ctx->db_path, F_OK) != 0)
        return cli_error(3, "no catalogue at '%s' to back up", ctx->db_path);
    if (cli_catalog(ctx, &err) != FG_OK || cat_backup(ctx->cat, argv[optind], &err) != FG_OK)
        return cli_fail(&err);
    fprintf(stderr, "fgcat: backed up '%s' to '%s'\n", ctx->db_path, argv[optind]);
    return 0;
}
