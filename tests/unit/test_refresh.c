/*
 * Unit tests of refresh (catalog/refresh.c): seeding from the built-in
 * plugins, unchanged re-registration, and withdrawing, changing and
 * reactivating offerings as the test plugin "test-area" is steered through
 * its environment (tests/plugins/test-area.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TEST_AREA_DIR FGCAT_TEST_PLUGIN_DIR "/test-area"
#define WITH_TEST_AREA FGCAT_BUILTIN_PLUGIN_DIR ":" TEST_AREA_DIR

typedef struct fixture {
    char dir[4096];
    cat_catalog *cat;
    rt_runtime *rt;
} fixture;

static void clear_env(void)
{
    unsetenv("FGCAT_TEST_OFFERINGS");
    unsetenv("FGCAT_TEST_TITLE_SUFFIX");
    unsetenv("FGCAT_TEST_BAD_OFFERING");
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    clear_env();
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    clear_env();
    cat_close(f->cat);
    rt_free(f->rt);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static rt_plugin *plugin_named(rt_runtime *rt, const char *name)
{
    for (size_t i = 0; i < rt_plugin_count(rt); i++)
        if (strcmp(rt_plugin_at(rt, i)->name, name) == 0)
            return rt_plugin_at(rt, i);
    fail_msg("no plugin %s", name);
    return NULL;
}

/* Each refresh sees the plugins as a new `fgcat refresh` would: workers
   started with the environment the test set up (test-area reads it). */
static cat_refresh_report refresh(fixture *f)
{
    cat_refresh_report rep;
    fg_error err;
    rt_restart(f->rt);
    memset(&rep, 0x55, sizeof rep);
    if (cat_refresh(f->cat, f->rt, &rep, &err) != FG_OK)
        fail_msg("refresh: %s", err.msg);
    return rep;
}

/* The offering `id`, or NULL when absent. New. */
static json_t *get(fixture *f, const char *id)
{
    json_t *o = NULL;
    fg_error err;
    fg_status st = cat_offering_get(f->cat, id, &o, &err);
    if (st != FG_OK && st != FG_ENOTFOUND)
        fail_msg("get %s: %s", id, err.msg);
    return o;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int64_t rev(json_t *o)
{
    return json_integer_value(json_object_get(o, "rev"));
}

/* Asserts the status and rev of `id`; returns the offering (new). */
static json_t *expect(fixture *f, const char *id, const char *status, int64_t want_rev)
{
    json_t *o = get(f, id);
    if (!o)
        fail_msg("%s is missing", id);
    if (strcmp(str(o, "status"), status) != 0 || rev(o) != want_rev)
        fail_msg("%s: status %s rev %lld, expected %s rev %lld", id, str(o, "status"),
                 (long long)rev(o), status, (long long)want_rev);
    if (strcmp(status, "withdrawn") == 0)
        assert_true(fg_valid_timestamp(str(o, "withdrawn_at")));
    else
        assert_null(json_object_get(o, "withdrawn_at"));
    return o;
}

static void expect_drop(fixture *f, const char *id, const char *status, int64_t want_rev)
{
    json_decref(expect(f, id, status, want_rev));
}

/* Every offering of `area`, as exported. New. */
static json_t *area_export(fixture *f, const char *area)
{
    json_t *all = NULL, *out = json_array(), *o;
    fg_error err;
    size_t i;
    assert_int_equal(cat_export(f->cat, &all, &err), FG_OK);
    json_array_foreach(all, i, o) {
        if (strcmp(str(o, "area"), area) == 0)
            json_array_append(out, o);
    }
    json_decref(all);
    return out;
}

static json_t *export_all(fixture *f)
{
    json_t *all = NULL;
    fg_error err;
    assert_int_equal(cat_export(f->cat, &all, &err), FG_OK);
    return all;
}

/* ---- the built-in plugins -------------------------------------------------- */

static void test_seed_registers_every_offering(void **state)
{
    fixture *f = *state;
    cat_refresh_report rep;
    json_t *expected = json_object(), *counts = NULL, *v;
    const char *area;
    size_t total = 0;
    fg_error err;

    f->rt = tu_runtime(FGCAT_BUILTIN_PLUGIN_DIR, 4);
    assert_int_equal(rt_plugin_count(f->rt), 4);
    for (size_t i = 0; i < rt_plugin_count(f->rt); i++) {
        rt_plugin *p = rt_plugin_at(f->rt, i);
        size_t n = 0;
        assert_int_equal(p->state, RT_LOADED);
        if (cat_check_plugin_offerings(f->rt, p, &n, NULL, &err) != FG_OK)
            fail_msg("plugin %s: %s", p->name, err.msg);
        assert_true(n > 0);
        assert_non_null(p->areas[0]);
        assert_null(p->areas[1]); /* one area each */
        json_object_set_new(expected, p->areas[0], json_integer((json_int_t)n));
        total += n;
    }
    /* Checking touched no catalogue. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), 0);

    assert_true(tu_needs_seed(f->cat));
    memset(&rep, 0x55, sizeof rep);
    assert_int_equal(cat_seed(f->cat, f->rt, &rep, &err), FG_OK);
    assert_false(tu_needs_seed(f->cat));
    assert_int_equal(rep.added, total);
    assert_int_equal(rep.changed, 0);
    assert_int_equal(rep.unchanged, 0);
    assert_int_equal(rep.withdrawn, 0);
    assert_int_equal(rep.plugins_ok, 4);
    assert_int_equal(rep.plugins_refused, 0);

    assert_int_equal(cat_area_counts(f->cat, &counts, &err), FG_OK);
    assert_int_equal(json_object_size(counts), json_object_size(expected));
    json_object_foreach(expected, area, v) {
        json_t *c = json_object_get(counts, area);
        if (!c)
            fail_msg("area %s has no offerings", area);
        assert_int_equal(json_integer_value(json_object_get(c, "active")),
                         json_integer_value(v));
        assert_int_equal(json_integer_value(json_object_get(c, "withdrawn")), 0);
    }
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering WHERE rev = 1"),
                     (int64_t)total);

    /* SPEC §6: right after seeding, a search for "nurse" shows results. */
    {
        cat_query q;
        json_t *results = NULL;
        memset(&q, 0, sizeof q);
        q.text = "nurse";
        q.max_price_pence = -1;
        q.limit = 20;
        assert_int_equal(cat_search(f->cat, &q, &results, NULL, &err), FG_OK);
        assert_true(json_array_size(results) > 0);
        json_decref(results);
    }
    json_decref(counts);
    json_decref(expected);
}

static void test_second_refresh_unchanged(void **state)
{
    fixture *f = *state;
    cat_refresh_report rep;
    json_t *before, *after;
    fg_error err;
    size_t total;

    f->rt = tu_runtime(FGCAT_BUILTIN_PLUGIN_DIR, 4);
    assert_int_equal(cat_seed(f->cat, f->rt, &rep, &err), FG_OK);
    total = rep.added;
    before = export_all(f);

    rep = refresh(f);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.changed, 0);
    assert_int_equal(rep.withdrawn, 0);
    assert_int_equal(rep.unchanged, total);
    assert_int_equal(rep.plugins_ok, 4);
    after = export_all(f);
    assert_true(json_equal(before, after));
    json_decref(after);

    /* As a later process would: reopen, load the plugins again. */
    cat_close(f->cat);
    rt_free(f->rt);
    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    f->rt = tu_runtime(FGCAT_BUILTIN_PLUGIN_DIR, 4);
    assert_false(tu_needs_seed(f->cat));
    rep = refresh(f);
    assert_int_equal(rep.unchanged, total);
    assert_int_equal(rep.added + rep.changed + rep.withdrawn, 0);
    after = export_all(f);
    assert_true(json_equal(before, after));

    json_decref(before);
    json_decref(after);
}

/* ---- test-area: withdraw, change, reactivate ------------------------------- */

static void test_plugin_lifecycle(void **state)
{
    fixture *f = *state;
    cat_refresh_report rep;
    fg_error err;
    size_t n = 0, builtin_active;
    json_t *o;
    const char *suffix = " (2027 edition)";

    f->rt = tu_runtime(WITH_TEST_AREA, 5);
    assert_int_equal(
        cat_check_plugin_offerings(f->rt, plugin_named(f->rt, "test-area"), &n, NULL, &err),
        FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(cat_seed(f->cat, f->rt, &rep, &err), FG_OK);
    assert_int_equal(rep.plugins_ok, 5);
    expect_drop(f, "TST/alpha", "active", 1);
    expect_drop(f, "TST/beta", "active", 1);
    expect_drop(f, "TST/gamma", "active", 1);
    builtin_active = (size_t)tu_sql_int(
        f->cat, "SELECT count(*) FROM offering WHERE area <> 'test-area' AND rev = 1");

    /* beta is no longer registered: withdrawn, with a date and a new rev. */
    setenv("FGCAT_TEST_OFFERINGS", "alpha,gamma", 1);
    rep = refresh(f);
    assert_int_equal(rep.withdrawn, 1);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.changed, 0);
    expect_drop(f, "TST/alpha", "active", 1);
    expect_drop(f, "TST/beta", "withdrawn", 2);
    expect_drop(f, "TST/gamma", "active", 1);
    {
        /* Withdrawn offerings leave default searches but stay visible. */
        cat_query q;
        json_t *r = NULL;
        memset(&q, 0, sizeof q);
        q.text = "beta";
        q.area = "test-area";
        q.max_price_pence = -1;
        q.limit = 10;
        assert_int_equal(cat_search(f->cat, &q, &r, NULL, &err), FG_OK);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
        q.include_withdrawn = true;
        assert_int_equal(cat_search(f->cat, &q, &r, NULL, &err), FG_OK);
        assert_int_equal(json_array_size(r), 1);
        json_decref(r);
    }

    /* Again: nothing more to withdraw; beta keeps its rev and date. */
    o = get(f, "TST/beta");
    rep = refresh(f);
    assert_int_equal(rep.withdrawn + rep.added + rep.changed, 0);
    {
        json_t *again = expect(f, "TST/beta", "withdrawn", 2);
        assert_true(json_equal(o, again));
        json_decref(again);
    }
    json_decref(o);

    /* New titles: a change of content, one rev more each. */
    setenv("FGCAT_TEST_TITLE_SUFFIX", suffix, 1);
    rep = refresh(f);
    assert_int_equal(rep.changed, 2);
    assert_int_equal(rep.withdrawn + rep.added, 0);
    o = expect(f, "TST/alpha", "active", 2);
    assert_string_equal(str(o, "title") + strlen(str(o, "title")) - strlen(suffix),
                        suffix);
    json_decref(o);
    expect_drop(f, "TST/gamma", "active", 2);
    expect_drop(f, "TST/beta", "withdrawn", 2);

    /* beta is back: active again, without a withdrawal date. */
    setenv("FGCAT_TEST_OFFERINGS", "alpha,beta,gamma", 1);
    rep = refresh(f);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(rep.added + rep.withdrawn, 0);
    o = expect(f, "TST/beta", "active", 3);
    assert_string_equal(str(o, "title") + strlen(str(o, "title")) - strlen(suffix),
                        suffix);
    json_decref(o);
    expect_drop(f, "TST/alpha", "active", 2);

    /* A new slug is added; registering none withdraws them all. */
    setenv("FGCAT_TEST_OFFERINGS", "alpha,beta,gamma,delta", 1);
    rep = refresh(f);
    assert_int_equal(rep.added, 1);
    expect_drop(f, "TST/delta", "active", 1);
    setenv("FGCAT_TEST_OFFERINGS", "", 1);
    rep = refresh(f);
    assert_int_equal(rep.withdrawn, 4);
    expect_drop(f, "TST/alpha", "withdrawn", 3);
    expect_drop(f, "TST/delta", "withdrawn", 2);

    /* The built-in plugins' offerings never moved. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering WHERE area <> "
                                        "'test-area' AND rev = 1 AND status = 'active'"),
                     (int64_t)builtin_active);
}

/* Offerings that arrived by import are not the plugin's to withdraw. */
static void test_imported_never_withdrawn(void **state)
{
    fixture *f = *state;
    cat_refresh_report rep;
    cat_import_report irep;
    json_t *alpha, *imp1, *imp2, *arr, *before1, *before2, *after;
    fg_error err;

    f->rt = tu_runtime(WITH_TEST_AREA, 5);
    assert_int_equal(cat_seed(f->cat, f->rt, &rep, &err), FG_OK);

    /* Two test-area offerings by import, shaped like the plugin's own. */
    alpha = get(f, "TST/alpha");
    assert_non_null(alpha);
    imp1 = json_deep_copy(alpha);
    json_object_del(imp1, "rev");
    json_object_del(imp1, "updated_at");
    json_object_set_new(imp1, "id", json_string("TST/imported"));
    json_object_set_new(imp1, "title", json_string("Imported test course"));
    imp2 = json_deep_copy(alpha);
    json_object_set_new(imp2, "id", json_string("TST/synced"));
    json_object_set_new(imp2, "rev", json_integer(9));
    arr = json_pack("[o, o]", imp1, imp2);
    assert_int_equal(cat_import(f->cat, f->rt, arr, "test", &irep, &err), FG_OK);
    assert_int_equal(irep.added, 2);
    json_decref(arr);
    before1 = get(f, "TST/imported");
    before2 = get(f, "TST/synced");

    /* The plugin registers nothing any more, then something else. */
    setenv("FGCAT_TEST_OFFERINGS", "", 1);
    rep = refresh(f);
    assert_int_equal(rep.withdrawn, 3);
    setenv("FGCAT_TEST_OFFERINGS", "epsilon", 1);
    setenv("FGCAT_TEST_TITLE_SUFFIX", " v2", 1);
    rep = refresh(f);
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.withdrawn, 0);

    expect_drop(f, "TST/alpha", "withdrawn", 2);
    after = expect(f, "TST/imported", "active", 1);
    assert_true(json_equal(before1, after));
    json_decref(after);
    after = expect(f, "TST/synced", "active", 9);
    assert_true(json_equal(before2, after));
    json_decref(after);

    json_decref(before1);
    json_decref(before2);
    json_decref(alpha);
}

/* A plugin that registers a bad offering is refused as a whole; its old
   offerings stay, and the other plugins carry on in the same refresh. */
static void test_bad_offering_refuses_plugin(void **state)
{
    fixture *f = *state;
    cat_refresh_report rep;
    fg_error err;
    json_t *tst_before, *tst_after, *restored;
    rt_plugin *p;
    size_t n = 0;
    const char *builtin = "RTF/integrated-care-community-nursing";

    f->rt = tu_runtime(WITH_TEST_AREA, 5);
    assert_int_equal(cat_seed(f->cat, f->rt, &rep, &err), FG_OK);
    tst_before = area_export(f, "test-area");
    assert_int_equal(json_array_size(tst_before), 3);

    /* Something for a well-behaved plugin to do in the same refresh. */
    restored = get(f, builtin);
    assert_non_null(restored);
    json_decref(restored);
    assert_int_equal(sqlite3_exec(cat_db(f->cat),
                                  "DELETE FROM offering WHERE id = "
                                  "'RTF/integrated-care-community-nursing'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);

    /* Everything test-area would change, plus one bad offering. */
    setenv("FGCAT_TEST_OFFERINGS", "alpha,delta", 1);
    setenv("FGCAT_TEST_TITLE_SUFFIX", " v2", 1);
    setenv("FGCAT_TEST_BAD_OFFERING", "1", 1);
    rt_restart(f->rt);

    p = plugin_named(f->rt, "test-area");
    assert_int_equal(cat_check_plugin_offerings(f->rt, p, &n, NULL, &err), FG_EREFUSED);
    tu_assert_contains(err.msg, "TST/bad-delivery");
    tu_assert_contains(err.msg, "delivery");

    rep = refresh(f);
    assert_int_equal(rep.plugins_refused, 1);
    assert_int_equal(rep.plugins_ok, 4);
    assert_int_equal(rep.added, 1); /* the deleted built-in, back */
    assert_int_equal(rep.changed + rep.withdrawn, 0);
    assert_int_equal(p->state, RT_REFUSED);
    tu_assert_contains(p->reason, "TST/bad-delivery");
    tu_assert_contains(p->reason, "delivery");
    assert_null(rt_area_owner(f->rt, "test-area"));

    tst_after = area_export(f, "test-area");
    assert_true(json_equal(tst_before, tst_after));
    json_decref(tst_after);
    assert_null(get(f, "TST/delta"));
    restored = expect(f, builtin, "active", 1);
    json_decref(restored);

    /* A refused plugin stays refused in this runtime. */
    rep = refresh(f);
    assert_int_equal(rep.plugins_refused, 1);
    assert_int_equal(rep.added + rep.changed + rep.withdrawn, 0);
    tst_after = area_export(f, "test-area");
    assert_true(json_equal(tst_before, tst_after));
    json_decref(tst_after);

    /* Fixed, in a new runtime, its changes apply. */
    unsetenv("FGCAT_TEST_BAD_OFFERING");
    rt_free(f->rt);
    f->rt = tu_runtime(WITH_TEST_AREA, 5);
    rep = refresh(f);
    assert_int_equal(rep.plugins_refused, 0);
    assert_int_equal(rep.added, 1);     /* delta */
    assert_int_equal(rep.changed, 1);   /* alpha's title */
    assert_int_equal(rep.withdrawn, 2); /* beta, gamma */
    expect_drop(f, "TST/alpha", "active", 2);
    expect_drop(f, "TST/beta", "withdrawn", 2);

    json_decref(tst_before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_registers_every_offering, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_second_refresh_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plugin_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imported_never_withdrawn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_offering_refuses_plugin, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
