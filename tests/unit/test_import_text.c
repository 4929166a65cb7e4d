/*
 * cat_import_text: importing JSON text a record at a time.  Valid text in
 * any layout imports; a syntax error anywhere (named by line and column),
 * a record that is not an object (named by number), a missing comma or
 * trailing text refuses the whole file and leaves the catalogue as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define OFFERING(slug)                                                         \
    "{\"id\": \"RTF/" slug "\", \"area\": \"productivity\","                   \
    " \"provider\": {\"ods\": \"RTF\", \"name\": \"Northumbria\"},"            \
    " \"title\": \"Lean " slug "\", \"summary\": \"A lean review.\","          \
    " \"delivery\": \"remote\", \"contact\": \"a@example.nhs.uk\","            \
    " \"price\": {\"amount_pence\": 100000, \"unit\": \"per-day\"},"           \
    " \"attributes\": {\"lead_days_min\": 28, \"benefits_tracking\": true,"    \
    " \"min_days\": 1, \"max_days\": 10}}"

typedef struct fixture {
    char dir[4096];
    cat_catalog *cat;
    rt_runtime *rt;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char path[4200];
    fg_error err;
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    snprintf(path, sizeof path, "%s/cat.db", f->dir);
    assert_int_equal(cat_open(path, &f->cat, &err), FG_OK);
    f->rt = rt_create();
    rt_load_path(f->rt, FGCAT_BUILTIN_PLUGIN_DIR);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cat_close(f->cat);
    rt_free(f->rt);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static int64_t offerings(fixture *f)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    assert_int_equal(sqlite3_prepare_v2(cat_db(f->cat), "SELECT count(*) FROM offering", -1,
                                        &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static fg_status import(fixture *f, const char *text, cat_import_report *rep, fg_error *err)
{
    return cat_import_text(f->cat, f->rt, text, strlen(text), "offerings.json", rep, err);
}

static void test_layouts(void **state)
{
    fixture *f = *state;
    cat_import_report rep;
    fg_error err;
    assert_int_equal(import(f, "[]", &rep, &err), FG_OK);
    assert_int_equal(rep.added, 0);
    assert_int_equal(import(f, " \n[\n\t" OFFERING("a") " ,\r\n" OFFERING("b") "\n]\n ", &rep,
                            &err),
                     FG_OK);
    assert_int_equal(rep.added, 2);
    assert_int_equal(offerings(f), 2);
    assert_int_equal(import(f, "[" OFFERING("a") "," OFFERING("b") "," OFFERING("c") "]", &rep,
                            &err),
                     FG_OK);
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.unchanged, 2);
    assert_int_equal(offerings(f), 3);
}

/* Each bad text: refused with FG_EINVAL, the message holding `needle`,
   and nothing written. */
static void refuse(fixture *f, const char *text, const char *needle)
{
    cat_import_report rep;
    fg_error err;
    int64_t before = offerings(f);
    fg_status st = import(f, text, &rep, &err);
    if (st != FG_EINVAL || !strstr(err.msg, needle))
        fail_msg("expected FG_EINVAL with \"%s\", got %d: %s", needle, st, err.msg);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(offerings(f), before);
    assert_int_equal(rep.added + rep.changed + rep.unchanged, 0);
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    refuse(f, "", "line 1, column 1");
    refuse(f, "x", "line 1, column 1");
    refuse(f, OFFERING("a"), "expected a JSON array");
    /* A syntax error in the third record, on the fourth line. */
    refuse(f, "[\n" OFFERING("a") ",\n" OFFERING("b") ",\n{\"id\": }]", "line 4");
    refuse(f, "[" OFFERING("a") "," OFFERING("b") " " OFFERING("c") "]", "expected ','");
    refuse(f, "[" OFFERING("a") "] trailing", "end of file expected");
    refuse(f, "[" OFFERING("a") ", 42]", "record 2");
    refuse(f, "[" OFFERING("a") "," OFFERING("a") "]", "more than once");
    refuse(f, "[" OFFERING("a"), "line 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
