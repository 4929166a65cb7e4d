/*
 * fgcat refresh.
 */
#include <stdio.h>

#include "cli.h"

static const char refresh_usage[] =
    "usage: fgcat refresh [--json]\n"
    "\n"
    "Runs every plugin's registration again and applies it: new offerings are\n"
    "added, changed ones get a new rev, offerings a plugin no longer registers\n"
    "are marked withdrawn (never deleted).  Offerings that came by import or\n"
    "sync are left alone.  A plugin refused on the way keeps its previous\n"
    "offerings; the others are applied, and the exit status is 4.\n"
    "  --json  print {\"added\", \"changed\", \"withdrawn\", \"unchanged\",\n"
    "          \"plugins_ok\", \"plugins_refused\"}\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_refresh(cli_ctx *ctx, int argc, char **argv)
{
    cat_refresh_report rep;
    fg_error err;
    bool seed;
    int code = 0;

    if (!cli_common_args(ctx, argc, argv, refresh_usage, NULL, &code))
        return code;
    if (cat_open(ctx->db_path, &ctx->cat, &err) != FG_OK)
        return cli_fail(&err);
    if (cat_needs_seed(ctx->cat, &seed, &err) != FG_OK ||
        (seed ? cat_seed : cat_refresh)(ctx->cat, cli_runtime(ctx), &rep, &err) != FG_OK)
        return cli_fail(&err);
    if (ctx->json) {
        json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "added",
                              (json_int_t)rep.added, "changed", (json_int_t)rep.changed,
                              "withdrawn", (json_int_t)rep.withdrawn, "unchanged",
                              (json_int_t)rep.unchanged, "plugins_ok",
                              (json_int_t)rep.plugins_ok, "plugins_refused",
                              (json_int_t)rep.plugins_refused);
        code = cli_print_json(j);
        json_decref(j);
    } else {
        printf("refresh: %zu added, %zu changed, %zu withdrawn, %zu unchanged "
               "(plugins: %zu applied, %zu refused)\n",
               rep.added, rep.changed, rep.withdrawn, rep.unchanged, rep.plugins_ok,
               rep.plugins_refused);
    }
    if (code == 0 && rep.plugins_refused)
        code = 4;
    return code;
}
