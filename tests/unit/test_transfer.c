/*
 * Unit tests of import and export (catalog/transfer.c): adding, re-importing
 * unchanged, all-or-nothing on a bad record, and the export → import →
 * export round trip.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef tu_fixture fixture;

/* The SPEC example as offering `slug` of RTF, without rev/updated_at. New. */
static json_t *record(const char *slug)
{
    json_t *o = tu_spec_example();
    char id[128];
    snprintf(id, sizeof id, "RTF/%s", slug);
    json_object_set_new(o, "id", json_string(id));
    json_object_del(o, "rev");
    json_object_del(o, "updated_at");
    return o;
}

static int64_t rows(fixture *f)
{
    return tu_sql_int(f->cat, "SELECT count(*) FROM offering");
}

static json_t *export_all(fixture *f)
{
    json_t *out = NULL;
    fg_error err;
    if (cat_export(f->cat, &out, &err) != FG_OK)
        fail_msg("export: %s", err.msg);
    assert_true(json_is_array(out));
    return out;
}

static bool present(fixture *f, const char *id)
{
    json_t *o = NULL;
    fg_error err;
    fg_status st = cat_offering_get(f->cat, id, &o, &err);
    json_decref(o);
    if (st != FG_OK && st != FG_ENOTFOUND)
        fail_msg("get %s: %s", id, err.msg);
    return st == FG_OK;
}

/* ---- adding ------------------------------------------------------------ */

static void test_import_adds_then_unchanged(void **state)
{
    fixture *f = *state;
    json_t *arr = json_pack("[o, o, o]", record("one"), record("two"), record("three"));
    json_t *first, *second, *o;
    cat_import_report rep;
    size_t i;

    rep = tu_import(f->cat, f->rt, arr);
    assert_int_equal(rep.added, 3);
    assert_int_equal(rep.changed, 0);
    assert_int_equal(rep.unchanged, 0);
    assert_int_equal(rows(f), 3);
    first = export_all(f);
    assert_int_equal(json_array_size(first), 3);
    json_array_foreach(first, i, o) {
        assert_int_equal(json_integer_value(json_object_get(o, "rev")), 1);
    }

    /* The same array again changes nothing, not even a time stamp. */
    rep = tu_import(f->cat, f->rt, arr);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.changed, 0);
    assert_int_equal(rep.unchanged, 3);
    second = export_all(f);
    assert_true(json_equal(first, second));

    /* One record changed: only it gets a new rev. */
    json_object_set_new(json_array_get(arr, 1), "capacity", json_integer(7));
    rep = tu_import(f->cat, f->rt, arr);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(rep.unchanged, 2);
    {
        json_t *two = NULL;
        fg_error err;
        assert_int_equal(cat_offering_get(f->cat, "RTF/two", &two, &err), FG_OK);
        assert_int_equal(json_integer_value(json_object_get(two, "rev")), 2);
        assert_int_equal(json_integer_value(json_object_get(two, "capacity")), 7);
        json_decref(two);
    }

    /* An empty array is fine and does nothing. */
    {
        json_t *empty = json_array();
        rep = tu_import(f->cat, f->rt, empty);
        assert_int_equal(rep.added + rep.changed + rep.unchanged, 0);
        json_decref(empty);
    }
    json_decref(first);
    json_decref(second);
    json_decref(arr);
}

/* Records that carry a rev keep it, with their time stamps. */
static void test_import_keeps_given_rev(void **state)
{
    fixture *f = *state;
    json_t *rec = record("given"), *arr, *got = NULL;
    cat_import_report rep;
    fg_error err;

    json_object_set_new(rec, "rev", json_integer(4));
    json_object_set_new(rec, "updated_at", json_string("2026-10-01T09:00:00Z"));
    arr = json_pack("[O]", rec);
    rep = tu_import(f->cat, f->rt, arr);
    assert_int_equal(rep.added, 1);
    assert_int_equal(cat_offering_get(f->cat, "RTF/given", &got, &err), FG_OK);
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 4);
    assert_string_equal(json_string_value(json_object_get(got, "updated_at")),
                        "2026-10-01T09:00:00Z");
    json_decref(got);
    json_decref(arr);
    json_decref(rec);
}

static void test_import_not_an_array(void **state)
{
    fixture *f = *state;
    json_t *obj = record("lonely");
    cat_import_report rep;
    fg_error err;

    assert_int_equal(cat_import(f->cat, f->rt, obj, "lonely.json", &rep, &err),
                     FG_EINVAL);
    tu_assert_contains(err.msg, "lonely.json");
    tu_assert_contains(err.msg, "array");
    assert_int_equal(rows(f), 0);
    json_decref(obj);
}

/* ---- all or nothing ------------------------------------------------------ */

typedef struct bad_third {
    const char *name;
    fg_status status;
    const char *id;     /* the id the message must name */
    const char *detail; /* and this */
} bad_third;

/*
 * Makes record 3 of `arr` bad in the way `kind` says.  The catalogue holds
 * RTF/existing (rev 5) and RTF/older (rev 1) beforehand.
 */
static void spoil_third(json_t *arr, int kind)
{
    json_t *third = json_array_get(arr, 2);
    switch (kind) {
    case 0: /* a bad field */
        json_object_set_new(third, "contact", json_string("not an address"));
        break;
    case 1: /* an area no plugin provides */
        json_object_set_new(third, "area", json_string("dentistry"));
        break;
    case 2: /* the id of record 1 again */
        json_object_set(third, "id", json_object_get(json_array_get(arr, 0), "id"));
        break;
    case 3: /* a rev older than the catalogue's */
        json_object_set_new(third, "id", json_string("RTF/existing"));
        json_object_set_new(third, "rev", json_integer(3));
        json_object_set_new(third, "title", json_string("An older version"));
        break;
    case 4: /* equal rev, other content */
        json_object_set_new(third, "id", json_string("RTF/existing"));
        json_object_set_new(third, "rev", json_integer(5));
        json_object_set_new(third, "title", json_string("Another fifth version"));
        break;
    case 5: /* refused by the area's plugin */
        json_object_set_new(third, "attributes",
                            tu_json("{\"cohort_min\": 30, \"cohort_max\": 24, "
                                    "\"cpd_hours\": 60}"));
        break;
    default:
        fail();
    }
}

static void test_bad_third_record_rolls_back(void **state)
{
    static const bad_third kinds[] = {
        {"bad field", FG_EINVAL, "RTF/new-three", "contact"},
        {"unknown area", FG_EINVAL, "RTF/new-three", "dentistry"},
        {"duplicate id", FG_EINVAL, "RTF/new-one", "more than once"},
        {"older rev", FG_ECONFLICT, "RTF/existing", "rev 3"},
        {"same rev, other content", FG_ECONFLICT, "RTF/existing", "rev 5"},
        {"refused by the plugin", FG_EINVAL, "RTF/new-three", "cohort_max"},
    };
    fixture *f = *state;
    json_t *existing = record("existing"), *older = record("older"), *setup_arr;

    /* What the catalogue holds before each bad import. */
    json_object_set_new(existing, "rev", json_integer(5));
    json_object_set_new(existing, "updated_at", json_string("2026-05-05T05:05:05Z"));
    setup_arr = json_pack("[O, O]", existing, older);
    tu_import(f->cat, f->rt, setup_arr);

    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        json_t *changed_older = json_deep_copy(older), *before, *after, *arr;
        cat_import_report rep;
        fg_error err;
        int64_t n_before = rows(f);
        fg_status st;

        /* Record 1 would be added, record 2 would change RTF/older, record
           3 is bad. */
        json_object_set_new(changed_older, "title", json_string("Changed by import"));
        arr =
            json_pack("[o, o, o]", record("new-one"), changed_older, record("new-three"));
        spoil_third(arr, (int)k);
        before = export_all(f);

        memset(&rep, 0x55, sizeof rep);
        st = cat_import(f->cat, f->rt, arr, "offerings.json", &rep, &err);
        if (st != kinds[k].status || err.status != st)
            fail_msg("%s: status %d, expected %d: %s", kinds[k].name, st, kinds[k].status,
                     err.msg);
        tu_assert_contains(err.msg, "offerings.json");
        tu_assert_contains(err.msg, "record 3");
        tu_assert_contains(err.msg, kinds[k].id);
        tu_assert_contains(err.msg, kinds[k].detail);
        assert_null(strchr(err.msg, '\n'));
        assert_int_equal(rep.added + rep.changed + rep.unchanged, 0);

        /* Nothing happened. */
        assert_int_equal(rows(f), n_before);
        assert_false(present(f, "RTF/new-one"));
        assert_false(present(f, "RTF/new-three"));
        after = export_all(f);
        assert_true(json_equal(before, after));

        json_decref(before);
        json_decref(after);
        json_decref(arr);
    }
    /* The catalogue is still writable: no transaction was left open. */
    {
        json_t *arr = json_pack("[o]", record("afterwards"));
        cat_import_report rep = tu_import(f->cat, f->rt, arr);
        assert_int_equal(rep.added, 1);
        json_decref(arr);
    }
    json_decref(setup_arr);
    json_decref(existing);
    json_decref(older);
}

/* A bad record far down names its own number, not the third's. */
static void test_message_names_record(void **state)
{
    fixture *f = *state;
    json_t *arr = json_array(), *bad;
    cat_import_report rep;
    fg_error err;

    for (int i = 0; i < 12; i++) {
        char slug[32];
        snprintf(slug, sizeof slug, "many-%02d", i);
        json_array_append_new(arr, record(slug));
    }
    bad = json_array_get(arr, 10);
    json_object_set_new(bad, "delivery", json_string("by-post"));
    assert_int_equal(cat_import(f->cat, f->rt, arr, "-", &rep, &err), FG_EINVAL);
    tu_assert_contains(err.msg, "record 11");
    tu_assert_contains(err.msg, "RTF/many-10");
    tu_assert_contains(err.msg, "delivery");
    assert_int_equal(rows(f), 0);

    /* A record that is not even an object. */
    json_object_set_new(bad, "delivery", json_string("remote"));
    json_array_set_new(arr, 4, json_string("RTF/many-04"));
    assert_int_equal(cat_import(f->cat, f->rt, arr, "-", &rep, &err), FG_EINVAL);
    tu_assert_contains(err.msg, "record 5");
    assert_int_equal(rows(f), 0);

    /* An id that is not one printable line does not break the message. */
    json_array_set_new(arr, 4, record("many-04"));
    json_object_set_new(json_array_get(arr, 6), "id",
                        json_string("RTF/evil\nfgcat: all is well\x1b[2J"));
    assert_int_equal(cat_import(f->cat, f->rt, arr, "-", &rep, &err), FG_EINVAL);
    tu_assert_contains(err.msg, "record 7");
    for (const char *c = err.msg; *c; c++)
        assert_false((unsigned char)*c < 0x20 || *c == 0x7F);
    assert_int_equal(rows(f), 0);
    json_decref(arr);
}

/* ---- round trip ---------------------------------------------------------- */

static void test_round_trip(void **state)
{
    fixture *f = *state;
    json_t *arr, *first, *second, *o, *withdrawn, *given;
    cat_catalog *fresh;
    cat_refresh_report rr;
    cat_import_report rep;
    fg_error err;
    size_t i;
    bool saw_withdrawn = false;

    /* Real offerings from the plugins, plus imported ones: withdrawn, with
       a given rev and dates, with nulls and odd text. */
    assert_int_equal(cat_seed(f->cat, f->rt, &rr, &err), FG_OK);
    assert_true(rr.added > 0);
    withdrawn = record("withdrawn-one");
    json_object_set_new(withdrawn, "status", json_string("withdrawn"));
    json_object_set_new(withdrawn, "withdrawn_at", json_string("2026-06-01T12:00:00Z"));
    given = record("given-rev");
    json_object_set_new(given, "rev", json_integer(12));
    json_object_set_new(given, "updated_at", json_string("2026-07-01T00:00:00Z"));
    json_object_set_new(given, "capacity", json_null());
    json_object_set_new(given, "duration_days", json_null());
    json_object_set_new(given, "summary",
                        json_string("Deux lignes —\nsoins intégrés, "
                                    "\"cités\" 中文"));
    json_object_set_new(given, "attributes",
                        tu_json("{\"language\": \"zh-CN\", \"cpd_hours\": 0, "
                                "\"cohort_max\": 12, \"cohort_min\": 1, "
                                "\"train_the_trainer\": true}"));
    arr = json_pack("[o, o]", withdrawn, given);
    tu_import(f->cat, f->rt, arr);
    json_decref(arr);

    first = export_all(f);
    assert_int_equal(json_array_size(first), (size_t)rows(f));
    json_array_foreach(first, i, o) {
        /* Ordered by id, and each record is full. */
        if (i > 0)
            assert_true(strcmp(json_string_value(
                                   json_object_get(json_array_get(first, i - 1), "id")),
                               json_string_value(json_object_get(o, "id"))) < 0);
        assert_non_null(json_object_get(o, "rev"));
        assert_non_null(json_object_get(o, "updated_at"));
        if (strcmp(json_string_value(json_object_get(o, "id")), "RTF/withdrawn-one") ==
            0) {
            saw_withdrawn = true;
            assert_string_equal(json_string_value(json_object_get(o, "status")),
                                "withdrawn");
            assert_string_equal(json_string_value(json_object_get(o, "withdrawn_at")),
                                "2026-06-01T12:00:00Z");
        }
    }
    assert_true(saw_withdrawn);

    /* Into a fresh catalogue, through text as a file would carry it. */
    {
        char *text = json_dumps(first, JSON_INDENT(2));
        json_t *parsed = tu_json(text);
        fresh = tu_open_catalog(f->dir, "fresh.db");
        assert_int_equal(cat_import(fresh, f->rt, parsed, "export.json", &rep, &err),
                         FG_OK);
        assert_int_equal(rep.added, json_array_size(first));
        assert_int_equal(cat_export(fresh, &second, &err), FG_OK);
        if (!json_equal(first, second)) {
            char *a = json_dumps(first, JSON_COMPACT),
                 *b = json_dumps(second, JSON_COMPACT);
            fail_msg("round trip differs:\n%.2000s\n%.2000s", a, b);
        }
        free(text);
        json_decref(parsed);
    }

    /* And back into the original: all unchanged. */
    assert_int_equal(cat_import(f->cat, f->rt, second, "export.json", &rep, &err), FG_OK);
    assert_int_equal(rep.unchanged, json_array_size(first));
    assert_int_equal(rep.added + rep.changed, 0);

    cat_close(fresh);
    json_decref(first);
    json_decref(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_adds_then_unchanged, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_import_keeps_given_rev, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_import_not_an_array, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_bad_third_record_rolls_back, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(test_message_names_record, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
