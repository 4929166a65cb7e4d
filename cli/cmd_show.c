/*
 * fgcat show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const char show_usage[] =
    "usage: fgcat show ID [--json]\n"
    "\n"
    "Shows one offering in full (withdrawn ones too).  ID is <ODS>/<slug>,\n"
    "e.g. RTF/integrated-care-community-nursing.  Attributes are shown one a\n"
    "line with the label and unit their area's plugin gives them, e.g.\n"
    "\"Minimum cohort size (cohort_min): 8 delegates\".\n"
    "  --json  print the offering object (docs/offering-format.md)\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

/* Joins a JSON array of strings with ", " into buf. */
static void join_list(char *buf, size_t size, const json_t *arr)
{
    size_t i;
    json_t *s;
    buf[0] = '\0';
    json_array_foreach(arr, i, s) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", i ? ", " : "", json_string_value(s));
    }
}

/*
 * Prints an offering's attributes one a line, with the label and unit the
 * area's loaded plugin gives each (ABI 1.1), else the bare key.
 */
static void print_attributes(cli_ctx *ctx, const json_t *o)
{
    const char *area = json_string_value(json_object_get(o, "area"));
    json_t *attrs = json_object_get(o, "attributes");
    rt_runtime *rt = json_object_size(attrs) ? cli_runtime(ctx) : NULL;
    const char *key;
    json_t *v;

    if (!json_object_size(attrs)) {
        printf("attributes: none\n");
        return;
    }
    printf("attributes:\n");
    json_object_foreach(attrs, key, v) {
        const char *label = NULL, *unit = NULL, *description = NULL;
        char *text = NULL;
        bool labelled = rt && rt_attr_label(rt, area, key, &label, &unit, &description);

        if (labelled)
            printf("  %s (%s): ", label, key);
        else
            printf("  %s: ", key);
        if (json_is_string(v)) {
            printf("%s", json_string_value(v));
        } else if (json_is_boolean(v)) {
            printf("%s", json_is_true(v) ? "yes" : "no");
        } else {
            text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%s", text ? text : "?");
            if (json_is_integer(v) && unit)
                printf(" %s", unit);
        }
        printf("\n");
        free(text);
    }
}

int cmd_show(cli_ctx *ctx, int argc, char **argv)
{
    json_t *o = NULL;
    fg_error err;
    int code = 0;

    if (!cli_common_args(ctx, argc, argv, show_usage, "offering ID", &code))
        return code;
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_offering_get(ctx->cat, argv[optind], &o, &err) != FG_OK)
        return cli_fail(&err);
    if (ctx->json) {
        code = cli_print_json(o);
    } else {
        json_t *price = json_object_get(o, "price");
        json_t *provider = json_object_get(o, "provider");
        json_t *dur = json_object_get(o, "duration_days");
        json_t *cap = json_object_get(o, "capacity");
        char money[64], list[2048];
        fg_money(money, sizeof money,
                  json_integer_value(json_object_get(price, "amount_pence")),
                  json_string_value(json_object_get(price, "currency")));
        printf("%s\n%s\n\n", json_string_value(json_object_get(o, "id")),
               json_string_value(json_object_get(o, "title")));
        printf("%s\n\n", json_string_value(json_object_get(o, "summary")));
        if (*json_string_value(json_object_get(o, "description")))
            printf("%s\n\n", json_string_value(json_object_get(o, "description")));
        printf("area:      %s\n", json_string_value(json_object_get(o, "area")));
        printf("provider:  %s (%s)\n", json_string_value(json_object_get(provider, "name")),
               json_string_value(json_object_get(provider, "ods")));
        printf("delivery:  %s\n", json_string_value(json_object_get(o, "delivery")));
        if (json_is_integer(dur))
            printf("duration:  %lld days\n", (long long)json_integer_value(dur));
        if (json_is_integer(cap))
            printf("capacity:  %lld at a time\n", (long long)json_integer_value(cap));
        else
            printf("capacity:  unlimited\n");
        printf("price:     %s %s\n", money,
               json_string_value(json_object_get(price, "unit")));
        join_list(list, sizeof list, json_object_get(o, "regions"));
        printf("regions:   %s\n", list);
        join_list(list, sizeof list, json_object_get(o, "tags"));
        printf("tags:      %s\n", list);
        printf("contact:   %s\n", json_string_value(json_object_get(o, "contact")));
        print_attributes(ctx, o);
        printf("status:    %s", json_string_value(json_object_get(o, "status")));
        if (json_object_get(o, "withdrawn_at"))
            printf(" since %s", json_string_value(json_object_get(o, "withdrawn_at")));
        printf("\nrev:       %lld, updated %s\n",
               (long long)json_integer_value(json_object_get(o, "rev")),
               json_string_value(json_object_get(o, "updated_at")));
    }
    json_decref(o);
    return code;
}
