/*
 * The hub's push decoder: arbitrary bytes parsed as the hub parses a push
 * body (Jansson, duplicate keys refused) through cat_push_apply for
 * organisation FZ_ORG, on a seeded in-memory catalogue holding a request
 * FZ_ORG made, with the built-in plugins for validation and quotes.
 *
 * Checks, beyond the sanitizers: a well-formed batch gets exactly one
 * result per item, each with kind, id, status and rev; the catalogue fails
 * no push; the full-text index stays sound; messages are one line.  The
 * fixture is restored (fz_settle) after an input changed it.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static void check_results(const json_t *body, const json_t *answer)
{
    const json_t *results = json_object_get(answer, "results"), *r;
    size_t i;
    if (json_array_size(results) != json_array_size(json_object_get(body, "items")))
        fz_fail("push answered %zu results for %zu items", json_array_size(results),
                json_array_size(json_object_get(body, "items")));
    json_array_foreach(results, i, r) {
        const char *status = json_string_value(json_object_get(r, "status"));
        const char *reason = json_string_value(json_object_get(r, "reason"));
        if (!json_is_string(json_object_get(r, "kind")) ||
            !json_is_string(json_object_get(r, "id")) || !status ||
            !json_is_integer(json_object_get(r, "rev")))
            fz_fail("push result %zu lacks kind, id, status or rev", i);
        if (strcmp(status, "ok") != 0 && strcmp(status, "unchanged") != 0 &&
            strcmp(status, "invalid") != 0 && strcmp(status, "forbidden") != 0 &&
            strcmp(status, "conflict") != 0)
            fz_fail("push result %zu has status \"%s\"", i, status);
        if (reason) {
            fg_error e = {.status = FG_EINVAL};
            snprintf(e.msg, sizeof e.msg, "%s", reason);
            fz_check_message(&e);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fz_json(data, size, JSON_REJECT_DUPLICATES);
    json_t *answer = NULL;
    cat_catalog *cat;
    int64_t before;
    fg_error err;

    if (!body)
        return 0;
    cat = fz_fixture(NULL);
    before = fz_changes(cat);
    if (cat_push_apply(cat, fz_runtime(), FZ_ORG, body, &answer, &err) == FG_OK)
        check_results(body, answer);
    else if (err.status == FG_EINVAL)
        fz_check_message(&err);
    else
        fz_fail("push failed with %s: %s", fg_strerror(err.status), err.msg);
    json_decref(answer);
    json_decref(body);
    fz_settle(cat, before, "a push");
    return 0;
}
