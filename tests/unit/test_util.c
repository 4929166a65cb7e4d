/*
 * Unit tests of core/util.c, table-driven: calendar dates (leap years,
 * invalid days), time stamps, UTF-8 validation (overlong forms, surrogates,
 * cut sequences), e-mail addresses, ODS codes and slugs, integers and
 * amounts of money in pounds.  Each table row is one input and what the
 * function must answer; a failing row names itself.
 */
#include "testutil.h"

#include <string.h>

#include "util.h"

/* ---- dates ------------------------------------------------------------- */

typedef struct {
    const char *text;
    bool ok;
    int64_t days; /* since 1970-01-01, when ok (computed with Python's datetime) */
} date_case;

static const date_case date_cases[] = {
    {"1970-01-01", true, 0},
    {"1969-12-31", true, -1},
    {"2000-02-29", true, 11016}, /* divisible by 400: leap */
    {"2000-03-01", true, 11017},
    {"2024-02-29", true, 19782}, /* divisible by 4: leap */
    {"1900-01-01", true, -25567},
    {"1900-03-01", true, -25508},
    {"2027-03-01", true, 20878},
    {"2100-12-31", true, 47846},
    {"9999-12-31", true, 2932896},
    {"1900-02-29", false, 0}, /* divisible by 100, not 400: not leap */
    {"2100-02-29", false, 0},
    {"2023-02-29", false, 0},
    {"2027-02-30", false, 0},
    {"2027-04-31", false, 0},
    {"2027-06-31", false, 0},
    {"2027-09-31", false, 0},
    {"2027-11-31", false, 0},
    {"2027-12-32", false, 0},
    {"2027-13-01", false, 0},
    {"2027-00-10", false, 0},
    {"2027-01-00", false, 0},
    {"1899-12-31", false, 0}, /* before the catalogue's calendar */
    {"2027-3-01", false, 0},
    {"2027-03-1", false, 0},
    {"27-03-01", false, 0},
    {"2027/03/01", false, 0},
    {"2027-03-01x", false, 0},
    {"2027-03-01T00:00:00Z", false, 0},
    {" 2027-03-01", false, 0},
    {"2027-0a-01", false, 0},
    {"+027-03-01", false, 0},
    {"", false, 0},
};

static void test_dates(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof date_cases / sizeof *date_cases; i++) {
        const date_case *c = &date_cases[i];
        int64_t days = 12345;
        bool ok = fg_parse_date(c->text, &days);
        if (ok != c->ok)
            fail_msg("fg_parse_date(\"%s\") said %s", c->text, ok ? "valid" : "invalid");
        if (ok && days != c->days)
            fail_msg("fg_parse_date(\"%s\") = %lld days, expected %lld", c->text,
                     (long long)days, (long long)c->days);
        if (ok) {
            /* The same day written back by fg_time_iso. */
            char ts[FG_TIMESTAMP_SIZE], want[FG_TIMESTAMP_SIZE];
            fg_time_iso(days * 86400, ts);
            snprintf(want, sizeof want, "%sT00:00:00Z", c->text);
            assert_string_equal(ts, want);
            assert_true(fg_valid_timestamp(ts));
        }
    }
    assert_false(fg_parse_date(NULL, &(int64_t){0}));
}

typedef struct {
    const char *text;
    bool ok;
} text_case;

static const text_case timestamp_cases[] = {
    {"2026-11-22T10:00:00Z", true},
    {"2024-02-29T23:59:59Z", true},
    {"2026-12-31T23:59:60Z", true}, /* a leap second */
    {"2026-11-22T00:00:00Z", true},
    {"2023-02-29T10:00:00Z", false},
    {"2026-11-22T24:00:00Z", false},
    {"2026-11-22T10:60:00Z", false},
    {"2026-11-22T10:00:61Z", false},
    {"2026-11-22T10:00:00z", false},
    {"2026-11-22t10:00:00Z", false},
    {"2026-11-22 10:00:00Z", false},
    {"2026-11-22T10:00:00", false},
    {"2026-11-22T10:00:00+00:00", false},
    {"2026-11-22T10:00:00.5Z", false},
    {"2026-11-22T1:00:00Z", false},
    {"2026-11-22", false},
    {"", false},
};

static void test_timestamps(void **state)
{
    char now[FG_TIMESTAMP_SIZE], today[FG_DATE_SIZE];
    int64_t days;
    (void)state;
    for (size_t i = 0; i < sizeof timestamp_cases / sizeof *timestamp_cases; i++) {
        const text_case *c = &timestamp_cases[i];
        if (fg_valid_timestamp(c->text) != c->ok)
            fail_msg("fg_valid_timestamp(\"%s\") should be %s", c->text,
                     c->ok ? "true" : "false");
    }
    assert_false(fg_valid_timestamp(NULL));
    fg_time_iso(0, now);
    assert_string_equal(now, "1970-01-01T00:00:00Z");
    fg_time_iso(951868799, now);
    assert_string_equal(now, "2000-02-29T23:59:59Z");
    /* Now and today are well formed and agree with each other (read in
       this order, they differ only across a midnight: then today is the
       later day). */
    fg_now_iso(now);
    fg_today(today);
    assert_true(fg_valid_timestamp(now));
    assert_true(fg_parse_date(today, &days));
    assert_true(strncmp(now, today, 10) <= 0);
}

/* ---- UTF-8 -------------------------------------------------------------- */

typedef struct {
    const char *what;
    const char *bytes;
    size_t len;
    bool ok;
} utf8_case;

#define U(what, lit, ok) {what, lit, sizeof(lit) - 1, ok}

static const utf8_case utf8_cases[] = {
    U("empty", "", true),
    U("ASCII", "Northumbria RTF", true),
    U("a NUL inside the length", "a\0b", true),
    U("2 bytes, e acute", "caf\xC3\xA9", true),
    U("3 bytes, euro sign", "\xE2\x82\xAC", true),
    U("4 bytes, emoji", "\xF0\x9F\x98\x80", true),
    U("U+0080, the first 2-byte", "\xC2\x80", true),
    U("U+07FF, the last 2-byte", "\xDF\xBF", true),
    U("U+0800, the first 3-byte", "\xE0\xA0\x80", true),
    U("U+D7FF, below the surrogates", "\xED\x9F\xBF", true),
    U("U+E000, above the surrogates", "\xEE\x80\x80", true),
    U("U+FFFF", "\xEF\xBF\xBF", true),
    U("U+10000, the first 4-byte", "\xF0\x90\x80\x80", true),
    U("U+10FFFF, the last code point", "\xF4\x8F\xBF\xBF", true),
    U("overlong NUL", "\xC0\x80", false),
    U("overlong '/' (2 bytes)", "\xC0\xAF", false),
    U("overlong U+007F", "\xC1\xBF", false),
    U("overlong '/' (3 bytes)", "\xE0\x80\xAF", false),
    U("overlong U+07FF (3 bytes)", "\xE0\x9F\xBF", false),
    U("overlong '/' (4 bytes)", "\xF0\x80\x80\xAF", false),
    U("overlong U+FFFF (4 bytes)", "\xF0\x8F\xBF\xBF", false),
    U("high surrogate U+D800", "\xED\xA0\x80", false),
    U("low surrogate U+DFFF", "\xED\xBF\xBF", false),
    U("surrogate pair in CESU-8", "\xED\xA0\xBD\xED\xB8\x80", false),
    U("U+110000, past the end", "\xF4\x90\x80\x80", false),
    U("F5 lead byte", "\xF5\x80\x80\x80", false),
    U("5-byte form", "\xF8\x88\x80\x80\x80", false),
    U("FE", "\xFE", false),
    U("FF", "\xFF", false),
    U("lone continuation byte", "a\x80z", false),
    U("2-byte cut at the end", "caf\xC3", false),
    U("3-byte cut at the end", "\xE2\x82", false),
    U("4-byte cut at the end", "\xF0\x9F\x98", false),
    U("3-byte cut by ASCII", "\xE2\x82z", false),
    U("Latin-1 e acute", "caf\xE9", false),
};

static void test_utf8(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof utf8_cases / sizeof *utf8_cases; i++) {
        const utf8_case *c = &utf8_cases[i];
        if (fg_utf8_valid(c->bytes, c->len) != c->ok)
            fail_msg("fg_utf8_valid(%s) should be %s", c->what, c->ok ? "true" : "false");
    }
    assert_int_equal(fg_utf8_char(""), 0);
    assert_int_equal(fg_utf8_char("a"), 1);
    assert_int_equal(fg_utf8_char("\xC3"), 0);
    assert_int_equal(fg_utf8_char("\xC3\xA9z"), 2);
    assert_int_equal(fg_utf8_char("\xE2\x82\xACz"), 3);
    assert_int_equal(fg_utf8_char("\xF0\x9F\x98\x80z"), 4);
    assert_int_equal(fg_utf8_char("\xC0\x80"), 0);
    assert_int_equal(fg_utf8_char("\xED\xA0\x80"), 0);
    assert_int_equal(fg_utf8_char("\xF4\x90\x80\x80"), 0);
    assert_int_equal(fg_utf8_char("\x80"), 0);
    assert_int_equal(fg_utf8_char("\xFF"), 0);
}

static void test_utf8_scrub(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xC3\xA9", "caf\xC3\xA9"},
        {"cut \xE2\x82", "cut ??"},
        {"\xC0\x80x", "??x"},
        {"\xED\xA0\x80!", "???" "!"},
        {"a\x80" "b\xFF" "c", "a?b?c"},
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        fg_utf8_scrub(buf);
        assert_string_equal(buf, cases[i].out);
        assert_true(fg_utf8_valid(buf, strlen(buf)));
    }
}

/* ---- e-mail, ODS codes, slugs, control characters ------------------------ */

static void test_email(void **state)
{
    static const text_case cases[] = {
        {"partnerships@example.nhs.uk", true},
        {"a@b.c", true},
        {"first.last+tag@nhs.net", true},
        {"j\xC3\xA9r\xC3\xB4me@example.fr", true},
        {"", false},
        {"plain", false},
        {"@example.nhs.uk", false},
        {"lead@", false},
        {"lead@localhost", false},
        {"lead@@example.nhs.uk", false},
        {"lead@example@nhs.uk", false},
        {"lead @example.nhs.uk", false},
        {"lead@example.nhs.uk ", false},
        {"lead@example.nhs.uk\n", false},
        {"lead\t@example.nhs.uk", false},
        {"lead\x7F@example.nhs.uk", false},
        {"j\xE9r\xF4me@example.fr", false},
        {"lead@\xC0\xAE.uk", false},
    };
    char longest[300];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (fg_valid_email(cases[i].text) != cases[i].ok)
            fail_msg("fg_valid_email(\"%s\") should be %s", cases[i].text,
                     cases[i].ok ? "true" : "false");
    /* At most 254 bytes. */
    memset(longest, 'a', sizeof longest);
    memcpy(longest + 254 - 8, "@nhs.net", 9);
    assert_int_equal(strlen(longest), 254);
    assert_true(fg_valid_email(longest));
    memset(longest, 'a', sizeof longest);
    memcpy(longest + 255 - 8, "@nhs.net", 9);
    assert_false(fg_valid_email(longest));
}

static void test_ods_slug_control(void **state)
{
    static const text_case ods[] = {
        {"RTF", true},   {"RYJ", true},  {"RBV", true},    {"R1A2B", true},
        {"RT", false},   {"RTFAB1", false}, {"rtf", false}, {"R-T", false},
        {"RT F", false}, {"", false},
    };
    static const text_case slugs[] = {
        {"integrated-care-community-nursing", true},
        {"a", true},
        {"2027-cohort", true},
        {"", false},
        {"Upper", false},
        {"under_score", false},
        {"sp ace", false},
        {"caf\xC3\xA9", false},
        {"a/b", false},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ods / sizeof *ods; i++)
        if (fg_valid_ods(ods[i].text) != ods[i].ok)
            fail_msg("fg_valid_ods(\"%s\") should be %s", ods[i].text,
                     ods[i].ok ? "true" : "false");
    assert_false(fg_valid_ods(NULL));
    for (size_t i = 0; i < sizeof slugs / sizeof *slugs; i++)
        if (fg_valid_slug(slugs[i].text, 64) != slugs[i].ok)
            fail_msg("fg_valid_slug(\"%s\") should be %s", slugs[i].text,
                     slugs[i].ok ? "true" : "false");
    assert_true(fg_valid_slug("abcd", 4));
    assert_false(fg_valid_slug("abcde", 4));
    assert_false(fg_valid_slug(NULL, 64));

    assert_false(fg_has_control("one line, caf\xC3\xA9", false));
    assert_true(fg_has_control("two\nlines", false));
    assert_false(fg_has_control("two\nlines\r\n\tindented", true));
    assert_true(fg_has_control("bell\a", true));
    assert_true(fg_has_control("escape\x1B[0m", true));
    assert_true(fg_has_control("delete\x7F", true));
}

/* ---- integers and money ---------------------------------------------------- */

typedef struct {
    const char *text;
    bool ok;
    int64_t value;
} number_case;

static void test_parse_int(void **state)
{
    static const number_case cases[] = {
        {"0", true, 0},
        {"42", true, 42},
        {"-7", true, -7},
        {"100", true, 100},
        {"101", false, 0},
        {"-11", false, 0},
        {"", false, 0},
        {"12x", false, 0},
        {"1.5", false, 0},
        {"0x10", false, 0},
        {" 12", false, 0},
        {"12 ", false, 0},
        {"\t12", false, 0},
        {"99999999999999999999", false, 0},
    };
    int64_t v;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool ok = fg_parse_int(cases[i].text, -10, 100, &v);
        if (ok != cases[i].ok || (ok && v != cases[i].value))
            fail_msg("fg_parse_int(\"%s\", -10, 100) = %s %lld", cases[i].text,
                     ok ? "true" : "false", ok ? (long long)v : 0LL);
    }
    assert_false(fg_parse_int(NULL, 0, 1, &v));
    assert_true(fg_parse_int("9223372036854775807", 0, INT64_MAX, &v));
    assert_true(v == INT64_MAX);
}

static void test_parse_pounds(void **state)
{
    static const number_case cases[] = {
        {"1500", true, 150000},
        {"1500.5", true, 150050},
        {"1500.50", true, 150050},
        {"1500.05", true, 150005},
        {"0", true, 0},
        {"0.01", true, 1},
        {"0.99", true, 99},
        {"10000000000", true, 1000000000000LL}, /* the largest price */
        {"10000000000.99", true, 1000000000099LL},
        {"10000000001", false, 0},
        {"1500.", false, 0},
        {".50", false, 0},
        {"1500.505", false, 0},
        {"-1", false, 0},
        {"+1", false, 0},
        {"1.-5", false, 0},
        {"1.+5", false, 0},
        {"1. 5", false, 0},
        {" 15", false, 0},
        {"15 ", false, 0},
        {"1,500", false, 0},
        {"\xC2\xA3" "15", false, 0},
        {"15p", false, 0},
        {"1e3", false, 0},
        {"", false, 0},
        {".", false, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t pence = -1;
        bool ok = fg_parse_pounds(cases[i].text, &pence);
        if (ok != cases[i].ok || (ok && pence != cases[i].value))
            fail_msg("fg_parse_pounds(\"%s\") = %s %lld, expected %s %lld", cases[i].text,
                     ok ? "true" : "false", ok ? (long long)pence : 0LL,
                     cases[i].ok ? "true" : "false", (long long)cases[i].value);
    }
}

static void test_join_strdup(void **state)
{
    static const char *const parts[] = {"integrated", "care", "training"};
    char *s;
    (void)state;
    s = fg_join(parts, 3);
    assert_string_equal(s, "integrated care training");
    free(s);
    s = fg_join(parts, 0);
    assert_string_equal(s, "");
    free(s);
    s = fg_strdup("RTF");
    assert_string_equal(s, "RTF");
    free(s);
    assert_null(fg_strdup(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),          cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_utf8),           cmocka_unit_test(test_utf8_scrub),
        cmocka_unit_test(test_email),          cmocka_unit_test(test_ods_slug_control),
        cmocka_unit_test(test_parse_int),      cmocka_unit_test(test_parse_pounds),
        cmocka_unit_test(test_join_strdup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
