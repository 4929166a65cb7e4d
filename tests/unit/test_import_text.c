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

typedef tu_fixture fixture;

static int64_t offerings(fixture *f)
{
    return tu_sql_int(f->cat, "SELECT count(*) FROM offering");
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

/* A file of `n` offerings; record `bad` (1-based; 0: none) has a delivery
   no offering may have; `tail` follows the array.  New. */
static char *many(size_t n, size_t bad, const char *tail)
{
    size_t size = n * 600 + strlen(tail) + 16, len = 0;
    char *text = malloc(size);
    assert_non_null(text);
    len += (size_t)snprintf(text, size, "[");
    for (size_t i = 1; i <= n; i++) {
        char slug[32];
        snprintf(slug, sizeof slug, "r%zu", i);
        len += (size_t)snprintf(text + len, size - len, "%s%s", i > 1 ? ",\n" : "",
                                i == bad ? "{\"id\": \"RTF/bad\", \"delivery\": \"by post\"}"
                                         : "");
        if (i != bad) {
            const char *proto = OFFERING("SLUG");
            const char *at = strstr(proto, "SLUG");
            /* the id slug; the title keeps "SLUG" */
            len += (size_t)snprintf(text + len, size - len, "%.*s%s%s", (int)(at - proto),
                                    proto, slug, at + 4);
        }
    }
    snprintf(text + len, size - len, "]%s", tail);
    return text;
}

/* More records than the reader thread queues at once (batches of 256, four
   waiting): all go in, in one transaction. */
static void test_many_records(void **state)
{
    fixture *f = *state;
    cat_import_report rep;
    fg_error err;
    int64_t before = offerings(f);
    char *text = many(3000, 0, "\n");
    assert_int_equal(import(f, text, &rep, &err), FG_OK);
    assert_int_equal(rep.added, 3000);
    assert_int_equal(offerings(f), before + 3000);
    free(text);
}

/* The first problem in file order is the one reported, whichever thread
   finds it, and nothing is written: a bad record deep in the file before a
   syntax error at its end, and the syntax error alone. */
static void test_first_problem_across_batches(void **state)
{
    fixture *f = *state;
    char *text = many(3000, 1700, " trailing");
    refuse(f, text, "record 1700");
    free(text);
    text = many(3000, 0, " trailing");
    refuse(f, text, "end of file expected");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layouts, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_many_records, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_first_problem_across_batches, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
