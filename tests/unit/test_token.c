/*
 * Unit tests of the hub's tokens (catalog/token.c) on a real catalogue:
 * issued once and stored only as a hash, bound to one organisation, listed
 * without the secret, revoked by organisation or by id.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef tu_fixture fixture;

static void issue(fixture *f, const char *ods, char token[CAT_TOKEN_SIZE])
{
    fg_error err;
    if (cat_token_create(f->cat, ods, 0, token, &err) != FG_OK)
        fail_msg("cat_token_create %s: %s", ods, err.msg);
}

/* The organisation `token` is good for, or "" when refused (FG_EPERM). */
static const char *check(fixture *f, const char *token)
{
    static char ods[8];
    fg_error err;
    fg_status st = cat_token_check(f->cat, token, ods, &err);
    if (st == FG_EPERM)
        return "";
    assert_int_equal(st, FG_OK);
    return ods;
}

/* True when `needle` occurs anywhere in the file at `path`. */
static bool file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long len;
    bool found = false;
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    for (long i = 0; !found && i + (long)strlen(needle) <= len; i++)
        found = memcmp(buf + i, needle, strlen(needle)) == 0;
    free(buf);
    return found;
}

static void test_issue_and_check(void **state)
{
    fixture *f = *state;
    char a[CAT_TOKEN_SIZE], b[CAT_TOKEN_SIZE], path[4200], bad[CAT_TOKEN_SIZE];
    issue(f, "RXX", a);
    issue(f, "RXX", b);
    assert_int_equal(strlen(a), CAT_TOKEN_SIZE - 1);
    assert_memory_equal(a, "fgc_", 4);
    for (size_t i = 4; i < strlen(a); i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_not_equal(a, b);
    assert_string_equal(check(f, a), "RXX");
    assert_string_equal(check(f, b), "RXX");

    /* Anything else is refused: another token, a cut or changed one. */
    static const char *const refused[] = {"", "fgc_", "not-a-token",
                                          "fgc_0000000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        assert_string_equal(check(f, refused[i]), "");
    snprintf(bad, sizeof bad, "%s", a);
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    assert_string_equal(check(f, bad), "");
    bad[strlen(bad) - 1] = '\0';
    assert_string_equal(check(f, bad), "");

    /* Only the hash is kept: the token is nowhere in the file. */
    cat_close(f->cat);
    snprintf(path, sizeof path, "%s/cat.db", f->dir);
    assert_false(file_contains(path, a + 4));
    assert_false(file_contains(path, b + 4));
    f->cat = tu_open_catalog(f->dir, "cat.db");
    assert_string_equal(check(f, a), "RXX");
}

static void test_bad_organisation(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {"", "rxx", "RX", "RXXXXX", "R X", "R/X"};
    char token[CAT_TOKEN_SIZE];
    fg_error err;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(cat_token_create(f->cat, bad[i], 0, token, &err), FG_EINVAL);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token"), 0);
}

static void test_list_and_revoke(void **state)
{
    fixture *f = *state;
    char a[CAT_TOKEN_SIZE], b[CAT_TOKEN_SIZE], c[CAT_TOKEN_SIZE], id[16];
    json_t *list = NULL, *t;
    size_t i, revoked = 0;
    char *text;
    fg_error err;
    issue(f, "RXX", a);
    issue(f, "RXX", b);
    issue(f, "RYJ", c);

    assert_int_equal(cat_token_list(f->cat, &list, &err), FG_OK);
    assert_int_equal(json_array_size(list), 3);
    text = json_dumps(list, JSON_COMPACT);
    assert_null(strstr(text, a + 4));
    assert_null(strstr(text, c + 4));
    free(text);
    json_array_foreach(list, i, t) {
        assert_int_equal(strlen(json_string_value(json_object_get(t, "id"))), 12);
        assert_true(json_is_null(json_object_get(t, "revoked_at")));
        if (strcmp(json_string_value(json_object_get(t, "ods")), "RYJ") == 0)
            snprintf(id, sizeof id, "%s", json_string_value(json_object_get(t, "id")));
    }
    json_decref(list);

    /* By organisation: every valid token of it. */
    assert_int_equal(cat_token_revoke(f->cat, "RXX", &revoked, &err), FG_OK);
    assert_int_equal(revoked, 2);
    assert_string_equal(check(f, a), "");
    assert_string_equal(check(f, b), "");
    assert_string_equal(check(f, c), "RYJ");
    assert_int_equal(cat_token_revoke(f->cat, "RXX", &revoked, &err), FG_ENOTFOUND);

    /* By id: that one. */
    assert_int_equal(cat_token_revoke(f->cat, id, &revoked, &err), FG_OK);
    assert_int_equal(revoked, 1);
    assert_string_equal(check(f, c), "");
    assert_int_equal(cat_token_revoke(f->cat, "ZZZ99", &revoked, &err), FG_ENOTFOUND);

    assert_int_equal(cat_token_list(f->cat, &list, &err), FG_OK);
    json_array_foreach(list, i, t) assert_true(
        fg_valid_timestamp(json_string_value(json_object_get(t, "revoked_at"))));
    json_decref(list);
}

/* Runs `sql` on the fixture's catalogue. */
static void exec_sql(fixture *f, const char *sql)
{
    assert_int_equal(sqlite3_exec(cat_db(f->cat), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_expiry(void **state)
{
    fixture *f = *state;
    char a[CAT_TOKEN_SIZE];
    json_t *list = NULL;
    fg_error err;
    assert_int_equal(cat_token_create(f->cat, "RXX", 3600, a, &err), FG_OK);
    assert_string_equal(check(f, a), "RXX");
    assert_int_equal(cat_token_list(f->cat, &list, &err), FG_OK);
    assert_true(fg_valid_timestamp(
        json_string_value(json_object_get(json_array_get(list, 0), "expires_at"))));
    json_decref(list);
    assert_int_equal(cat_token_create(f->cat, "RXX", -1, a, &err), FG_EINVAL);

    /* Past its expiry the token is refused, saying so. */
    exec_sql(f, "UPDATE token SET expires_at = '2020-01-01T00:00:00Z'");
    assert_int_equal(cat_token_check(f->cat, a, (char[8]){0}, &err), FG_EPERM);
    assert_non_null(strstr(err.msg, "expired at 2020-01-01T00:00:00Z"));
    /* An expired token is not valid: nothing to revoke or rotate. */
    size_t n = 0;
    assert_int_equal(cat_token_revoke(f->cat, "RXX", &n, &err), FG_ENOTFOUND);
}

static void test_rotate(void **state)
{
    fixture *f = *state;
    char a[CAT_TOKEN_SIZE], b[CAT_TOKEN_SIZE], c[CAT_TOKEN_SIZE], fresh[CAT_TOKEN_SIZE];
    char ods[8] = "";
    size_t rotated = 0;
    fg_error err;
    issue(f, "RXX", a);
    issue(f, "RXX", b);
    issue(f, "RYJ", c);
    assert_int_equal(cat_token_rotate(f->cat, "RXX", 0, 600, fresh, ods, &rotated, &err),
                     FG_OK);
    assert_int_equal(rotated, 2);
    assert_string_equal(ods, "RXX");
    /* The old ones work until the grace period ends, the new one for good. */
    assert_string_equal(check(f, a), "RXX");
    assert_string_equal(check(f, fresh), "RXX");
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token WHERE ods = 'RXX' AND "
                                        "expires_at IS NOT NULL"),
                     2);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token WHERE ods = 'RYJ' AND "
                                        "expires_at IS NULL"),
                     1);
    /* A grace period never lengthens a token's life. */
    exec_sql(f, "UPDATE token SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', "
                "'+60 seconds') WHERE ods = 'RYJ'");
    exec_sql(f, "CREATE TEMP TABLE before AS SELECT hash, expires_at FROM token");
    assert_int_equal(cat_token_rotate(f->cat, "RYJ", 0, 600, fresh, ods, &rotated, &err),
                     FG_OK);
    assert_int_equal(rotated, 1);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token JOIN before USING (hash) "
                                        "WHERE token.ods = 'RYJ' AND "
                                        "token.expires_at = before.expires_at"),
                     1);
    assert_int_equal(cat_token_rotate(f->cat, "ZZZ99", 0, 600, fresh, ods, &rotated, &err),
                     FG_ENOTFOUND);
    assert_int_equal(cat_token_rotate(f->cat, "no", 0, 600, fresh, ods, &rotated, &err),
                     FG_EINVAL);
    /* Nothing of a refused rotation is stored. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token"), 5);
}

/* An ODS code is never read as the start of a hash: "ABC12" names the
   tokens of ABC12, not a token whose hash starts with abc12. */
static void test_ods_is_not_a_hash_prefix(void **state)
{
    fixture *f = *state;
    char a[CAT_TOKEN_SIZE];
    size_t n = 0;
    fg_error err;
    issue(f, "RXX", a);
    exec_sql(f, "UPDATE token SET hash = 'abc12' || substr(hash, 6)");
    assert_int_equal(cat_token_revoke(f->cat, "ABC12", &n, &err), FG_ENOTFOUND);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM token WHERE revoked_at IS NULL"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_and_check, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_bad_organisation, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_list_and_revoke, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_expiry, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_rotate, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_ods_is_not_a_hash_prefix, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
