/*
 * fgcat notify: the queue of notification e-mails (docs/notifications.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const char notify_usage[] =
    "usage: fgcat notify status [--json]\n"
    "       fgcat notify retry\n"
    "\n"
    "Requests' moves queue e-mails to the people of this catalogue ('fgcat user\n"
    "add'): on a new request, the provider's approvers and admins; when it is\n"
    "accepted, declined or completed, the person who submitted it; when it is\n"
    "cancelled, both.  'fgcat serve --smtp URL' sends them and retries failures\n"
    "with backoff (1m doubling to 1h by default), giving a message up after\n"
    "3 days; nothing is ever dropped silently.\n"
    "\n"
    "  status   counts of queued, failing, sent and given-up messages, then each\n"
    "           failing or given-up message with its recipient, attempts, next\n"
    "           try and last error; warns when hub-url is not set (messages\n"
    "           then carry no link).  With --json: {\"queued\", \"failing\",\n"
    "           \"sent\", \"given_up\", \"hub_url\", \"problems\": [{\"id\",\n"
    "           \"request\", \"event\", \"recipient\", \"attempts\", \"next_at\",\n"
    "           \"last_error\", \"created_at\", \"state\"}]}\n"
    "  retry    makes every failing or given-up message due now (the running\n"
    "           hub sends them within seconds)\n"
    "  --db PATH, --plugin-path DIRS, --json, --help\n";

static int show_status(cli_ctx *ctx)
{
    json_t *s = NULL, *p;
    fg_error err;
    size_t i;
    int code;

    if (cat_notify_status(ctx->cat, &s, &err) != FG_OK)
        return cli_fail(&err);
    if (ctx->json) {
        code = cli_print_json(s);
        json_decref(s);
        return code;
    }
    printf("queued %lld, failing %lld, sent %lld, given up %lld\n",
           (long long)json_integer_value(json_object_get(s, "queued")),
           (long long)json_integer_value(json_object_get(s, "failing")),
           (long long)json_integer_value(json_object_get(s, "sent")),
           (long long)json_integer_value(json_object_get(s, "given_up")));
    if (json_is_null(json_object_get(s, "hub_url")))
        printf("warning: hub-url is not set (fgcat config set hub-url URL): messages "
               "carry no link to the request\n");
    json_array_foreach(json_object_get(s, "problems"), i, p) {
        const char *why = json_string_value(json_object_get(p, "last_error"));
        const char *state = json_string_value(json_object_get(p, "state"));
        bool failing = strcmp(state, "failing") == 0;
        printf("%lld %s: %s to %s (request %s), %lld attempts, %s %s: %s\n",
               (long long)json_integer_value(json_object_get(p, "id")), state,
               json_string_value(json_object_get(p, "event")),
               json_string_value(json_object_get(p, "recipient")),
               json_string_value(json_object_get(p, "request")),
               (long long)json_integer_value(json_object_get(p, "attempts")),
               failing ? "next try" : "queued",
               json_string_value(json_object_get(p, failing ? "next_at" : "created_at")),
               why ? why : "(no error recorded)");
    }
    json_decref(s);
    return 0;
}

int cmd_notify(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    char now[FG_TIMESTAMP_SIZE];
    fg_error err;
    int code = 0, c, n;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, notify_usage, &code)) >= 0)
        ;
    if (c == CLI_GETOPT_EXIT)
        return code;
    if (optind + 1 != argc || (strcmp(argv[optind], "status") != 0 &&
                               strcmp(argv[optind], "retry") != 0))
        return cli_usage_error(argv[0], "expected 'status' or 'retry'");
    if (cli_catalog(ctx, &err) != FG_OK)
        return cli_fail(&err);
    if (strcmp(argv[optind], "status") == 0)
        return show_status(ctx);
    fg_now_iso(now);
    if (cat_notify_retry(ctx->cat, now, &n, &err) != FG_OK)
        return cli_fail(&err);
    fprintf(stderr, "fgcat: %d message%s due again now\n", n, n == 1 ? "" : "s");
    return 0;
}
