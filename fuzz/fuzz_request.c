/*
 * Request decoding and validation (a request record as sync and push carry
 * it): arbitrary JSON through cat_request_check.  A record it accepts is
 * stored as a pull stores it (cat_request_store_locked, rolled back after)
 * and read back: a new request must pass the check again and carry the
 * same fields, or sync would change requests on the way; an update of the
 * fixture's request must carry the record's status, rev and history.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The string j[key] (or j[key][sub]), or "" when absent or null; as a C
   string, since that is how the store binds strings. */
static const char *str_at(const json_t *j, const char *key, const char *sub)
{
    const json_t *v = json_object_get(j, key);
    if (sub)
        v = json_object_get(v, sub);
    return json_string_value(v) ? json_string_value(v) : "";
}

static void same(const json_t *in, const json_t *back, const char *key, const char *sub)
{
    if (strcmp(str_at(in, key, sub), str_at(back, key, sub)) != 0)
        fz_fail("request field %s%s%s changed on the way through the store: \"%s\" -> \"%s\"",
                key, sub ? "." : "", sub ? sub : "", str_at(in, key, sub),
                str_at(back, key, sub));
}

static void round_trip(const json_t *r)
{
    static const char *const fields[] = {"id", "offering_id", "start", "note",
                                         "created_at"};
    const json_t *h_in = json_object_get(r, "history"), *e;
    json_t *back = NULL, *h_back;
    cat_catalog *cat = fz_fixture(NULL);
    fg_error err;
    size_t i;
    bool existed;

    if (cat_begin(cat, &err) != FG_OK)
        fz_fail("begin: %s", err.msg);
    /* An input with the fixture request's id updates it, as a pull does:
       only status, rev, updated_at and history move; the rest is fixed
       when a request is made. */
    existed = cat_request_get(cat, str_at(r, "id", NULL), &back, NULL) == FG_OK;
    json_decref(back);
    back = NULL;
    if (cat_request_store_locked(cat, r, 0, &err) != FG_OK)
        fz_fail("a checked request cannot be stored: %s", err.msg);
    if (cat_request_get(cat, str_at(r, "id", NULL), &back, &err) != FG_OK)
        fz_fail("a stored request cannot be read: %s", err.msg);
    cat_rollback(cat);
    /* A new request must come back whole.  (An update keeps the local
       requester, provider and offering whatever the record says; see
       docs/fuzzing.md.) */
    if (!existed && cat_request_check(back, &err) != FG_OK)
        fz_fail("a stored request fails the check: %s", err.msg);
    same(r, back, "status", NULL);
    same(r, back, "updated_at", NULL);
    if (json_integer_value(json_object_get(r, "rev")) !=
        json_integer_value(json_object_get(back, "rev")))
        fz_fail("a request's rev changed on the way through the store");
    if (!existed) {
        for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
            same(r, back, fields[i], NULL);
        same(r, back, "requester", "ods");
        same(r, back, "requester", "contact");
        same(r, back, "provider", "ods");
        same(r, back, "quote", "currency");
        if (json_integer_value(json_object_get(r, "quantity")) !=
                json_integer_value(json_object_get(back, "quantity")) ||
            json_integer_value(json_object_get(json_object_get(r, "quote"), "amount_pence")) !=
                json_integer_value(
                    json_object_get(json_object_get(back, "quote"), "amount_pence")))
            fz_fail("a request's numbers changed on the way through the store");
    }
    h_back = json_object_get(back, "history");
    if (json_array_size(h_back) != json_array_size(h_in))
        fz_fail("a request's history changed length on the way through the store");
    json_array_foreach(h_in, i, e) {
        const json_t *b = json_array_get(h_back, i);
        same(e, b, "status", NULL);
        same(e, b, "at", NULL);
        same(e, b, "by", NULL);
        same(e, b, "reason", NULL);
    }
    json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *r = fz_json(data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL);
    fg_error err;
    if (!r)
        return 0;
    if (cat_request_check(r, &err) == FG_OK)
        round_trip(r);
    else
        fz_check_message(&err);
    json_decref(r);
    return 0;
}
