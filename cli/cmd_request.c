/*
 * fgcat request: create, list, show, and the life-cycle transitions.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sync/sync.h"
#include "util.h"

static const char request_usage[] =
    "usage: fgcat request create ID --org ODS --quantity N [--start DATE]\n"
    "                            [--contact EMAIL] [--note TEXT] [--by EMAIL]\n"
    "       fgcat request quote ID --org ODS --quantity N [--start DATE]\n"
    "                           [--contact EMAIL] [--note TEXT] [--by EMAIL]\n"
    "       fgcat request list [--org ODS] [--status S] [--offering ID]\n"
    "                          [--format text|json|csv] [--excel]\n"
    "       fgcat request show RID\n"
    "       fgcat request accept|decline|complete|cancel RID --org ODS [--reason T]\n"
    "                                                        [--by EMAIL]\n"
    "\n"
    "Requests are how a member trust asks for an offering (docs/request-format.md).\n"
    "\n"
    "  create    the offering's area plugin checks the request (cohort size,\n"
    "            notice, beds, ...) and quotes it; it is stored as submitted.\n"
    "            QUANTITY counts the offering's price unit: delegates, days,\n"
    "            beds, or engagements for a fixed price.  A refusal is shown\n"
    "            verbatim and exits 4.\n"
    "  quote     what the request would cost: every check of create (the same\n"
    "            options) and the area plugin's quote, storing nothing.  A refusal is shown\n"
    "            verbatim and exits 4, as create does.\n"
    "  list      requests made by or addressed to --org, newest first;\n"
    "            --format csv writes them as CSV for spreadsheets (the header\n"
    "            row is in docs/csv.md; the quote in pounds), --excel adds the\n"
    "            byte-order mark Excel needs; --format json is --json\n"
    "  show      one request with its history and, on a node that syncs,\n"
    "            where it stands with each hub that carries its offering\n"
    "            (delivered, waiting for the next sync, refused and why), or\n"
    "            that no hub this node syncs with carries it (not delivered)\n"
    "  accept    provider: submitted -> accepted, while the offering has\n"
    "            fewer accepted requests than its capacity\n"
    "  decline   provider: submitted -> declined\n"
    "  complete  provider: accepted -> completed (frees a place)\n"
    "  cancel    requester: submitted or accepted -> cancelled\n"
    "\n"
    "--org names the organisation acting (its ODS code).  Moves not allowed\n"
    "from the current state, or by that organisation, exit 4 and say what is\n"
    "allowed.  Every move is kept in the history; nothing is deleted.\n"
    "\n"
    "--by names the person acting (an e-mail address); the history records it\n"
    "beside the organisation, and it travels with the request to the hub.\n"
    "When the person has an account in this catalogue (a hub's people), they\n"
    "must belong to --org, and a requester may not accept, decline or\n"
    "complete (exit 4); an address the catalogue does not know is recorded as\n"
    "given.\n"
    "\n"
    "Options: --json (print the request, or an array for list), --db PATH,\n"
    "--plugin-path DIRS, --help\n";

/* Prints a request for people. */
static void print_request(const json_t *r)
{
    json_t *quote = json_object_get(r, "quote");
    json_t *requester = json_object_get(r, "requester");
    json_t *history = json_object_get(r, "history"), *e;
    char money[64];
    size_t i;

    fg_money(money, sizeof money, json_integer_value(json_object_get(quote, "amount_pence")),
              json_string_value(json_object_get(quote, "currency")));
    printf("request %s  %s\n", json_string_value(json_object_get(r, "id")),
           json_string_value(json_object_get(r, "status")));
    printf("  offering:  %s (provider %s)\n",
           json_string_value(json_object_get(r, "offering_id")),
           json_string_value(json_object_get(json_object_get(r, "provider"), "ods")));
    printf("  requester: %s", json_string_value(json_object_get(requester, "ods")));
    if (json_is_string(json_object_get(requester, "contact")))
        printf(" <%s>", json_string_value(json_object_get(requester, "contact")));
    printf("\n  quantity:  %lld", (long long)json_integer_value(json_object_get(r, "quantity")));
    if (json_is_string(json_object_get(r, "start")))
        printf(", from %s", json_string_value(json_object_get(r, "start")));
    printf("\n  quote:     %s\n", money);
    if (json_is_string(json_object_get(r, "note")))
        printf("  note:      %s\n", json_string_value(json_object_get(r, "note")));
    json_array_foreach(history, i, e) {
        printf("  %s  %s %s by %s", i == 0 ? "history:" : "        ",
               json_string_value(json_object_get(e, "at")),
               json_string_value(json_object_get(e, "status")),
               json_string_value(json_object_get(e, "by")));
        if (json_is_string(json_object_get(e, "person")))
            printf(" (%s)", json_string_value(json_object_get(e, "person")));
        if (json_is_string(json_object_get(e, "reason")))
            printf(": %s", json_string_value(json_object_get(e, "reason")));
        printf("\n");
    }
}

static int output(cli_ctx *ctx, const json_t *r)
{
    if (ctx->json)
        return cli_print_json(r);
    print_request(r);
    return 0;
}

/*
 * Reads the request that `request create` and `request quote` describe
 * into `in`: the offering ID and the options.  Returns -1 to go on, or the
 * exit code (--help, a usage error).
 */
static int parse_request(cli_ctx *ctx, int argc, char **argv, cat_request_in *in)
{
    enum { O_ORG = CLI_OPT_FIRST_OWN, O_QUANTITY, O_START, O_CONTACT, O_NOTE, O_BY };
    static const struct option opts[] = {{"org", required_argument, NULL, O_ORG},
                                         {"by", required_argument, NULL, O_BY},
                                         {"quantity", required_argument, NULL, O_QUANTITY},
                                         {"start", required_argument, NULL, O_START},
                                         {"contact", required_argument, NULL, O_CONTACT},
                                         {"note", required_argument, NULL, O_NOTE},
                                         CLI_COMMON_OPTIONS};
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, request_usage, &code)) >= 0) {
        switch (c) {
        case O_ORG:
            in->requester_ods = optarg;
            break;
        case O_QUANTITY:
            if (!fg_parse_int(optarg, 1, 1000000, &in->quantity))
                return cli_usage_error(argv[0], "--quantity must be a whole number from 1 "
                                                "to 1000000, not '%.20s'",
                                       optarg);
            break;
        case O_START:
            in->start = optarg;
            break;
        case O_CONTACT:
            in->contact = optarg;
            break;
        case O_NOTE:
            in->note = optarg;
            break;
        case O_BY:
            in->person = optarg;
            break;
        }
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one offering ID");
    if (!in->requester_ods || in->quantity == 0)
        return cli_usage_error(argv[0], "--org and --quantity are required");
    in->offering_id = argv[optind];
    return -1;
}

static int request_create(cli_ctx *ctx, int argc, char **argv)
{
    cat_request_in in = {0};
    json_t *r;
    fg_error err;
    int code;

    if ((code = parse_request(ctx, argc, argv, &in)) >= 0)
        return code;
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_request_create(ctx->cat, cli_runtime(ctx), &in, &r, &err) != FG_OK)
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    code = output(ctx, r);
    json_decref(r);
    return code;
}

static int request_quote(cli_ctx *ctx, int argc, char **argv)
{
    cat_request_in in = {0};
    cat_quote quote;
    char money[64];
    fg_error err;
    int code;

    if ((code = parse_request(ctx, argc, argv, &in)) >= 0)
        return code;
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_request_quote(ctx->cat, cli_runtime(ctx), &in, &quote, &err) != FG_OK)
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    if (ctx->json) {
        json_t *j = json_pack("{s:s, s:I, s:{s:I, s:s}}", "offering_id", in.offering_id,
                              "quantity", (json_int_t)in.quantity, "quote", "amount_pence",
                              (json_int_t)quote.amount_pence, "currency", quote.currency);
        code = cli_print_json(j);
        json_decref(j);
        return code;
    }
    fg_money(money, sizeof money, quote.amount_pence, quote.currency);
    printf("%s\n", money);
    return 0;
}

static int request_list(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_ORG = CLI_OPT_FIRST_OWN, O_STATUS, O_OFFERING, O_FORMAT, O_EXCEL };
    static const struct option opts[] = {{"org", required_argument, NULL, O_ORG},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"offering", required_argument, NULL, O_OFFERING},
                                         {"format", required_argument, NULL, O_FORMAT},
                                         {"excel", no_argument, NULL, O_EXCEL},
                                         CLI_COMMON_OPTIONS};
    cat_request_filter f = {0};
    const char *format = "text";
    bool excel = false;
    json_t *list, *r;
    fg_error err;
    size_t i;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, request_usage, &code)) >= 0) {
        if (c == O_ORG)
            f.org = optarg;
        else if (c == O_STATUS)
            f.status = optarg;
        else if (c == O_OFFERING)
            f.offering_id = optarg;
        else if (c == O_FORMAT)
            format = optarg;
        else if (c == O_EXCEL)
            excel = true;
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind != argc)
        return cli_usage_error(argv[0], "takes no arguments");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "csv") != 0)
        return cli_usage_error(argv[0], "--format must be text, json or csv, not '%.40s'",
                               format);
    if (excel && strcmp(format, "csv") != 0)
        return cli_usage_error(argv[0], "--excel goes with --format csv");
    if (strcmp(format, "json") == 0)
        ctx->json = true;
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_request_list(ctx->cat, &f, &list, &err) != FG_OK)
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    if (strcmp(format, "csv") == 0) {
        if (cat_csv_requests(stdout, list, excel, &err) != FG_OK)
            code = cli_fail(&err);
    } else if (ctx->json) {
        code = cli_print_json(list);
    } else {
        json_array_foreach(list, i, r) {
            json_t *quote = json_object_get(r, "quote");
            char money[64];
            fg_money(money, sizeof money,
                      json_integer_value(json_object_get(quote, "amount_pence")),
                      json_string_value(json_object_get(quote, "currency")));
            printf("%s  %-9s  %s  %s -> %s  x%lld  %s\n",
                   json_string_value(json_object_get(r, "id")),
                   json_string_value(json_object_get(r, "status")),
                   json_string_value(json_object_get(r, "offering_id")),
                   json_string_value(json_object_get(json_object_get(r, "requester"), "ods")),
                   json_string_value(json_object_get(json_object_get(r, "provider"), "ods")),
                   (long long)json_integer_value(json_object_get(r, "quantity")), money);
        }
        if (json_array_size(list) == 0)
            fprintf(stderr, "fgcat: no requests match\n");
    }
    json_decref(list);
    return code;
}

/* Where a request stands with the hubs this node syncs with (nothing on
   a node without remotes). */
static int print_delivery(cli_ctx *ctx, const char *id)
{
    json_t *d, *t;
    fg_error err;
    size_t i;
    if (sync_request_delivery(ctx->cat, id, &d, &err) != FG_OK)
        return cli_fail(&err);
    if (json_integer_value(json_object_get(d, "remotes")) > 0 &&
        json_array_size(json_object_get(d, "to")) == 0)
        printf("  delivery:  not delivered: no hub this node syncs with carries %s\n",
               json_string_value(json_object_get(d, "offering_id")));
    json_array_foreach(json_object_get(d, "to"), i, t) {
        const char *state = json_string_value(json_object_get(t, "state"));
        const char *remote = json_string_value(json_object_get(t, "remote"));
        printf("  %s ", i == 0 ? "delivery:" : "         ");
        if (strcmp(state, "delivered") == 0)
            printf(" delivered to %s\n", remote);
        else if (strcmp(state, "refused") == 0)
            printf(" refused by %s: %s: %s\n", remote,
                   json_string_value(json_object_get(t, "status")),
                   json_string_value(json_object_get(t, "reason")));
        else
            printf(" waiting for the next sync with %s\n", remote);
    }
    json_decref(d);
    return 0;
}

static int request_show(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    json_t *r;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, request_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one request id");
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_request_get(ctx->cat, argv[optind], &r, &err) != FG_OK)
        return cli_fail(&err);
    code = output(ctx, r);
    json_decref(r);
    if (code == 0 && !ctx->json)
        code = print_delivery(ctx, argv[optind]);
    return code;
}

static int request_move(cli_ctx *ctx, cat_action action, int argc, char **argv)
{
    enum { O_ORG = CLI_OPT_FIRST_OWN, O_REASON, O_BY };
    static const struct option opts[] = {{"org", required_argument, NULL, O_ORG},
                                         {"reason", required_argument, NULL, O_REASON},
                                         {"by", required_argument, NULL, O_BY},
                                         CLI_COMMON_OPTIONS};
    const char *org = NULL, *reason = NULL, *by = NULL;
    json_t *r;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, request_usage, &code)) >= 0) {
        if (c == O_ORG)
            org = optarg;
        else if (c == O_REASON)
            reason = optarg;
        else if (c == O_BY)
            by = optarg;
    }
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (argc - optind != 1)
        return cli_usage_error(argv[0], "expected one request id");
    if (!org)
        return cli_usage_error(argv[0], "--org is required: the organisation acting");
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_request_transition(ctx->cat, argv[optind], action, org, by, reason, &r, &err) !=
            FG_OK)
        return err.status == FG_EINVAL ? cli_usage_error(argv[0], "%s", err.msg)
                                       : cli_fail(&err);
    code = output(ctx, r);
    json_decref(r);
    return code;
}

int cmd_request(cli_ctx *ctx, int argc, char **argv)
{
    char name[64];
    const char *sub;
    cat_action action;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(request_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    sub = argv[1];
    snprintf(name, sizeof name, "request %s", sub);
    /* The subcommand parses argv[1..] with "request SUB" as its name. */
    argv[1] = name;
    if (strcmp(sub, "create") == 0)
        return request_create(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "quote") == 0)
        return request_quote(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return request_list(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return request_show(ctx, argc - 1, argv + 1);
    if (cat_action_parse(sub, &action))
        return request_move(ctx, action, argc - 1, argv + 1);
    return cli_usage_error("request", "'%s' is not a request command", sub);
}
