/*
 * fgcat search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const char search_usage[] =
    "usage: fgcat search [TEXT...] [options]\n"
    "\n"
    "Ranked full-text search of active offerings (best match first).  Words are\n"
    "all required; a trailing * searches by prefix (nurs*).  Quotes and other\n"
    "punctuation are taken literally, never as query syntax.  With no TEXT,\n"
    "lists offerings by title.\n"
    "\n"
    "Options:\n"
    "  --area AREA          only this service area (one the catalogue has:\n"
    "                       `fgcat areas` lists them)\n"
    "  --provider ODS       only this provider organisation (e.g. RTF)\n"
    "  --delivery D         on-site, remote or blended\n"
    "  --region R           only offerings available in region R\n"
    "  --max-price POUNDS   unit price at most this (e.g. 1500 or 1500.50)\n"
    "  --tag T              only offerings with tag T\n"
    "  --limit N            at most N results (default 20, at most 1000)\n"
    "  --offset N           skip the first N results; when a page is full, a\n"
    "                       line on stderr says how many more match\n"
    "  --sort S             relevance (best match first; by title with no\n"
    "                       TEXT), price (unit price, lowest first) or title\n"
    "  --facets             also count matches per area, provider, delivery, tag\n"
    "  --include-withdrawn  include withdrawn offerings\n"
    "  --json               print a JSON array of offerings (with --facets:\n"
    "                       {\"results\": [...], \"facets\": {...}})\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

/*
 * An unknown --area is a usage error naming the areas the catalogue has;
 * returns 0 when `area` is one of them.
 */
static int check_area(cli_ctx *ctx, const char *cmd, const char *area)
{
    json_t *areas = NULL, *counts;
    const char *name;
    char list[1024] = "";
    size_t used = 0;
    fg_error err;
    if (cat_area_counts(ctx->cat, &areas, &err) != FG_OK)
        return cli_fail(&err);
    if (json_object_get(areas, area)) {
        json_decref(areas);
        return 0;
    }
    json_object_foreach(areas, name, counts) {
        int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= sizeof list - used)
            break;
        used += (size_t)n;
    }
    json_decref(areas);
    return cli_usage_error(cmd, "no service area '%.60s'; the areas are: %s", area,
                           used ? list : "none (the catalogue is empty)");
}

/* After a full page: how many more offerings match, on stderr. */
static void print_more(cli_ctx *ctx, const cat_query *q)
{
    cat_query count = *q;
    json_t *results = NULL, *facets = NULL, *n;
    json_int_t total = 0;
    const char *area;
    fg_error err;
    count.limit = 1;
    count.offset = 0;
    count.facets = true;
    if (cat_search(ctx->cat, &count, &results, &facets, &err) != FG_OK) {
        json_decref(results);
        return;
    }
    /* Each offering has one area: the area counts add up to the matches. */
    json_object_foreach(json_object_get(facets, "area"), area, n) total += json_integer_value(n);
    if (total > q->offset + q->limit)
        fprintf(stderr, "fgcat: %lld more match; --offset %lld shows the next page\n",
                (long long)(total - q->offset - q->limit), (long long)(q->offset + q->limit));
    json_decref(results);
    json_decref(facets);
}

/* Prints one offering as two lines of a result list. */
static void print_brief(const json_t *o)
{
    json_t *price = json_object_get(o, "price");
    char money[64];
    const char *status = json_string_value(json_object_get(o, "status"));
    fg_money(money, sizeof money, json_integer_value(json_object_get(price, "amount_pence")),
              json_string_value(json_object_get(price, "currency")));
    printf("%s  %s%s\n", json_string_value(json_object_get(o, "id")),
           json_string_value(json_object_get(o, "title")),
           status && strcmp(status, "withdrawn") == 0 ? "  [withdrawn]" : "");
    printf("    %s · %s · %s · %s %s\n", json_string_value(json_object_get(o, "area")),
           json_string_value(json_object_get(json_object_get(o, "provider"), "name")),
           json_string_value(json_object_get(o, "delivery")), money,
           json_string_value(json_object_get(price, "unit")));
}

static void print_facets(const json_t *facets)
{
    const char *group;
    json_t *counts;
    json_object_foreach((json_t *)facets, group, counts) {
        const char *value;
        json_t *n;
        bool first = true;
        printf("%s:", group);
        json_object_foreach(counts, value, n) {
            printf("%s %s (%lld)", first ? "" : ",", value, (long long)json_integer_value(n));
            first = false;
        }
        printf("%s\n", first ? " none" : "");
    }
}

int cmd_search(cli_ctx *ctx, int argc, char **argv)
{
    enum {
        O_AREA = CLI_OPT_FIRST_OWN,
        O_PROVIDER,
        O_DELIVERY,
        O_REGION,
        O_MAX_PRICE,
        O_TAG,
        O_LIMIT,
        O_OFFSET,
        O_FACETS,
        O_WITHDRAWN,
        O_SORT
    };
    static const struct option opts[] = {
        {"area", required_argument, NULL, O_AREA},
        {"provider", required_argument, NULL, O_PROVIDER},
        {"delivery", required_argument, NULL, O_DELIVERY},
        {"region", required_argument, NULL, O_REGION},
        {"max-price", required_argument, NULL, O_MAX_PRICE},
        {"tag", required_argument, NULL, O_TAG},
        {"limit", required_argument, NULL, O_LIMIT},
        {"offset", required_argument, NULL, O_OFFSET},
        {"facets", no_argument, NULL, O_FACETS},
        {"include-withdrawn", no_argument, NULL, O_WITHDRAWN},
        {"sort", required_argument, NULL, O_SORT},
        CLI_COMMON_OPTIONS};
    cat_query q = {.max_price_pence = -1, .limit = 20};
    char *text = NULL;
    json_t *results = NULL, *facets = NULL;
    fg_error err;
    int code = 0, c;

    while ((c = cli_getopt(ctx, argc, argv, "", opts, search_usage, &code)) >= 0) {
        switch (c) {
        case O_AREA:
            q.area = optarg;
            break;
        case O_PROVIDER:
            q.provider = optarg;
            break;
        case O_DELIVERY:
            if (strcmp(optarg, "on-site") != 0 && strcmp(optarg, "remote") != 0 &&
                strcmp(optarg, "blended") != 0)
                return cli_usage_error(argv[0], "--delivery must be on-site, remote or "
                                                "blended, not '%.40s'",
                                       optarg);
            q.delivery = optarg;
            break;
        case O_REGION:
            q.region = optarg;
            break;
        case O_MAX_PRICE:
            if (!fg_parse_pounds(optarg, &q.max_price_pence))
                return cli_usage_error(argv[0], "--max-price takes pounds like 1500 or "
                                                "1500.50, not '%.40s'",
                                       optarg);
            break;
        case O_TAG:
            q.tag = optarg;
            break;
        case O_LIMIT:
            if (!fg_parse_int(optarg, 1, 1000, &q.limit))
                return cli_usage_error(argv[0], "--limit must be a whole number from 1 "
                                                "to 1000, not '%.40s'",
                                       optarg);
            break;
        case O_OFFSET:
            if (!fg_parse_int(optarg, 0, 1000000000, &q.offset))
                return cli_usage_error(argv[0], "--offset must be a whole number from 0, "
                                                "not '%.40s'",
                                       optarg);
            break;
        case O_FACETS:
            q.facets = true;
            break;
        case O_WITHDRAWN:
            q.include_withdrawn = true;
            break;
        case O_SORT:
            if (!cat_sort_parse(optarg, &q.sort))
                return cli_usage_error(argv[0], "--sort must be relevance, price or title, "
                                                "not '%.40s'",
                                       optarg);
            break;
        }
    }
    if (c == CLI_GETOPT_EXIT)
        return code;

    /* The remaining words are the search text. */
    if (optind < argc) {
        text = fg_join((const char *const *)(argv + optind), (size_t)(argc - optind));
        if (!fg_utf8_valid(text, strlen(text))) {
            free(text);
            return cli_usage_error(argv[0], "search text is not valid UTF-8");
        }
        q.text = text;
    }

    if (cli_catalog(ctx, &err) != FG_OK) {
        free(text);
        return cli_fail(&err);
    }
    if (q.area && (code = check_area(ctx, argv[0], q.area)) != 0) {
        free(text);
        return code;
    }
    if (cat_search(ctx->cat, &q, &results, q.facets ? &facets : NULL, &err) != FG_OK) {
        free(text);
        if (err.status == FG_EINVAL)
            return cli_usage_error(argv[0], "%s", err.msg);
        return cli_fail(&err);
    }
    if (ctx->json) {
        if (q.facets) {
            json_t *both = json_pack("{s:O, s:O}", "results", results, "facets", facets);
            code = cli_print_json(both);
            json_decref(both);
        } else {
            code = cli_print_json(results);
        }
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(results, i, o) print_brief(o);
        if (json_array_size(results) == 0)
            fprintf(stderr, "fgcat: no offerings match\n");
        else if (json_array_size(results) == (size_t)q.limit)
            print_more(ctx, &q);
        if (facets) {
            printf("\n");
            print_facets(facets);
        }
    }
    json_decref(results);
    json_decref(facets);
    free(text);
    return code;
}
