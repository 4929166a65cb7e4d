/*
 * The plugin SDK's header-only helpers (include/fgcat/plugin_util.h),
 * table-driven: civil dates (leap years, the ends of the range), the date a
 * lead time gives, days between dates, checked arithmetic at the int64
 * limits, and the attribute schema reader against the real host API (the
 * attributes are the host's own JSON objects, read through rt_host_api()).
 */
#include <string.h>

#include "testutil.h"
#include "fgcat/plugin_util.h"
#include "runtime.h"
#include "util.h"

static void test_parse_date(void **state)
{
    static const struct {
        const char *text;
        int ok;
        int64_t days;
    } cases[] = {
        {"1970-01-01", 1, 0},
        {"1970-01-02", 1, 1},
        {"1969-12-31", 1, -1},
        {"2000-02-29", 1, 11016},  /* divisible by 400: leap */
        {"1900-02-29", 0, 0},      /* divisible by 100: not leap */
        {"2024-02-29", 1, 19782},  /* divisible by 4: leap */
        {"2027-02-29", 0, 0},      /* not leap */
        {"2028-02-29", 1, 21243},
        {"2027-12-31", 1, 21183},
        {"2027-04-31", 0, 0},      /* April has 30 days */
        {"2027-13-01", 0, 0},
        {"2027-00-10", 0, 0},
        {"2027-01-00", 0, 0},
        {"0000-01-01", 0, 0},      /* years 1..9999 only */
        {"0001-01-01", 1, -719162},
        {"9999-12-31", 1, 2932896},
        {"2027-1-01", 0, 0},
        {"2027-01-01x", 0, 0},
        {"2027/01/01", 0, 0},
        {"", 0, 0},
        {NULL, 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t days = 12345;
        int ok = fgcat_parse_date(cases[i].text, &days);
        if (ok != cases[i].ok || (ok && days != cases[i].days))
            fail_msg("fgcat_parse_date(%s) = %d, %lld; expected %d, %lld",
                     cases[i].text ? cases[i].text : "NULL", ok, (long long)days,
                     cases[i].ok, (long long)cases[i].days);
        /* Core's own parser (years from 1900) counts days the same way. */
        if (ok && cases[i].text[0] >= '1' && strncmp(cases[i].text, "1900", 4) >= 0) {
            int64_t core_days = 0;
            assert_true(fg_parse_date(cases[i].text, &core_days));
            assert_int_equal(core_days, days);
        }
    }
}

static void test_leap_years(void **state)
{
    static const struct {
        int64_t year;
        int leap;
    } cases[] = {{1600, 1}, {1700, 0}, {1900, 0}, {2000, 1}, {2023, 0},
                 {2024, 1}, {2100, 0}, {2400, 1}, {4, 1},     {1, 0}};
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t days_in_year = fgcat_days_from_civil(cases[i].year + 1, 1, 1) -
                               fgcat_days_from_civil(cases[i].year, 1, 1);
        assert_int_equal(fgcat_is_leap_year(cases[i].year), cases[i].leap);
        assert_int_equal(days_in_year, cases[i].leap ? 366 : 365);
    }
}

/* Every day of 1896..2104 goes through days and back unchanged. */
static void test_civil_round_trip(void **state)
{
    int64_t from = fgcat_days_from_civil(1896, 1, 1), to = fgcat_days_from_civil(2104, 12, 31);
    (void)state;
    for (int64_t z = from; z <= to; z++) {
        int64_t y, m, d;
        fgcat_civil_from_days(z, &y, &m, &d);
        assert_int_equal(fgcat_days_from_civil(y, m, d), z);
    }
}

static void test_date_after(void **state)
{
    static const struct {
        const char *today;
        int64_t offset;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"2027-01-01", 42, "2027-02-12"},
        {"2027-02-28", 1, "2027-03-01"},  /* no 29th in 2027 */
        {"2028-02-28", 1, "2028-02-29"},  /* leap year */
        {"2028-02-29", 365, "2029-02-28"},
        {"2027-12-31", 1, "2028-01-01"},
        {"2027-03-01", -1, "2027-02-28"},
        {"2026-12-04", 730, "2028-12-03"}, /* two years ahead, one leap day */
        {"2027-01-01", 0, "2027-01-01"},
        {"9999-12-31", 1, NULL},          /* leaves the range */
        {"0001-01-01", -1, NULL},
        {"2027-02-30", 1, NULL},          /* not a date */
        {"2027-01-01", INT64_MAX, NULL},  /* no overflow */
        {"2027-01-01", INT64_MIN, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[16] = "junk";
        int ok = fgcat_date_after(cases[i].today, cases[i].offset, buf, sizeof buf);
        if (cases[i].want) {
            assert_int_equal(ok, 1);
            assert_string_equal(buf, cases[i].want);
        } else {
            assert_int_equal(ok, 0);
            assert_string_equal(buf, "");
        }
    }
    {
        char small[10];
        assert_int_equal(fgcat_date_after("2027-01-01", 1, small, sizeof small), 0);
    }
}

/* Lead days as the host computes them for a request. */
static void test_days_between(void **state)
{
    static const struct {
        const char *from, *to;
        int ok;
        int64_t days;
    } cases[] = {
        {"2027-01-01", "2027-02-12", 1, 42},
        {"2027-02-12", "2027-01-01", 1, -42},
        {"2028-02-01", "2028-03-01", 1, 29},
        {"2027-02-01", "2027-03-01", 1, 28},
        {"2027-01-01", "2027-01-01", 1, 0},
        {"2027-01-01", "2027-02-29", 0, 0},
        {NULL, "2027-01-01", 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t days = 0;
        assert_int_equal(fgcat_days_between(cases[i].from, cases[i].to, &days), cases[i].ok);
        if (cases[i].ok)
            assert_int_equal(days, cases[i].days);
    }
}

static void test_checked_arithmetic(void **state)
{
    static const struct {
        int64_t a, b;
        int mul_ok;
        int64_t product;
        int add_ok;
    } cases[] = {
        {0, INT64_MAX, 1, 0, 1},
        {1, INT64_MAX, 1, INT64_MAX, 0},
        {2, INT64_MAX / 2, 1, INT64_MAX - 1, 1},
        {2, INT64_MAX / 2 + 1, 0, 0, 1},
        {185000, 24, 1, 4440000, 1},
        {3037000500, 3037000500, 0, 0, 1}, /* just over sqrt(2^63) */
        {3037000499, 3037000499, 1, 9223372030926249001, 1},
        {-1, INT64_MIN, 0, 0, 0},
        {INT64_MIN, -1, 0, 0, 0},
        {-3, 4, 1, -12, 1},
        {INT64_MAX, 1, 1, INT64_MAX, 0},
        {INT64_MIN, 1, 1, INT64_MIN, 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t out = 77;
        int ok = fgcat_mul_ok(cases[i].a, cases[i].b, &out);
        if (ok != cases[i].mul_ok || (ok && out != cases[i].product) || (!ok && out != 77))
            fail_msg("fgcat_mul_ok(%lld, %lld) = %d, %lld", (long long)cases[i].a,
                     (long long)cases[i].b, ok, (long long)out);
        out = 77;
        ok = fgcat_add_ok(cases[i].a, cases[i].b, &out);
        if (ok != cases[i].add_ok || (ok && out != cases[i].a + cases[i].b) ||
            (!ok && out != 77))
            fail_msg("fgcat_add_ok(%lld, %lld) = %d", (long long)cases[i].a,
                     (long long)cases[i].b, ok);
    }
}

static void test_say(void **state)
{
    char msg[8];
    (void)state;
    fgcat_say(msg, sizeof msg, "%d day%s", 12, fgcat_plural(12));
    assert_string_equal(msg, "12 days");
    fgcat_say(msg, sizeof msg, "a sentence longer than the buffer");
    assert_string_equal(msg, "a sente"); /* cut, NUL-terminated */
    fgcat_say(NULL, 0, "nothing to write into");
    assert_string_equal(fgcat_plural(1), "");
    assert_string_equal(fgcat_plural(0), "s");
}

static int is_colour(const char *s)
{
    return strcmp(s, "red") == 0 || strcmp(s, "blue") == 0;
}

enum { S_SIZE, S_LEAD, S_FLAG, S_COLOUR, S_COUNT };

static const fgcat_attr_spec schema[S_COUNT] = {
    [S_SIZE] = {"size", FGCAT_ATTR_INT, 1, 1, 20, 0, NULL, NULL, NULL},
    [S_LEAD] = {"lead", FGCAT_ATTR_INT, 0, 0, 365, 42, NULL, NULL, NULL},
    [S_FLAG] = {"flag", FGCAT_ATTR_BOOL, 0, 0, 1, 0, NULL, NULL, NULL},
    [S_COLOUR] = {"colour", FGCAT_ATTR_STRING, 0, 1, 10, 0, "red", is_colour,
                  "red or blue"},
};

static void test_schema_reader(void **state)
{
    static const struct {
        const char *attrs; /* NULL: no attributes object */
        const char *error; /* NULL: accepted */
        int64_t size, lead, flag;
        const char *colour;
    } cases[] = {
        {"{\"size\": 8}", NULL, 8, 42, 0, "red"},
        {"{\"size\": 20, \"lead\": 0, \"flag\": true, \"colour\": \"blue\"}", NULL, 20, 0, 1,
         "blue"},
        {"{\"colour\": \"blue\", \"size\": 1}", NULL, 1, 42, 0, "blue"},
        {"{\"size\": 8, \"lead\": null}", NULL, 8, 42, 0, "red"}, /* null reads as absent */
        {"{}", "attribute size is required: an integer between 1 and 20", 0, 0, 0, NULL},
        {NULL, "attribute size is required: an integer between 1 and 20", 0, 0, 0, NULL},
        {"{\"size\": 21}", "attribute size must be an integer between 1 and 20", 0, 0, 0,
         NULL},
        {"{\"size\": 0}", "attribute size must be an integer between 1 and 20", 0, 0, 0, NULL},
        {"{\"size\": \"8\"}", "attribute size must be an integer between 1 and 20", 0, 0, 0,
         NULL},
        {"{\"size\": 8.5}", "attribute size must be an integer between 1 and 20", 0, 0, 0,
         NULL},
        {"{\"size\": 8, \"lead\": 366}", "attribute lead must be an integer between 0 and 365",
         0, 0, 0, NULL},
        {"{\"size\": 8, \"flag\": 1}", "attribute flag must be true or false", 0, 0, 0, NULL},
        {"{\"size\": 8, \"colour\": \"green\"}", "attribute colour must be red or blue", 0, 0,
         0, NULL},
        {"{\"size\": 8, \"colour\": \"\"}", "attribute colour must be red or blue", 0, 0, 0,
         NULL},
        {"{\"size\": 8, \"colour\": 3}", "attribute colour must be red or blue", 0, 0, 0,
         NULL},
        {"{\"size\": 8, \"shape\": \"round\"}",
         "attribute shape is not known to test; use size, lead, flag or colour", 0, 0, 0,
         NULL},
    };
    const fgcat_host_api *host = rt_host_api();
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *attrs = cases[i].attrs ? tu_json(cases[i].attrs) : NULL;
        fgcat_attr_value v[S_COUNT];
        char msg[200] = "";
        int rc = fgcat_read_attrs(host, (const fgcat_attrs *)attrs, "test", schema, S_COUNT,
                                  v, msg, sizeof msg);
        if (cases[i].error) {
            if (rc != FGCAT_ERR_INVALID || strcmp(msg, cases[i].error) != 0)
                fail_msg("case %zu (%s): rc %d, message \"%s\"; expected \"%s\"", i,
                         cases[i].attrs ? cases[i].attrs : "NULL", rc, msg, cases[i].error);
        } else {
            if (rc != FGCAT_OK)
                fail_msg("case %zu (%s) refused: %s", i, cases[i].attrs, msg);
            assert_int_equal(v[S_SIZE].i, cases[i].size);
            assert_int_equal(v[S_LEAD].i, cases[i].lead);
            assert_int_equal(v[S_FLAG].i, cases[i].flag);
            assert_string_equal(v[S_COLOUR].s, cases[i].colour);
            assert_int_equal(v[S_SIZE].present, 1);
        }
        json_decref(attrs);
    }
}

/* Presence is reported, so plugins can require keys by price unit. */
static void test_schema_presence(void **state)
{
    const fgcat_host_api *host = rt_host_api();
    json_t *attrs = tu_json("{\"size\": 3, \"flag\": false}");
    fgcat_attr_value v[S_COUNT];
    char msg[200] = "";
    (void)state;
    assert_int_equal(fgcat_read_attrs(host, (const fgcat_attrs *)attrs, "test", schema,
                                      S_COUNT, v, msg, sizeof msg),
                     FGCAT_OK);
    assert_int_equal(v[S_SIZE].present, 1);
    assert_int_equal(v[S_LEAD].present, 0);
    assert_int_equal(v[S_FLAG].present, 1);
    assert_int_equal(v[S_COLOUR].present, 0);
    /* Values only: keys outside the specs are left to the caller. */
    json_object_set_new(attrs, "shape", json_string("round"));
    assert_int_equal(fgcat_read_attr_values(host, (const fgcat_attrs *)attrs, schema, 1, v,
                                            msg, sizeof msg),
                     FGCAT_OK);
    assert_int_equal(fgcat_check_attr_keys(host, (const fgcat_attrs *)attrs, "test", schema,
                                           S_COUNT, msg, sizeof msg),
                     FGCAT_ERR_INVALID);
    json_decref(attrs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_date),      cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_civil_round_trip), cmocka_unit_test(test_date_after),
        cmocka_unit_test(test_days_between),    cmocka_unit_test(test_checked_arithmetic),
        cmocka_unit_test(test_say),             cmocka_unit_test(test_schema_reader),
        cmocka_unit_test(test_schema_presence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
