/*
 * fgcat user: the people of the organisations that use this hub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

static const char user_usage[] =
    "usage: fgcat user add EMAIL --org ODS --role ROLE\n"
    "       fgcat user list [--org ODS] [--json]\n"
    "       fgcat user role EMAIL ROLE\n"
    "       fgcat user remove EMAIL\n"
    "       fgcat user reset EMAIL [--expires D]\n"
    "\n"
    "The people of the trusts that use this hub, each with a personal account\n"
    "in one organisation and one role (run on the hub's machine):\n"
    "  requester  finds services, requests them and cancels its trust's\n"
    "             requests\n"
    "  approver   also accepts, declines and completes requests made to its\n"
    "             trust\n"
    "  admin      also manages the people of its trust\n"
    "An address is one account, whatever its letters' case.  add makes an\n"
    "account with no password yet; list never shows a password, only whether\n"
    "one is set and whether the account is locked after failed sign-ins.\n"
    "remove ends the person's sessions at once.\n"
    "\n"
    "reset prints a one-time link with which the person sets a password in\n"
    "the hub's pages (a new account's first one, or a forgotten one): give it\n"
    "to them privately.  It works once, until it expires, and a newer link\n"
    "replaces it; setting a password signs the person out everywhere and\n"
    "unlocks the account.  The link starts with the hub's address, set once\n"
    "with 'fgcat config set hub-url https://...'.\n"
    "  --org ODS   (add) the person's organisation; (list) only its people\n"
    "  --role R    (add) requester, approver or admin\n"
    "  --expires D (reset) how long the link works (default 24h; D as 30m,\n"
    "              24h, 7d; at most 30d)\n"
    "  --json      (list) print an array of {email, ods, role, created_at,\n"
    "              password_set, locked_until}\n"
    "  --db PATH, --help\n";

/* A role named on the command line, or a usage error. */
static int parse_role(const char *cmd, const char *name, cat_role *role)
{
    if (cat_role_parse(name, role))
        return 0;
    return cli_usage_error(cmd, "the role is requester, approver or admin, not '%.40s'", name);
}

static int list_people(cli_ctx *ctx, const char *org)
{
    json_t *list, *p;
    fg_error err;
    size_t i;
    int code = 0;
    if (cat_person_list(ctx->cat, org, &list, &err) != FG_OK)
        return cli_fail(&err);
    if (ctx->json) {
        code = cli_print_json(list);
    } else {
        json_array_foreach(list, i, p) {
            const char *locked = json_string_value(json_object_get(p, "locked_until"));
            printf("%-5s  %-9s  %s%s%s%s\n", json_string_value(json_object_get(p, "ods")),
                   json_string_value(json_object_get(p, "role")),
                   json_string_value(json_object_get(p, "email")),
                   json_is_true(json_object_get(p, "password_set")) ? "" : "  (no password yet)",
                   locked ? "  locked until " : "", locked ? locked : "");
        }
        if (json_array_size(list) == 0)
            fprintf(stderr, "fgcat: no people%s%s\n", org ? " of " : "", org ? org : "");
    }
    json_decref(list);
    return code;
}

/* Prints a one-time link with which `email` sets a password. */
static int reset_link(cli_ctx *ctx, const char *email, int64_t lifetime)
{
    char secret[CAT_TOKEN_SIZE], until[FG_TIMESTAMP_SIZE], *hub = NULL;
    fg_error err;

    if (cat_meta_get(ctx->cat, CAT_SETTING_HUB_URL, &hub, &err) != FG_OK)
        return cli_fail(&err);
    if (!hub)
        return cli_error(2, "user reset: the link needs the address of this hub's pages; "
                            "set it once with 'fgcat config set hub-url https://...'");
    if (cat_person_reset(ctx->cat, email, lifetime, secret, &err) != FG_OK) {
        free(hub);
        return cli_fail(&err);
    }
    fg_time_iso((int64_t)time(NULL) + lifetime, until);
    printf("%s/account/password?secret=%s\n", hub, secret);
    fprintf(stderr, "fgcat: a one-time link for %s, until %s: give it to them privately\n",
            email, until);
    free(hub);
    return 0;
}

int cmd_user(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_ORG = CLI_OPT_FIRST_OWN, O_ROLE, O_EXPIRES };
    static const struct option opts[] = {{"org", required_argument, NULL, O_ORG},
                                         {"role", required_argument, NULL, O_ROLE},
                                         {"expires", required_argument, NULL, O_EXPIRES},
                                         CLI_COMMON_OPTIONS};
    int64_t lifetime = (int64_t)24 * 3600;
    bool expires = false;
    const char *sub, *org = NULL, *role_name = NULL;
    cat_role role = CAT_ROLE_REQUESTER;
    fg_error err;
    fg_status st;
    int code = 0, c, n;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, user_usage, &code)) >= 0) {
        if (c == O_ORG)
            org = optarg;
        else if (c == O_ROLE)
            role_name = optarg;
        else if (c == O_EXPIRES) {
            if (!cli_parse_duration(optarg, &lifetime) || lifetime < 60 ||
                lifetime > 30LL * 86400)
                return cli_usage_error(argv[0], "--expires must be a duration from 1m to 30d, "
                                                "such as 24h or 7d, not '%.20s'",
                                       optarg);
            expires = true;
        }
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    n = argc - optind;
    sub = n > 0 ? argv[optind] : "";
    if (!((strcmp(sub, "add") == 0 && n == 2) || (strcmp(sub, "list") == 0 && n == 1) ||
          (strcmp(sub, "role") == 0 && n == 3) || (strcmp(sub, "remove") == 0 && n == 2) ||
          (strcmp(sub, "reset") == 0 && n == 2)))
        return cli_usage_error(argv[0], "expected 'add EMAIL --org ODS --role ROLE', 'list', "
                                        "'role EMAIL ROLE', 'remove EMAIL' or 'reset EMAIL'");
    if (expires && strcmp(sub, "reset") != 0)
        return cli_usage_error(argv[0], "--expires goes with reset");
    if (strcmp(sub, "add") == 0 && (!org || !role_name))
        return cli_usage_error(argv[0], "add needs --org ODS and --role ROLE");
    if (role_name && strcmp(sub, "add") != 0)
        return cli_usage_error(argv[0], "--role goes with add (to change one: user role)");
    if (org && strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0)
        return cli_usage_error(argv[0], "--org goes with add or list");
    if (role_name && (code = parse_role(argv[0], role_name, &role)) != 0)
        return code;
    if (strcmp(sub, "role") == 0 && (code = parse_role(argv[0], argv[optind + 2], &role)) != 0)
        return code;
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(sub, "list") == 0)
        return list_people(ctx, org);
    if (strcmp(sub, "reset") == 0)
        return reset_link(ctx, argv[optind + 1], lifetime);
    if (strcmp(sub, "add") == 0)
        st = cat_person_add(ctx->cat, argv[optind + 1], org, role, &err);
    else if (strcmp(sub, "role") == 0)
        st = cat_person_set_role(ctx->cat, argv[optind + 1], role, &err);
    else
        st = cat_person_remove(ctx->cat, argv[optind + 1], &err);
    if (st != FG_OK)
        return st == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg) : cli_fail(&err);
    if (strcmp(sub, "add") == 0)
        fprintf(stderr, "fgcat: added %s to %s as %s (no password yet)\n", argv[optind + 1],
                org, cat_role_name(role));
    else if (strcmp(sub, "role") == 0)
        fprintf(stderr, "fgcat: %s is now %s\n", argv[optind + 1], cat_role_name(role));
    else
        fprintf(stderr, "fgcat: removed %s\n", argv[optind + 1]);
    return 0;
}
