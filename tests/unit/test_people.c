/*
 * Unit tests of people (catalog/people.c) on a real catalogue: accounts
 * and roles, the password rules, setting a password through a one-time
 * reset secret (Argon2id from the real libsodium), signing in, and the
 * lock-out after failed sign-ins; browser sessions (catalog/session.c).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

typedef tu_fixture fixture;

static void add(fixture *f, const char *email, const char *ods, cat_role role)
{
    fg_error err;
    if (cat_person_add(f->cat, email, ods, role, &err) != FG_OK)
        fail_msg("cat_person_add %s: %s", email, err.msg);
}

static void test_accounts_and_roles(void **state)
{
    fixture *f = *state;
    static const char *const bad_email[] = {"", "a", "a@b", "@nhs.net", "a@.net", "a@nhs.",
                                            "a b@nhs.net", "a@b@nhs.net", "a<b>@nhs.net"};
    json_t *list = NULL, *p = NULL;
    cat_role role;
    fg_error err;

    add(f, "ann.requester@nhs.net", "RXX", CAT_ROLE_REQUESTER);
    add(f, "bob.approver@nhs.net", "RXX", CAT_ROLE_APPROVER);
    add(f, "cat.admin@nhs.net", "RTF", CAT_ROLE_ADMIN);
    /* An address is one account whatever its case. */
    assert_int_equal(cat_person_add(f->cat, "ANN.Requester@NHS.net", "RTF", CAT_ROLE_ADMIN,
                                    &err),
                     FG_ECONFLICT);
    for (size_t i = 0; i < sizeof bad_email / sizeof *bad_email; i++)
        assert_int_equal(cat_person_add(f->cat, bad_email[i], "RXX", CAT_ROLE_ADMIN, &err),
                         FG_EINVAL);
    assert_int_equal(cat_person_add(f->cat, "d@nhs.net", "rxx", CAT_ROLE_ADMIN, &err),
                     FG_EINVAL);

    assert_int_equal(cat_person_list(f->cat, "RXX", &list, &err), FG_OK);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "role")),
                        "approver");
    assert_true(json_is_false(json_object_get(json_array_get(list, 0), "password_set")));
    assert_null(json_object_get(json_array_get(list, 0), "password"));
    json_decref(list);

    assert_int_equal(cat_person_set_role(f->cat, "BOB.approver@nhs.net", CAT_ROLE_ADMIN, &err),
                     FG_OK);
    assert_int_equal(cat_person_get(f->cat, "bob.approver@nhs.net", &p, &err), FG_OK);
    assert_string_equal(json_string_value(json_object_get(p, "role")), "admin");
    json_decref(p);
    assert_int_equal(cat_person_remove(f->cat, "bob.approver@nhs.net", &err), FG_OK);
    assert_int_equal(cat_person_remove(f->cat, "bob.approver@nhs.net", &err), FG_ENOTFOUND);
    assert_int_equal(cat_person_set_role(f->cat, "nobody@nhs.net", CAT_ROLE_ADMIN, &err),
                     FG_ENOTFOUND);
    assert_int_equal(cat_person_list(f->cat, NULL, &list, &err), FG_OK);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);

    assert_true(cat_role_parse("approver", &role) && role == CAT_ROLE_APPROVER);
    assert_false(cat_role_parse("Approver", &role));
    assert_false(cat_role_parse("", &role));
}

static void test_password_rules(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "short",              /* under 12 */
        "elevenchars",        /* 11 */
        "password1234",       /* common word and digits */
        "Password123!",       /* the same, any case, with punctuation */
        "123456789012",       /* digits only */
        "qwertyuiop12",       /* keyboard row */
        "aaaaaaaaaaaaaaaa",   /* one character repeated */
        "ann@example.nhs.uk", /* the address itself */
        "tab\there-is-bad",   /* a control character */
        "\xff\xfe-not-utf8-text",
    };
    static const char *const accepted[] = {"correct horse battery", "Trust-partnership-7",
                                           "éléphant rose 12"};
    char too_long[CAT_PASSWORD_MAX + 2];
    fg_error err;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (cat_password_check("ann@example.nhs.uk", refused[i], &err) != FG_EINVAL)
            fail_msg("accepted '%s'", refused[i]);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        if (cat_password_check("ann@example.nhs.uk", accepted[i], &err) != FG_OK)
            fail_msg("refused '%s': %s", accepted[i], err.msg);
    }
    memset(too_long, 'x', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    too_long[0] = 'y';
    assert_int_equal(cat_password_check("a@b.cc", too_long, &err), FG_EINVAL);
    assert_non_null(strstr(err.msg, "at most"));
}

static void test_reset_set_and_sign_in(void **state)
{
    fixture *f = *state;
    char secret[CAT_TOKEN_SIZE], older[CAT_TOKEN_SIZE], email[CAT_EMAIL_MAX + 1];
    json_t *p = NULL;
    fg_error err;
    add(f, "ann@nhs.net", "RXX", CAT_ROLE_REQUESTER);

    /* No password yet: nobody signs in, whatever they type. */
    assert_int_equal(cat_person_sign_in(f->cat, "ann@nhs.net", "", &p, &err), FG_EPERM);
    assert_int_equal(cat_person_reset(f->cat, "nobody@nhs.net", 3600, secret, &err),
                     FG_ENOTFOUND);
    assert_int_equal(cat_person_reset(f->cat, "ann@nhs.net", 3600, older, &err), FG_OK);
    assert_int_equal(cat_person_reset(f->cat, "ann@nhs.net", 3600, secret, &err), FG_OK);
    assert_memory_equal(secret, "fgr_", 4);
    /* The newer secret replaced the older; a bad password keeps it. */
    assert_int_equal(cat_person_set_password(f->cat, older, "correct horse battery", email,
                                             &err),
                     FG_EPERM);
    assert_int_equal(cat_person_set_password(f->cat, secret, "password1234", email, &err),
                     FG_EINVAL);
    assert_int_equal(cat_person_set_password(f->cat, secret, "correct horse battery", email,
                                             &err),
                     FG_OK);
    assert_string_equal(email, "ann@nhs.net");
    /* Used once. */
    assert_int_equal(cat_person_set_password(f->cat, secret, "another good phrase", email,
                                             &err),
                     FG_EPERM);
    /* Only the Argon2id string is stored. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM person WHERE password LIKE "
                                        "'$argon2id$%' AND reset_hash IS NULL"),
                     1);

    assert_int_equal(cat_person_sign_in(f->cat, "ANN@nhs.net", "correct horse battery", &p,
                                        &err),
                     FG_OK);
    assert_string_equal(json_string_value(json_object_get(p, "ods")), "RXX");
    json_decref(p);
    assert_int_equal(cat_person_sign_in(f->cat, "ann@nhs.net", "correct horse batterY", &p,
                                        &err),
                     FG_EPERM);
    assert_string_equal(err.msg, "wrong e-mail address or password");
    assert_int_equal(cat_person_sign_in(f->cat, "nobody@nhs.net", "correct horse battery", &p,
                                        &err),
                     FG_EPERM);
    assert_string_equal(err.msg, "wrong e-mail address or password");

    /* An expired secret is refused. */
    assert_int_equal(cat_person_reset(f->cat, "ann@nhs.net", 3600, secret, &err), FG_OK);
    assert_int_equal(sqlite3_exec(cat_db(f->cat),
                                  "UPDATE person SET reset_expires = '2020-01-01T00:00:00Z'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(cat_person_set_password(f->cat, secret, "another good phrase", email,
                                             &err),
                     FG_EPERM);
    assert_non_null(strstr(err.msg, "expired"));
}

static void test_lock_out(void **state)
{
    fixture *f = *state;
    char secret[CAT_TOKEN_SIZE], email[CAT_EMAIL_MAX + 1];
    json_t *p = NULL;
    fg_error err;
    add(f, "bob@nhs.net", "RTF", CAT_ROLE_APPROVER);
    assert_int_equal(cat_person_reset(f->cat, "bob@nhs.net", 600, secret, &err), FG_OK);
    assert_int_equal(cat_person_set_password(f->cat, secret, "a long pass phrase", email,
                                             &err),
                     FG_OK);
    /* A success clears the count. */
    for (int i = 0; i < CAT_SIGNIN_FAILURES - 1; i++)
        assert_int_equal(cat_person_sign_in(f->cat, "bob@nhs.net", "wrong guess!", &p, &err),
                         FG_EPERM);
    assert_int_equal(cat_person_sign_in(f->cat, "bob@nhs.net", "a long pass phrase", &p, &err),
                     FG_OK);
    json_decref(p);
    for (int i = 0; i < CAT_SIGNIN_FAILURES; i++)
        assert_int_equal(cat_person_sign_in(f->cat, "bob@nhs.net", "wrong guess!", &p, &err),
                         FG_EPERM);
    /* Locked: even the right password is refused, saying until when. */
    assert_int_equal(cat_person_sign_in(f->cat, "bob@nhs.net", "a long pass phrase", &p, &err),
                     FG_EREFUSED);
    assert_non_null(strstr(err.msg, "locked until"));
    assert_int_equal(cat_person_get(f->cat, "bob@nhs.net", &p, &err), FG_OK);
    assert_true(fg_valid_timestamp(json_string_value(json_object_get(p, "locked_until"))));
    json_decref(p);
    /* Setting a new password through a reset link unlocks. */
    assert_int_equal(cat_person_reset(f->cat, "bob@nhs.net", 600, secret, &err), FG_OK);
    assert_int_equal(cat_person_set_password(f->cat, secret, "a newer pass phrase", email,
                                             &err),
                     FG_OK);
    assert_int_equal(cat_person_sign_in(f->cat, "bob@nhs.net", "a newer pass phrase", &p,
                                        &err),
                     FG_OK);
    json_decref(p);
}

/* A session finds its person as they are now; only the hash of its
   secret is stored; it ends when ended, when its person goes, when unused
   for the idle time and after its lifetime. */
static void test_sessions(void **state)
{
    fixture *f = *state;
    char one[CAT_TOKEN_SIZE], two[CAT_TOKEN_SIZE], old[CAT_TOKEN_SIZE];
    json_t *who = NULL;
    fg_error err;
    sqlite3_stmt *st;

    add(f, "ann@nhs.net", "RXX", CAT_ROLE_REQUESTER);
    assert_int_equal(cat_session_create(f->cat, "ann@nhs.net", 3600, one, &err), FG_OK);
    assert_int_equal(cat_session_create(f->cat, "ann@nhs.net", 3600, two, &err), FG_OK);
    assert_int_equal(cat_session_create(f->cat, "ann@nhs.net", 0, old, &err), FG_OK);
    assert_int_equal(strncmp(one, "fgs_", 4), 0);
    assert_string_not_equal(one, two);
    assert_int_equal(sqlite3_prepare_v2(cat_db(f->cat), "SELECT count(*) FROM session "
                                        "WHERE hash = ?1 OR email = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, one, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0); /* the secret is not stored */
    sqlite3_finalize(st);

    assert_int_equal(cat_session_find(f->cat, one, 1800, &who, &err), FG_OK);
    assert_string_equal(json_string_value(json_object_get(who, "role")), "requester");
    json_decref(who);
    assert_int_equal(cat_person_set_role(f->cat, "ann@nhs.net", CAT_ROLE_APPROVER, &err),
                     FG_OK);
    assert_int_equal(cat_session_find(f->cat, one, 1800, &who, &err), FG_OK);
    assert_string_equal(json_string_value(json_object_get(who, "role")), "approver");
    json_decref(who);

    /* Past its lifetime; unused for longer than the idle time (0 s). */
    assert_int_equal(cat_session_find(f->cat, old, 1800, &who, &err), FG_ENOTFOUND);
    assert_null(who);
    assert_int_equal(cat_session_find(f->cat, "fgs_nonsense", 1800, &who, &err), FG_ENOTFOUND);
    assert_int_equal(cat_session_find(f->cat, one, 0, &who, &err), FG_ENOTFOUND);
    assert_int_equal(cat_session_find(f->cat, one, 1800, &who, &err), FG_ENOTFOUND);

    /* Ending one leaves the other; removing the person ends all. */
    assert_int_equal(cat_session_create(f->cat, "ann@nhs.net", 3600, one, &err), FG_OK);
    assert_int_equal(cat_session_end(f->cat, one, &err), FG_OK);
    assert_int_equal(cat_session_find(f->cat, one, 1800, &who, &err), FG_ENOTFOUND);
    assert_int_equal(cat_session_find(f->cat, two, 1800, &who, &err), FG_OK);
    json_decref(who);
    assert_int_equal(cat_person_remove(f->cat, "ANN@nhs.net", &err), FG_OK);
    assert_int_equal(cat_session_find(f->cat, two, 1800, &who, &err), FG_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accounts_and_roles, tu_setup, tu_teardown),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test_setup_teardown(test_reset_set_and_sign_in, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_lock_out, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_sessions, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
