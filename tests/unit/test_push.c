/*
 * Unit tests of the hub's side of push (catalog/push.c), on a real hub
 * catalogue with the built-in plugins: one result per item, in order, each
 * item applied (or not) on its own; offerings written only by their
 * provider, higher rev wins, equal rev with equal content is unchanged;
 * tombstones; requests pushed by their requester's node, moves by the
 * party that made them; malformed batches; idempotency keys.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NURSING "RTF/integrated-care-community-nursing"

typedef tu_fixture fixture;

/* Pushes `items` (taken) as `org`; returns the answer's results array (new). */
static json_t *push(fixture *f, const char *org, json_t *items)
{
    json_t *body = json_pack("{s:o}", "items", items), *results = NULL;
    fg_error err;
    json_t *list;
    if (cat_push_apply(f->cat, f->rt, org, body, &results, &err) != FG_OK)
        fail_msg("cat_push_apply: %s", err.msg);
    json_decref(body);
    list = json_incref(json_object_get(results, "results"));
    json_decref(results);
    assert_true(json_is_array(list));
    return list;
}

/* The spec example offering with `rev` and `title` changed. New. */
static json_t *offering(int64_t rev, const char *title)
{
    json_t *o = tu_spec_example();
    json_object_set_new(o, "rev", json_integer(rev));
    json_object_set_new(o, "title", json_string(title));
    return o;
}

static json_t *offering_item(json_t *record)
{
    return json_pack("{s:s, s:o}", "kind", "offering", "record", record);
}

typedef struct {
    const char *what;
    const char *org;    /* the pushing token's organisation */
    json_t *(*item)(void);
    const char *status; /* expected */
    int64_t rev;        /* the hub's rev after the item */
} push_case;

static json_t *item_v3(void) { return offering_item(offering(3, "Integrated care")); }
static json_t *item_v3_other(void) { return offering_item(offering(3, "Other title")); }
static json_t *item_v2(void) { return offering_item(offering(2, "Older")); }
static json_t *item_v4(void) { return offering_item(offering(4, "Integrated care, v4")); }
static json_t *item_bad_delivery(void)
{
    json_t *o = offering(5, "By post");
    json_object_set_new(o, "delivery", json_string("by-post"));
    return offering_item(o);
}
static json_t *item_bad_attributes(void)
{
    json_t *o = offering(5, "Bad cohort");
    json_object_set_new(json_object_get(o, "attributes"), "cohort_min", json_string("eight"));
    return offering_item(o);
}
static json_t *item_other_provider(void)
{
    json_t *o = tu_spec_example();
    json_object_set_new(o, "id", json_string("RYJ/nurse-course"));
    json_object_set_new(json_object_get(o, "provider"), "ods", json_string("RYJ"));
    return offering_item(o);
}
static json_t *item_tombstone(void)
{
    return json_pack("{s:s, s:s, s:b}", "kind", "offering", "id", NURSING, "deleted", 1);
}
static json_t *item_unknown_kind(void)
{
    return json_pack("{s:s, s:s}", "kind", "invoice", "id", "x");
}
static json_t *item_no_record(void)
{
    return json_pack("{s:s}", "kind", "offering");
}

/* One batch after another on the same hub: each row's status follows from
   the rows before it. */
static const push_case offering_cases[] = {
    {"new offering", "RTF", item_v3, "ok", 3},
    {"the same again", "RTF", item_v3, "unchanged", 3},
    {"equal rev, other content", "RTF", item_v3_other, "conflict", 3},
    {"lower rev", "RTF", item_v2, "conflict", 3},
    {"another organisation's offering", "RYJ", item_v4, "forbidden", 3},
    {"higher rev", "RTF", item_v4, "ok", 4},
    {"malformed delivery", "RTF", item_bad_delivery, "invalid", 4},
    {"attributes the plugin refuses", "RTF", item_bad_attributes, "invalid", 4},
    {"its own org, other provider", "RTF", item_other_provider, "forbidden", 0},
    {"tombstone by another organisation", "RYJ", item_tombstone, "forbidden", 4},
    {"tombstone by the provider", "RTF", item_tombstone, "ok", 0},
    {"tombstone of what is gone", "RTF", item_tombstone, "unchanged", 0},
    {"unknown kind", "RTF", item_unknown_kind, "invalid", 0},
    {"no record", "RTF", item_no_record, "invalid", 0},
};

static void test_offering_items_one_by_one(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof offering_cases / sizeof *offering_cases; i++) {
        const push_case *c = &offering_cases[i];
        json_t *res = push(f, c->org, json_pack("[o]", c->item()));
        json_t *r = json_array_get(res, 0);
        const char *status = json_string_value(json_object_get(r, "status"));
        if (json_array_size(res) != 1 || !status || strcmp(status, c->status) != 0 ||
            json_integer_value(json_object_get(r, "rev")) != c->rev) {
            char *text = json_dumps(res, JSON_COMPACT);
            fail_msg("%s (as %s): expected %s rev %lld, got %s", c->what, c->org, c->status,
                     (long long)c->rev, text);
        }
        if (strcmp(c->status, "ok") != 0 && strcmp(c->status, "unchanged") != 0 &&
            !json_string_value(json_object_get(r, "reason")))
            fail_msg("%s: a refusal says why", c->what);
        json_decref(res);
    }
    /* The tombstone deleted it and left a feed record behind. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering WHERE id = '" NURSING "'"),
                     0);
}

/* One bad item does not sink the batch: results come in order, and the
   good items around the bad one are applied. */
static void test_batch_in_order(void **state)
{
    fixture *f = *state;
    json_t *res = push(f, "RTF", json_pack("[o, o, o, o]", item_v3(), item_bad_delivery(),
                                           item_other_provider(), item_v4()));
    static const char *const want[] = {"ok", "invalid", "forbidden", "ok"};
    assert_int_equal(json_array_size(res), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(res, i), "status")),
                            want[i]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "id")), NURSING);
    json_decref(res);
    assert_int_equal(tu_sql_int(f->cat, "SELECT rev FROM offering WHERE id = '" NURSING "'"), 4);
}

static void test_malformed_batches(void **state)
{
    fixture *f = *state;
    static const char *const bodies[] = {"[]", "{}", "{\"items\": {}}", "{\"items\": 3}"};
    json_t *results = NULL, *big;
    fg_error err;
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        json_t *body = tu_json(bodies[i]);
        assert_int_equal(cat_push_apply(f->cat, f->rt, "RTF", body, &results, &err), FG_EINVAL);
        json_decref(body);
    }
    big = json_array();
    for (int i = 0; i < 1001; i++)
        json_array_append_new(big, item_unknown_kind());
    big = json_pack("{s:o}", "items", big);
    assert_int_equal(cat_push_apply(f->cat, f->rt, "RTF", big, &results, &err), FG_EINVAL);
    tu_assert_contains(err.msg, "1000");
    json_decref(big);
}

/* Pushes request `record` (borrowed) alone as `org` and checks its result:
   `status`, and the hub's rev after it unless `rev` is negative. */
static void push_request(fixture *f, const char *org, json_t *record, const char *status,
                         int64_t rev)
{
    json_t *res = push(f, org, json_pack("[{s:s, s:O}]", "kind", "request", "record", record));
    json_t *r = json_array_get(res, 0);
    const char *got = json_string_value(json_object_get(r, "status"));
    if (!got || strcmp(got, status) != 0 ||
        (rev >= 0 && json_integer_value(json_object_get(r, "rev")) != rev)) {
        char *text = json_dumps(res, JSON_COMPACT);
        fail_msg("request pushed by %s: expected %s rev %lld, got %s", org, status,
                 (long long)rev, text);
    }
    json_decref(res);
}

/* A request made on a member trust's node (a second real catalogue), its
   record pushed to the hub by the requester, its moves by whoever made
   them. */
static void test_request_items(void **state)
{
    fixture *hub = *state;
    char dir[4096];
    cat_catalog *node;
    cat_refresh_report rep;
    cat_request_in in = {.offering_id = NURSING, .requester_ods = "RXX", .quantity = 12};
    json_t *req = NULL, *moved = NULL;
    fg_error err;
    const char *id;

    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    node = tu_open_catalog(dir, "node.db");
    assert_int_equal(cat_seed(node, hub->rt, &rep, &err), FG_OK);
    assert_int_equal(cat_seed(hub->cat, hub->rt, &rep, &err), FG_OK);
    in.start = tu_date_in(120);
    if (cat_request_create(node, hub->rt, &in, &req, &err) != FG_OK)
        fail_msg("cat_request_create: %s", err.msg);
    id = json_string_value(json_object_get(req, "id"));

    /* Only the requester's node may push a new request. */
    push_request(hub, "RTF", req, "forbidden", -1);
    push_request(hub, "RXX", req, "ok", 1);
    push_request(hub, "RXX", req, "unchanged", -1);

    /* The provider accepts on the node; the requester cannot push that
       move, the provider can. */
    if (cat_request_transition(node, id, CAT_ACCEPT, "RTF", NULL, NULL, &moved, &err) != FG_OK)
        fail_msg("accept: %s", err.msg);
    push_request(hub, "RXX", moved, "conflict", 1);
    push_request(hub, "RTF", moved, "ok", 2);
    json_decref(moved);

    /* A move's time is the hub's, not content: another one is unchanged. */
    json_object_set_new(json_array_get(json_object_get(req, "history"), 0), "at",
                        json_string("2020-01-01T00:00:00Z"));
    push_request(hub, "RXX", req, "unchanged", -1);
    /* A history that is not the hub's: conflict, nothing applied. */
    json_object_set_new(json_array_get(json_object_get(req, "history"), 0), "reason",
                        json_string("another reason"));
    push_request(hub, "RXX", req, "conflict", -1);
    assert_int_equal(tu_sql_int(hub->cat, "SELECT count(*) FROM request WHERE status = 'accepted'"),
                     1);
    json_decref(req);
    cat_close(node);
    tu_rmtree(dir);
}

static void test_idempotency(void **state)
{
    fixture *f = *state;
    json_t *answer = tu_json("{\"results\": [{\"kind\": \"offering\", \"id\": \"RTF/x\","
                             " \"status\": \"ok\", \"rev\": 1}]}");
    json_t *got = NULL;
    fg_error err;
    assert_int_equal(cat_idempotent_get(f->cat, "RTF", "key-1", &got, &err), FG_OK);
    assert_null(got);
    assert_int_equal(cat_idempotent_put(f->cat, "RTF", "key-1", answer, &err), FG_OK);
    assert_int_equal(cat_idempotent_get(f->cat, "RTF", "key-1", &got, &err), FG_OK);
    assert_non_null(got);
    assert_true(json_equal(got, answer));
    json_decref(got);
    got = NULL;
    /* Keys are per organisation. */
    assert_int_equal(cat_idempotent_get(f->cat, "RYJ", "key-1", &got, &err), FG_OK);
    assert_null(got);
    /* A fresh answer survives a purge (answers are kept a day). */
    assert_int_equal(cat_idempotent_purge(f->cat, &err), FG_OK);
    assert_int_equal(cat_idempotent_get(f->cat, "RTF", "key-1", &got, &err), FG_OK);
    assert_non_null(got);
    json_decref(got);
    json_decref(answer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_offering_items_one_by_one, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_batch_in_order, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_batches, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_request_items, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_idempotency, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
