/*
 * fgcat areas: the service areas of the loaded plugins, with their
 * offering counts and labels.
 */
#include <stdio.h>

#include "cli.h"

static const char areas_usage[] =
    "usage: fgcat areas [--json]\n"
    "\n"
    "Lists the service areas of the loaded plugins, with how many active and\n"
    "withdrawn offerings each has in the catalogue, and the area's label as\n"
    "its plugin gives it (the area's name when it gives none).\n"
    "  --json  print an array of {\"id\", \"plugin\", \"active\", \"withdrawn\",\n"
    "          \"label\"}, with \"description\" when the plugin gives one\n"
    "  --db PATH, --plugin-path DIRS, --help\n";

int cmd_areas(cli_ctx *ctx, int argc, char **argv)
{
    json_t *counts = NULL, *out;
    fg_error err;
    rt_runtime *rt;
    int code = 0;

    if (!cli_common_args(ctx, argc, argv, areas_usage, NULL, &code))
        return code;
    rt = cli_runtime(ctx);
    /* Only the plugins whose init succeeds provide their areas. */
    rt_start_all(rt);
    if (cli_catalog(ctx, &err) != FG_OK ||
        cat_area_counts(ctx->cat, &counts, &err) != FG_OK)
        return cli_fail(&err);
    out = json_array();
    for (size_t i = 0; i < rt_plugin_count(rt); i++) {
        rt_plugin *p = rt_plugin_at(rt, i);
        if (p->state != RT_LOADED)
            continue;
        for (char **a = p->areas; *a; a++) {
            json_t *n = json_object_get(counts, *a);
            const char *label = *a, *description = NULL;
            json_t *row;
            rt_area_label(rt, *a, &label, &description);
            row = json_pack("{s:s, s:s, s:I, s:I, s:s}", "id", *a, "plugin", p->name,
                            "active",
                            (json_int_t)json_integer_value(json_object_get(n, "active")),
                            "withdrawn",
                            (json_int_t)json_integer_value(json_object_get(n, "withdrawn")),
                            "label", label);
            if (description)
                json_object_set_new(row, "description", json_string(description));
            json_array_append_new(out, row);
        }
    }
    if (ctx->json) {
        code = cli_print_json(out);
    } else {
        size_t i;
        json_t *a;
        printf("%-28s %-28s %7s %9s  %s\n", "AREA", "PLUGIN", "ACTIVE", "WITHDRAWN",
               "LABEL");
        json_array_foreach(out, i, a) {
            printf("%-28s %-28s %7lld %9lld  %s\n",
                   json_string_value(json_object_get(a, "id")),
                   json_string_value(json_object_get(a, "plugin")),
                   (long long)json_integer_value(json_object_get(a, "active")),
                   (long long)json_integer_value(json_object_get(a, "withdrawn")),
                   json_string_value(json_object_get(a, "label")));
        }
    }
    json_decref(out);
    json_decref(counts);
    return code;
}
