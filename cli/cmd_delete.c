/*
 * fgcat delete: removing an offering for good.
 */
#include "cli.h"

static const char delete_usage[] =
    "usage: fgcat delete ID\n"
    "\n"
    "Removes an offering from this catalogue for good (to keep it visible as\n"
    "withdrawn, stop registering or import it with \"status\": \"withdrawn\"\n"
    "instead).  The deletion travels to hubs as a tombstone when this node's\n"
    "organisation provides the offering.  Requests for it are kept.  A plugin\n"
    "that still registers the offering brings it back at the next refresh.\n"
    "  --db PATH, --help\n";

int cmd_delete(cli_ctx *ctx, int argc, char **argv)
{
    bool deleted = false;
    fg_error err;
    int code = 0;

    if (!cli_common_args(ctx, argc, argv, delete_usage, "offering ID", &code))
        return code;
    if (cli_catalog(ctx, &err) != FG_OK || cat_offering_delete(ctx->cat, argv[optind],
                                                               &deleted, &err) != FG_OK)
        return cli_fail(&err);
    if (!deleted)
        return cli_error(3, "no offering with id '%.100s'", argv[optind]);
    return 0;
}
