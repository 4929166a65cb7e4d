/*
 * Unit tests of the change feed (catalog/feed.c) on a real catalogue: the
 * epoch and cursors, paging with its cursor, each record once at its latest
 * sequence, tombstones and their purge (the horizon), and which requests
 * each organisation may see.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NURSING "RTF/integrated-care-community-nursing"

typedef tu_fixture fixture;

typedef struct {
    json_t *records; /* new */
    int64_t next;
    bool more;
} page;

/* Reads one page after `after` as `viewer` (NULL: everything). */
static page read_page(fixture *f, int64_t after, int64_t limit, const char *viewer)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    page p = {0};
    fg_error err;
    assert_non_null(out);
    if (cat_feed_page(f->cat, after, limit, viewer, out, &p.next, &p.more, &err) != FG_OK)
        fail_msg("cat_feed_page: %s", err.msg);
    fclose(out);
    p.records = tu_json(text);
    assert_true(json_is_array(p.records));
    free(text);
    return p;
}

static int64_t feed_seq(fixture *f)
{
    int64_t seq = -1;
    fg_error err;
    assert_int_equal(cat_feed_seq(f->cat, &seq, &err), FG_OK);
    return seq;
}

/* Imports offering RTF/<slug> (the spec example) with `title`. */
static void put(fixture *f, const char *slug, const char *title)
{
    char id[80];
    json_t *o = tu_spec_example(), *arr;
    snprintf(id, sizeof id, "RTF/%s", slug);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "title", json_string(title));
    json_object_del(o, "rev");
    arr = json_pack("[o]", o);
    tu_import(f->cat, f->rt, arr);
    json_decref(arr);
}

static const char *id_at(const page *p, size_t i)
{
    return json_string_value(json_object_get(json_array_get(p->records, i), "id"));
}

static void test_cursors(void **state)
{
    static const struct {
        const char *text;
        bool ok;
        const char *epoch;
        int64_t seq;
    } cases[] = {
        {"0123abcd:0", true, "0123abcd", 0},
        {"ff:42", true, "ff", 42},
        {"a:9223372036854775807", true, "a", INT64_MAX},
        {"0123456789abcdef0123456789abcdef:7", true, "0123456789abcdef0123456789abcdef", 7},
        {"0123456789abcdef0123456789abcdef0:7", false, NULL, 0}, /* epoch too long */
        {"ABCD:1", false, NULL, 0},
        {"abcd", false, NULL, 0},
        {":5", false, NULL, 0},
        {"abcd:", false, NULL, 0},
        {"abcd:-1", false, NULL, 0},
        {"abcd:+1", false, NULL, 0},
        {"abcd: 1", false, NULL, 0},
        {"abcd:1x", false, NULL, 0},
        {"abcd:1:2", false, NULL, 0},
        {"ab cd:1", false, NULL, 0},
        {"abcd:99999999999999999999", false, NULL, 0},
        {"", false, NULL, 0},
    };
    char epoch[CAT_EPOCH_SIZE];
    int64_t seq;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool ok = cat_cursor_parse(cases[i].text, epoch, &seq);
        if (ok != cases[i].ok)
            fail_msg("cat_cursor_parse(\"%s\") should be %s", cases[i].text,
                     cases[i].ok ? "true" : "false");
        if (ok) {
            assert_string_equal(epoch, cases[i].epoch);
            assert_true(seq == cases[i].seq);
        }
    }
    assert_false(cat_cursor_parse(NULL, epoch, &seq));
}

static void test_epoch(void **state)
{
    fixture *f = *state;
    char a[CAT_EPOCH_SIZE], b[CAT_EPOCH_SIZE], cursor[CAT_EPOCH_SIZE + 8];
    int64_t seq;
    fg_error err;
    assert_int_equal(cat_feed_epoch(f->cat, a, &err), FG_OK);
    assert_true(strlen(a) >= 8);
    snprintf(cursor, sizeof cursor, "%s:1", a);
    assert_true(cat_cursor_parse(cursor, b, &seq));
    assert_string_equal(a, b);
    assert_int_equal(cat_feed_new_epoch(f->cat, &err), FG_OK);
    assert_int_equal(cat_feed_epoch(f->cat, b, &err), FG_OK);
    assert_string_not_equal(a, b);
}

/* Pages follow each other without a gap or a repeat; the last one moves
   the cursor to the feed's end. */
static void test_paging(void **state)
{
    fixture *f = *state;
    int64_t start = feed_seq(f), after;
    page p;
    put(f, "alpha", "Alpha");
    put(f, "beta", "Beta");
    put(f, "gamma", "Gamma");
    assert_true(feed_seq(f) == start + 3);

    p = read_page(f, start, 2, NULL);
    assert_int_equal(json_array_size(p.records), 2);
    assert_true(p.more);
    assert_string_equal(id_at(&p, 0), "RTF/alpha");
    assert_string_equal(id_at(&p, 1), "RTF/beta");
    assert_string_equal(json_string_value(json_object_get(json_array_get(p.records, 0), "kind")),
                        "offering");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(p.records, 1), "record"), "title")),
                        "Beta");
    assert_true(p.next == json_integer_value(json_object_get(json_array_get(p.records, 1), "seq")));
    after = p.next;
    json_decref(p.records);

    p = read_page(f, after, 2, NULL);
    assert_int_equal(json_array_size(p.records), 1);
    assert_false(p.more);
    assert_string_equal(id_at(&p, 0), "RTF/gamma");
    assert_true(p.next == feed_seq(f));
    after = p.next;
    json_decref(p.records);

    /* Nothing new: an empty page that stays where it is. */
    p = read_page(f, after, 500, NULL);
    assert_int_equal(json_array_size(p.records), 0);
    assert_false(p.more);
    assert_true(p.next == after);
    json_decref(p.records);
}

/* A changed record moves to the end of the feed: it is listed once. */
static void test_latest_sequence_only(void **state)
{
    fixture *f = *state;
    int64_t start = feed_seq(f);
    page p;
    put(f, "alpha", "Alpha");
    put(f, "beta", "Beta");
    put(f, "alpha", "Alpha, second edition");
    p = read_page(f, start, 500, NULL);
    assert_int_equal(json_array_size(p.records), 2);
    assert_string_equal(id_at(&p, 0), "RTF/beta");
    assert_string_equal(id_at(&p, 1), "RTF/alpha");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(p.records, 1), "record"), "title")),
                        "Alpha, second edition");
    json_decref(p.records);
}

static void test_tombstones_and_purge(void **state)
{
    fixture *f = *state;
    int64_t start = feed_seq(f), horizon = -1, tomb;
    bool deleted = false;
    size_t purged = 99;
    json_t *t;
    page p;
    fg_error err;
    put(f, "alpha", "Alpha");
    put(f, "beta", "Beta");
    assert_int_equal(cat_offering_delete(f->cat, "RTF/alpha", &deleted, &err), FG_OK);
    assert_true(deleted);
    assert_int_equal(cat_offering_delete(f->cat, "RTF/alpha", &deleted, &err), FG_OK);
    assert_false(deleted);

    p = read_page(f, start, 500, NULL);
    assert_int_equal(json_array_size(p.records), 2);
    assert_string_equal(id_at(&p, 1), "RTF/alpha");
    t = json_array_get(p.records, 1);
    assert_true(json_is_true(json_object_get(t, "deleted")));
    assert_true(fg_valid_timestamp(json_string_value(json_object_get(t, "deleted_at"))));
    assert_null(json_object_get(t, "record"));
    tomb = json_integer_value(json_object_get(t, "seq"));
    json_decref(p.records);

    /* Purging before an old date keeps it; before a future one drops it
       and moves the horizon to its sequence. */
    assert_int_equal(cat_feed_horizon(f->cat, &horizon, &err), FG_OK);
    assert_true(horizon == 0);
    assert_int_equal(cat_feed_purge(f->cat, "2000-01-01T00:00:00Z", &purged, &err), FG_OK);
    assert_int_equal(purged, 0);
    assert_int_equal(cat_feed_purge(f->cat, "2999-01-01T00:00:00Z", &purged, &err), FG_OK);
    assert_int_equal(purged, 1);
    assert_int_equal(cat_feed_horizon(f->cat, &horizon, &err), FG_OK);
    assert_true(horizon == tomb);
    p = read_page(f, start, 500, NULL);
    assert_int_equal(json_array_size(p.records), 1);
    assert_string_equal(id_at(&p, 0), "RTF/beta");
    json_decref(p.records);
    /* Offerings are untouched by a purge. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering WHERE id = 'RTF/beta'"), 1);
}

/* A request is seen by its requester and its provider, and by no one
   else; the cursor moves past what a viewer may not see. */
static void test_request_visibility(void **state)
{
    static const struct {
        const char *viewer;
        bool sees;
    } cases[] = {{NULL, true}, {"RXX", true}, {"RTF", true}, {"RYJ", false}, {"RX", false}};
    fixture *f = *state;
    int64_t start = feed_seq(f);
    cat_request_in in = {.offering_id = NURSING, .requester_ods = "RXX", .quantity = 12};
    json_t *req = NULL;
    fg_error err;
    in.start = tu_date_in(120);
    if (cat_request_create(f->cat, f->rt, &in, &req, &err) != FG_OK)
        fail_msg("cat_request_create: %s", err.msg);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        page p = read_page(f, start, 500, cases[i].viewer);
        json_t *r = json_array_get(p.records, 0);
        if (json_array_size(p.records) != (cases[i].sees ? 1u : 0u))
            fail_msg("viewer %s: %zu records", cases[i].viewer ? cases[i].viewer : "(all)",
                     json_array_size(p.records));
        if (cases[i].sees) {
            assert_string_equal(json_string_value(json_object_get(r, "kind")), "request");
            assert_true(json_equal(json_object_get(r, "record"), req));
        }
        assert_true(p.next == feed_seq(f));
        json_decref(p.records);
    }
    json_decref(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursors),
        cmocka_unit_test_setup_teardown(test_epoch, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_paging, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_latest_sequence_only, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_tombstones_and_purge, tu_setup_seeded, tu_teardown),
        cmocka_unit_test_setup_teardown(test_request_visibility, tu_setup_seeded, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
