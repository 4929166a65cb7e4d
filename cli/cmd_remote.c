/*
 * fgcat remote: the hubs this node syncs with.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sync/sync.h"

static const char remote_usage[] =
    "usage: fgcat remote add NAME URL --token-file FILE [--ca-file PEM]\n"
    "       fgcat remote list [--json]\n"
    "       fgcat remote remove NAME\n"
    "\n"
    "The hubs this node syncs with, kept in the catalogue (like git remotes).\n"
    "A node may follow several foundation groups' hubs.  The token file holds\n"
    "the token the hub's operator issued (fgcat token create --output); it is\n"
    "read at each sync and never stored in the catalogue.  Its absolute path\n"
    "is stored, so a sync run from any directory finds it.  A token file\n"
    "others can read gets a warning: chmod 600 it.\n"
    "  --token-file FILE  file holding this node's token for the hub\n"
    "  --ca-file PEM      trust the certificates in PEM for this hub's TLS\n"
    "                     instead of the system's (a hub behind a private CA);\n"
    "                     without it CURL_CA_BUNDLE, then SSL_CERT_FILE, when\n"
    "                     set, name that file for every remote\n"
    "  --json             (list) print the remotes as an array\n"
    "  --db PATH, --help\n";

int cmd_remote(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_TOKEN = CLI_OPT_FIRST_OWN, O_CA };
    static const struct option opts[] = {{"token-file", required_argument, NULL, O_TOKEN},
                                         {"ca-file", required_argument, NULL, O_CA},
                                         CLI_COMMON_OPTIONS};
    const char *token_file = NULL, *ca_file = NULL, *sub;
    fg_error err;
    int code = 0, c, n;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, remote_usage, &code)) >= 0)
        if (c == O_TOKEN)
            token_file = optarg;
        else if (c == O_CA)
            ca_file = optarg;
    if (c == CLI_GETOPT_EXIT)
        return code;
    n = argc - optind;
    if (n < 1)
        return cli_usage_error(argv[0], "expected add, list or remove");
    sub = argv[optind];
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(sub, "add") == 0) {
        if (n != 3 || !token_file)
            return cli_usage_error(argv[0], "expected 'add NAME URL --token-file FILE'");
        if (sync_remote_add(ctx->cat, argv[optind + 1], argv[optind + 2], token_file, ca_file,
                            &err) != FG_OK)
            return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                           : cli_fail(&err);
        fprintf(stderr, "fgcat: remote %s added; run fgcat sync %s\n", argv[optind + 1],
                argv[optind + 1]);
        return 0;
    }
    if (strcmp(sub, "remove") == 0) {
        if (n != 2)
            return cli_usage_error(argv[0], "expected 'remove NAME'");
        return sync_remote_remove(ctx->cat, argv[optind + 1], &err) == FG_OK ? 0
                                                                             : cli_fail(&err);
    }
    if (strcmp(sub, "list") == 0) {
        json_t *list, *r;
        size_t i;
        if (n != 1)
            return cli_usage_error(argv[0], "'list' takes no arguments");
        if (sync_status(ctx->cat, &list, &err) != FG_OK)
            return cli_fail(&err);
        if (ctx->json) {
            json_array_foreach(list, i, r) json_object_del(r, "refused");
            code = cli_print_json(list);
        } else {
            json_array_foreach(list, i, r) printf(
                "%-16s %s  (token file %s)\n", json_string_value(json_object_get(r, "name")),
                json_string_value(json_object_get(r, "url")),
                json_string_value(json_object_get(r, "token_file")));
        }
        json_decref(list);
        return code;
    }
    return cli_usage_error(argv[0], "'%s' is not add, list or remove", sub);
}
