/*
 * Unit tests of CSV (catalog/csv.c): quoting and formula neutralisation on
 * writing, the byte-order mark, and reading back: the round trip of tricky
 * text, quoted fields across lines, list escapes, and errors that name the
 * line and the column, all or nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef tu_fixture fixture;

/* cat_csv_offerings of `array` as a new string. */
static char *to_csv(const json_t *array, bool bom)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    fg_error err;
    assert_non_null(out);
    assert_int_equal(cat_csv_offerings(out, array, bom, &err), FG_OK);
    fclose(out);
    return buf;
}

static json_t *tricky(void)
{
    json_t *o = tu_spec_example();
    json_object_set_new(o, "title", json_string("=SUM(A1:A9), \"quoted\""));
    json_object_set_new(o, "summary", json_string("@cmd\nsecond line"));
    json_object_set_new(o, "description", json_string("'already quoted"));
    json_object_set_new(o, "regions", json_pack("[s, s, s]", "a;b", "c\\d", "-e"));
    return o;
}

static void writes_quoted_and_neutralised(void **state)
{
    json_t *arr = json_pack("[o]", tricky());
    char *csv = to_csv(arr, false);
    (void)state;
    assert_true(strncmp(csv, "id,area,provider_ods,", 21) == 0);
    tu_assert_contains(csv, "\r\nRTF/integrated-care-community-nursing,");
    tu_assert_contains(csv, ",\"'=SUM(A1:A9), \"\"quoted\"\"\",");
    tu_assert_contains(csv, ",\"'@cmd\nsecond line\",");
    tu_assert_contains(csv, ",''already quoted,");
    tu_assert_contains(csv, ",a\\;b;c\\\\d;-e,");
    tu_assert_contains(csv, ",1850.00,GBP,per-delegate,");
    free(csv);
    csv = to_csv(arr, true);
    assert_memory_equal(csv, "\xEF\xBB\xBFid,", 6);
    free(csv);
    json_decref(arr);
}

static void round_trip(void **state)
{
    fixture *f = *state;
    json_t *in = json_pack("[o]", tricky()), *out = NULL, *got;
    char *csv = to_csv(in, true);
    cat_import_report rep;
    fg_error err;
    assert_int_equal(cat_import_csv(f->cat, f->rt, csv, strlen(csv), "t.csv", &rep, &err),
                     FG_OK);
    assert_int_equal(rep.added, 1);
    assert_int_equal(cat_offering_get(f->cat, "RTF/integrated-care-community-nursing", &got,
                                      &err),
                     FG_OK);
    out = json_array_get(in, 0);
    assert_true(json_equal(json_object_get(got, "title"), json_object_get(out, "title")));
    assert_true(json_equal(json_object_get(got, "summary"), json_object_get(out, "summary")));
    assert_true(json_equal(json_object_get(got, "description"),
                           json_object_get(out, "description")));
    assert_true(json_equal(json_object_get(got, "regions"), json_object_get(out, "regions")));
    assert_true(json_equal(json_object_get(got, "price"), json_object_get(out, "price")));
    json_decref(got);
    json_decref(in);
    free(csv);
}

/* Imports `text` expecting a refusal whose message contains `want`. */
static void refused(fixture *f, const char *text, const char *want)
{
    cat_import_report rep;
    fg_error err;
    int64_t before = tu_sql_int(f->cat, "SELECT count(*) FROM offering");
    assert_int_equal(cat_import_csv(f->cat, f->rt, text, strlen(text), "t.csv", &rep, &err),
                     FG_EINVAL);
    tu_assert_contains(err.msg, want);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), before);
}

static void errors_name_line_and_column(void **state)
{
    fixture *f = *state;
    json_t *arr = json_pack("[o]", tu_spec_example());
    char *good = to_csv(arr, false), *bad;
    size_t n = strlen(good) + 200;
    refused(f, "", "t.csv: line 1, column 22: the file is empty");
    refused(f, "id,nope\r\n", "t.csv: line 1, column 2: unknown column \"nope\"");
    refused(f, "id,id\r\n", "t.csv: line 1, column 2: a second column \"id\"");
    refused(f, "id,title\r\n\"x\"y,z\r\n", "line 2, column 1: text after the closing quote");
    refused(f, "id,title\r\nx,\"open\r\n", "line 2, column 2: a quoted field is not closed");
    refused(f, "id,title\r\nx\r\n", "line 2, column 1: 1 fields where the header row has 2");
    refused(f, "id,capacity\r\nx,many\r\n", "line 2, column 2: capacity must be a whole");
    refused(f, "id,attributes\r\nx,{\r\n", "line 2, column 2: attributes must be a JSON");
    refused(f, "id,title\r\nx,\xff\r\n", "t.csv: line 2, character 3: not UTF-8");
    /* A good record, then one whose contact is no e-mail: nothing is kept. */
    bad = malloc(2 * n);
    assert_non_null(bad);
    snprintf(bad, 2 * n, "%s%s", good, strstr(good, "\r\n") + 2);
    {
        char *at = strstr(bad + strlen(good), "partnerships@example.nhs.uk");
        assert_non_null(at);
        memcpy(at, "partnerships-example.nhs.uk", 27);
    }
    refused(f, bad, "t.csv: line 3, column 16 (contact): field contact must be an e-mail");
    free(bad);
    free(good);
    json_decref(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_quoted_and_neutralised),
        cmocka_unit_test_setup_teardown(round_trip, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(errors_name_line_and_column, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
