/*
 * fg_money, the one money formatter (the command line and the hub's pages
 * both print with it): grouping, pence, currencies, amounts below zero,
 * the extremes of int64_t, and a buffer too small.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void test_table(void **state)
{
    static const struct {
        int64_t pence;
        const char *currency, *want;
    } cases[] = {
        {0, "GBP", "\xc2\xa3" "0.00"},
        {5, "GBP", "\xc2\xa3" "0.05"},
        {185000, "GBP", "\xc2\xa3" "1,850.00"},
        {2220000, "GBP", "\xc2\xa3" "22,200.00"},
        {100000000, "GBP", "\xc2\xa3" "1,000,000.00"},
        {-50, "GBP", "-\xc2\xa3" "0.50"},
        {-150, "GBP", "-\xc2\xa3" "1.50"},
        {-18500099, "GBP", "-\xc2\xa3" "185,000.99"},
        {185050, "EUR", "1,850.50 EUR"},
        {-185050, "EUR", "-1,850.50 EUR"},
        {99, NULL, "0.99 "},
        {INT64_MAX, "GBP", "\xc2\xa3" "92,233,720,368,547,758.07"},
        {INT64_MIN, "GBP", "-\xc2\xa3" "92,233,720,368,547,758.08"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        assert_true(fg_money(buf, sizeof buf, cases[i].pence, cases[i].currency));
        assert_string_equal(buf, cases[i].want);
    }
}

/* A buffer too small is said so, and still holds a terminated string. */
static void test_too_small(void **state)
{
    char buf[6];
    (void)state;
    memset(buf, 'x', sizeof buf);
    assert_false(fg_money(buf, sizeof buf, 185000, "GBP"));
    assert_int_equal(strlen(buf), sizeof buf - 1);
    assert_true(fg_money(buf, sizeof buf, 5, "EUR") == false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
