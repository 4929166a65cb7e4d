/*
 * Requests through the library: creation with each built-in plugin's rules
 * and pricing, refusals passed through verbatim, the life cycle and who may
 * move it, capacity, withdrawn offerings, listing.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

typedef tu_fixture fixture;

/* Creates a request; returns its status and (when created) its quote. */
static fg_status create(fixture *f, const char *offering, const char *org, int64_t qty,
                        const char *start, const char *note, json_t **out, fg_error *err)
{
    cat_request_in in = {.offering_id = offering,
                         .requester_ods = org,
                         .quantity = qty,
                         .start = start,
                         .note = note};
    return cat_request_create(f->cat, f->rt, &in, out, err);
}

static json_int_t quote_of(json_t *r)
{
    return json_integer_value(json_object_get(json_object_get(r, "quote"), "amount_pence"));
}

static const char *id_of(json_t *r)
{
    return json_string_value(json_object_get(r, "id"));
}

static void test_create_stores_submitted_with_quote(void **state)
{
    fixture *f = *state;
    json_t *r = NULL, *again = NULL, *h;
    fg_error err;
    assert_int_equal(create(f, "RTF/integrated-care-community-nursing", "RXX", 12,
                            tu_date_in(100), "Two community teams", &r, &err),
                     FG_OK);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "submitted");
    assert_int_equal(quote_of(r), 12 * 185000);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "quote"), "currency")), "GBP");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "requester"), "ods")), "RXX");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "provider"), "ods")), "RTF");
    assert_string_equal(json_string_value(json_object_get(r, "note")), "Two community teams");
    h = json_object_get(r, "history");
    assert_int_equal(json_array_size(h), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "status")),
                        "submitted");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "by")),
                        "RXX");
    assert_int_equal(strlen(id_of(r)), 36);
    /* It was stored, not just returned. */
    assert_int_equal(cat_request_get(f->cat, id_of(r), &again, &err), FG_OK);
    assert_true(json_equal(r, again));
    json_decref(r);
    json_decref(again);
}

/* A quote prices a request with the plugin's rules and stores nothing. */
static void test_quote_stores_nothing(void **state)
{
    fixture *f = *state;
    cat_request_in in = {.offering_id = "RTF/integrated-care-community-nursing",
                         .requester_ods = "RXX",
                         .quantity = 12,
                         .start = tu_date_in(100)};
    cat_request_filter any = {0};
    cat_quote q;
    json_t *list = NULL;
    fg_error err;

    assert_int_equal(cat_request_quote(f->cat, f->rt, &in, &q, &err), FG_OK);
    assert_int_equal(q.amount_pence, 12 * 185000);
    assert_string_equal(q.currency, "GBP");
    /* The same checks as creating one: too soon is refused, by the plugin. */
    in.start = tu_date_in(1);
    assert_int_equal(cat_request_quote(f->cat, f->rt, &in, &q, &err), FG_EREFUSED);
    assert_non_null(strstr(err.msg, "integrated-care-training plugin"));
    in.offering_id = "RTF/no-such-offering";
    assert_int_equal(cat_request_quote(f->cat, f->rt, &in, &q, &err), FG_ENOTFOUND);
    assert_int_equal(cat_request_list(f->cat, &any, &list, &err), FG_OK);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

/* A plugin's refusal reaches the caller verbatim, as FG_EREFUSED. */
static void expect_refusal(fixture *f, const char *offering, int64_t qty, const char *start,
                           const char *note, const char *needle)
{
    json_t *r = NULL;
    fg_error err;
    fg_status st = create(f, offering, "RXX", qty, start, note, &r, &err);
    if (st != FG_EREFUSED || !strstr(err.msg, needle))
        fail_msg("%s x%lld: expected refusal containing \"%s\", got status %d: %s",
                 offering, (long long)qty, needle, st, err.msg);
    assert_null(r);
}

static void expect_quote(fixture *f, const char *offering, int64_t qty, const char *start,
                         const char *note, json_int_t pence)
{
    json_t *r = NULL;
    fg_error err;
    fg_status st = create(f, offering, "RXX", qty, start, note, &r, &err);
    if (st != FG_OK)
        fail_msg("%s x%lld: expected a quote, got status %d: %s", offering,
                 (long long)qty, st, err.msg);
    assert_int_equal(quote_of(r), pence);
    json_decref(r);
}

static void test_integrated_care_rules(void **state)
{
    fixture *f = *state;
    const char *o = "RTF/integrated-care-community-nursing";
    expect_quote(f, o, 8, tu_date_in(60), NULL, 8 * 185000);
    expect_quote(f, o, 20, tu_date_in(60), NULL, 20 * 185000 - 20 * 185000 / 10);
    expect_refusal(f, o, 4, tu_date_in(60), NULL, "below this programme's minimum of 8");
    expect_refusal(f, o, 30, tu_date_in(60), NULL, "above this programme's maximum of 24");
    expect_refusal(f, o, 12, tu_date_in(10), NULL, "42 days' notice");
    expect_refusal(f, "RTF/joined-up-health-and-social-care", 2, tu_date_in(90), NULL,
                   "quantity must be 1");
}

static void test_health_planning_rules(void **state)
{
    fixture *f = *state;
    const char *o = "RTF/medi-city-clinical-service-model";
    /* Beds beyond the first 500 at 75% of the per-bed rate. */
    expect_quote(f, o, 1000, tu_date_in(151), NULL, 500 * 180000 + 500 * 135000);
    expect_quote(f, o, 400, tu_date_in(151), NULL, 400 * 180000);
    expect_refusal(f, o, 1000, NULL, NULL, "a start date is required");
    expect_refusal(f, o, 1000, tu_date_in(60), NULL, "at least 90 days' notice");
    expect_refusal(f, o, 399, tu_date_in(151), NULL, "range of 400 to 1200 beds");
    expect_refusal(f, "RBV/cancer-centre-of-excellence-planning", 3, tu_date_in(151), NULL,
                   "quantity 1");
}

static void test_productivity_rules(void **state)
{
    fixture *f = *state;
    const char *o = "RTF/lean-management-system-coaching";
    expect_quote(f, o, 12, tu_date_in(60), NULL, 12 * 125000);
    expect_quote(f, o, 40, NULL, NULL, 40 * 125000);
    expect_refusal(f, o, 4, tu_date_in(60), NULL, "minimum of 5 days");
    expect_refusal(f, o, 12, tu_date_in(10), NULL, "28 days' notice");
    /* Fixed price per site: the first at full price, later ones at 80%. */
    expect_quote(f, "RTF/lean-delivery-diagnostic", 3, tu_date_in(60), NULL,
                 1850000 + 2 * (1850000 * 8 / 10));
    expect_refusal(f, "RTF/lean-delivery-diagnostic", 4, tu_date_in(60), NULL, "1 to 3 sites");
}

static void test_clinical_effectiveness_rules(void **state)
{
    fixture *f = *state;
    const char *o = "RYJ/multidisciplinary-specialty-audit";
    const char *note = "Lead: Dr A; cardiology and renal";
    expect_quote(f, o, 1, tu_date_in(60), note, 3800000);
    /* Second and later specialties 15% less. */
    expect_quote(f, o, 3, tu_date_in(60), note, 3800000 + 2 * (3800000 - 3800000 * 15 / 100));
    expect_refusal(f, o, 4, tu_date_in(60), note, "maximum of 3");
    expect_refusal(f, o, 1, tu_date_in(20), note, "42 days' notice");
    expect_refusal(f, o, 1, tu_date_in(60), NULL, "multidisciplinary team");
}

static void test_invalid_input(void **state)
{
    fixture *f = *state;
    const char *o = "RTF/integrated-care-community-nursing";
    json_t *r = NULL;
    fg_error err;
    cat_request_in in = {.offering_id = o, .requester_ods = "RXX", .quantity = 12};

    assert_int_equal(create(f, o, "rxx", 12, NULL, NULL, &r, &err), FG_EINVAL);
    assert_non_null(strstr(err.msg, "ODS"));
    assert_int_equal(create(f, o, "RXX", 0, NULL, NULL, &r, &err), FG_EINVAL);
    assert_non_null(strstr(err.msg, "quantity"));
    assert_int_equal(create(f, o, "RXX", 12, "2027-02-30", NULL, &r, &err), FG_EINVAL);
    assert_non_null(strstr(err.msg, "2027-02-30"));
    assert_int_equal(create(f, o, "RXX", 12, "next week", NULL, &r, &err), FG_EINVAL);
    in.contact = "not an address";
    assert_int_equal(cat_request_create(f->cat, f->rt, &in, &r, &err), FG_EINVAL);
    assert_non_null(strstr(err.msg, "contact"));
    assert_int_equal(create(f, o, "RXX", 12, NULL, "bell\a", &r, &err), FG_EINVAL);
    assert_int_equal(create(f, "RTF/no-such-offering", "RXX", 12, NULL, NULL, &r, &err),
                     FG_ENOTFOUND);
    assert_int_equal(create(f, o, "RTF", 12, NULL, NULL, &r, &err), FG_EREFUSED);
    assert_non_null(strstr(err.msg, "own offering"));
    assert_null(r);
}

static fg_status move(fixture *f, const char *id, cat_action a, const char *org,
                      fg_error *err)
{
    return cat_request_transition(f->cat, id, a, org, NULL, "because", NULL, err);
}

static char *new_request(fixture *f, const char *org)
{
    json_t *r = NULL;
    fg_error err;
    char *id;
    if (create(f, "RTF/integrated-care-community-nursing", org, 12, NULL, NULL, &r, &err) !=
        FG_OK)
        fail_msg("create: %s", err.msg);
    id = strdup(id_of(r));
    json_decref(r);
    return id;
}

static const char *status_of(fixture *f, const char *id)
{
    static char buf[32];
    json_t *r;
    fg_error err;
    assert_int_equal(cat_request_get(f->cat, id, &r, &err), FG_OK);
    snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(r, "status")));
    json_decref(r);
    return buf;
}

/* A stored request whose id is already here (a pulled one) takes every
   field of the version stored, not only its status, rev and history. */
static void test_store_replaces_every_field(void **state)
{
    fixture *f = *state;
    char *id = new_request(f, "RXX");
    json_t *r, *got, *ev;
    fg_error err;

    assert_int_equal(cat_request_get(f->cat, id, &r, &err), FG_OK);
    json_object_set_new(r, "quantity", json_integer(9));
    json_object_set_new(r, "start", json_string(tu_date_in(200)));
    json_object_set_new(r, "note", json_string("One team, not two"));
    json_object_set_new(json_object_get(r, "requester"), "contact",
                        json_string("other@example.nhs.uk"));
    json_object_set_new(json_object_get(r, "quote"), "amount_pence", json_integer(1665000));
    json_object_set_new(r, "created_at", json_string("2026-01-02T03:04:05Z"));
    json_object_set_new(r, "updated_at", json_string("2026-01-03T03:04:05Z"));
    json_object_set_new(r, "status", json_string("accepted"));
    json_object_set_new(r, "rev", json_integer(2));
    ev = json_pack("{s:s, s:s, s:s, s:s}", "status", "accepted", "at", "2026-01-03T03:04:05Z",
                   "by", "RTF", "reason", "Dates agreed");
    json_array_append_new(json_object_get(r, "history"), ev);
    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_request_store_locked(f->cat, r, 0, &err), FG_OK);
    assert_int_equal(cat_commit(f->cat, &err), FG_OK);
    assert_int_equal(cat_request_get(f->cat, id, &got, &err), FG_OK);
    if (!json_equal(got, r)) {
        char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(r, JSON_SORT_KEYS);
        fail_msg("stored %s\nread back %s", b, a);
    }
    json_decref(got);
    json_decref(r);
    free(id);
}

/* Every action from every state: only SPEC §5's moves succeed. */
static void test_life_cycle(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *from;
        cat_action action;
        fg_status expect;
    } table[] = {
        {"submitted", CAT_COMPLETE, FG_EREFUSED}, {"accepted", CAT_ACCEPT, FG_EREFUSED},
        {"accepted", CAT_DECLINE, FG_EREFUSED},   {"declined", CAT_ACCEPT, FG_EREFUSED},
        {"declined", CAT_CANCEL, FG_EREFUSED},    {"declined", CAT_COMPLETE, FG_EREFUSED},
        {"cancelled", CAT_ACCEPT, FG_EREFUSED},   {"cancelled", CAT_CANCEL, FG_EREFUSED},
        {"completed", CAT_CANCEL, FG_EREFUSED},   {"completed", CAT_COMPLETE, FG_EREFUSED},
        {"submitted", CAT_ACCEPT, FG_OK},         {"submitted", CAT_DECLINE, FG_OK},
        {"submitted", CAT_CANCEL, FG_OK},         {"accepted", CAT_COMPLETE, FG_OK},
        {"accepted", CAT_CANCEL, FG_OK},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char *id = new_request(f, "RXX");
        fg_error err;
        cat_action a = table[i].action;
        /* Bring the request to the starting state. */
        if (strcmp(table[i].from, "accepted") == 0 || strcmp(table[i].from, "completed") == 0)
            assert_int_equal(move(f, id, CAT_ACCEPT, "RTF", &err), FG_OK);
        if (strcmp(table[i].from, "completed") == 0)
            assert_int_equal(move(f, id, CAT_COMPLETE, "RTF", &err), FG_OK);
        if (strcmp(table[i].from, "declined") == 0)
            assert_int_equal(move(f, id, CAT_DECLINE, "RTF", &err), FG_OK);
        if (strcmp(table[i].from, "cancelled") == 0)
            assert_int_equal(move(f, id, CAT_CANCEL, "RXX", &err), FG_OK);
        assert_string_equal(status_of(f, id), table[i].from);

        fg_status st = move(f, id, a, a == CAT_CANCEL ? "RXX" : "RTF", &err);
        if (st != table[i].expect)
            fail_msg("case %zu: from %s, action %d: got %d (%s)", i, table[i].from, a, st,
                     err.msg);
        if (st != FG_OK) {
            /* The refusal says what is allowed, and nothing changed. */
            assert_non_null(strstr(err.msg, table[i].from));
            assert_string_equal(status_of(f, id), table[i].from);
        }
        free(id);
    }
}

static void test_who_may_move(void **state)
{
    fixture *f = *state;
    char *id = new_request(f, "RXX");
    fg_error err;
    json_t *r;
    assert_int_equal(move(f, id, CAT_ACCEPT, "RXX", &err), FG_EPERM);
    assert_non_null(strstr(err.msg, "only the provider (RTF)"));
    assert_int_equal(move(f, id, CAT_ACCEPT, "RYY", &err), FG_EPERM);
    assert_int_equal(move(f, id, CAT_CANCEL, "RTF", &err), FG_EPERM);
    assert_non_null(strstr(err.msg, "only the requester (RXX)"));
    assert_int_equal(move(f, id, CAT_ACCEPT, "rtf", &err), FG_EINVAL);
    assert_string_equal(status_of(f, id), "submitted");

    /* History keeps every move with time, organisation and reason. */
    assert_int_equal(cat_request_transition(f->cat, id, CAT_ACCEPT, "RTF", NULL, "Dates agreed",
                                            &r, &err),
                     FG_OK);
    json_decref(r);
    assert_int_equal(cat_request_transition(f->cat, id, CAT_COMPLETE, "RTF", NULL, NULL, &r, &err),
                     FG_OK);
    {
        json_t *h = json_object_get(r, "history");
        assert_int_equal(json_array_size(h), 3);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(h, 1), "status")), "accepted");
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(h, 1), "reason")),
            "Dates agreed");
        assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "by")),
                            "RTF");
        assert_null(json_object_get(json_array_get(h, 2), "reason"));
        assert_int_equal(json_integer_value(json_object_get(r, "rev")), 3);
    }
    json_decref(r);
    assert_int_equal(move(f, "00000000-0000-0000-0000-000000000000", CAT_ACCEPT, "RTF", &err),
                     FG_ENOTFOUND);
    free(id);
}

static void test_capacity(void **state)
{
    fixture *f = *state;
    /* RTF/integrated-care-community-nursing takes 4 accepted requests. */
    char *ids[6];
    fg_error err;
    for (int i = 0; i < 6; i++)
        ids[i] = new_request(f, "RXX");
    for (int i = 0; i < 4; i++)
        assert_int_equal(move(f, ids[i], CAT_ACCEPT, "RTF", &err), FG_OK);
    assert_int_equal(move(f, ids[4], CAT_ACCEPT, "RTF", &err), FG_EREFUSED);
    assert_non_null(strstr(err.msg, "at capacity: 4 of 4"));
    assert_string_equal(status_of(f, ids[4]), "submitted");
    /* Completing or cancelling frees a place. */
    assert_int_equal(move(f, ids[0], CAT_COMPLETE, "RTF", &err), FG_OK);
    assert_int_equal(move(f, ids[4], CAT_ACCEPT, "RTF", &err), FG_OK);
    assert_int_equal(move(f, ids[5], CAT_ACCEPT, "RTF", &err), FG_EREFUSED);
    assert_int_equal(move(f, ids[1], CAT_CANCEL, "RXX", &err), FG_OK);
    assert_int_equal(move(f, ids[5], CAT_ACCEPT, "RTF", &err), FG_OK);
    for (int i = 0; i < 6; i++)
        free(ids[i]);
}

static void test_withdrawn_offering(void **state)
{
    fixture *f = *state;
    const char *o = "RTF/integrated-care-community-nursing";
    char *keep = new_request(f, "RXX"), *later = new_request(f, "RXX");
    json_t *off, *r = NULL;
    cat_put_result res;
    fg_error err;

    /* Withdraw the offering as a refresh would. */
    assert_int_equal(cat_offering_get(f->cat, o, &off, &err), FG_OK);
    json_object_del(off, "rev");
    json_object_del(off, "updated_at");
    json_object_set_new(off, "status", json_string("withdrawn"));
    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_offering_put(f->cat, off, NULL, "plugin:integrated-care-training",
                                      &res, &err),
                     FG_OK);
    assert_int_equal(cat_commit(f->cat, &err), FG_OK);
    json_decref(off);

    assert_int_equal(create(f, o, "RXX", 12, NULL, NULL, &r, &err), FG_EREFUSED);
    assert_non_null(strstr(err.msg, "withdrawn"));
    /* Existing requests stay readable and can be ended, not accepted. */
    assert_string_equal(status_of(f, keep), "submitted");
    assert_int_equal(move(f, keep, CAT_ACCEPT, "RTF", &err), FG_EREFUSED);
    assert_non_null(strstr(err.msg, "withdrawn"));
    assert_int_equal(move(f, keep, CAT_DECLINE, "RTF", &err), FG_OK);
    assert_int_equal(move(f, later, CAT_CANCEL, "RXX", &err), FG_OK);
    free(keep);
    free(later);
}

static void test_list(void **state)
{
    fixture *f = *state;
    char *a = new_request(f, "RAA"), *b = new_request(f, "RBB");
    cat_request_filter all = {0}, by_a = {.org = "RAA"}, by_provider = {.org = "RTF"},
                       accepted = {.status = "accepted"}, bad = {.status = "pending"},
                       other = {.offering_id = "RYJ/nurse-management-course"};
    json_t *l;
    fg_error err;

    assert_int_equal(cat_request_list(f->cat, &all, &l, &err), FG_OK);
    assert_int_equal(json_array_size(l), 2);
    /* Newest first. */
    assert_string_equal(id_of(json_array_get(l, 0)), b);
    json_decref(l);
    assert_int_equal(cat_request_list(f->cat, &by_a, &l, &err), FG_OK);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(id_of(json_array_get(l, 0)), a);
    json_decref(l);
    assert_int_equal(cat_request_list(f->cat, &by_provider, &l, &err), FG_OK);
    assert_int_equal(json_array_size(l), 2);
    json_decref(l);
    assert_int_equal(move(f, a, CAT_ACCEPT, "RTF", &err), FG_OK);
    assert_int_equal(cat_request_list(f->cat, &accepted, &l, &err), FG_OK);
    assert_int_equal(json_array_size(l), 1);
    json_decref(l);
    assert_int_equal(cat_request_list(f->cat, &other, &l, &err), FG_OK);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    assert_int_equal(cat_request_list(f->cat, &bad, &l, &err), FG_EINVAL);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_stores_submitted_with_quote, tu_setup_seeded,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(test_quote_stores_nothing, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_integrated_care_rules, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_health_planning_rules, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_productivity_rules, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_clinical_effectiveness_rules, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_life_cycle, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_who_may_move, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_capacity, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_offering, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_list, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_store_replaces_every_field, tu_setup_seeded, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
