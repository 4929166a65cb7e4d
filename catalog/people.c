/*
 * People: personal accounts of an organisation with a role, their
 * passwords (Argon2id, from libsodium) and the counting of failed
 * sign-ins.  A password is set only through a one-time reset secret, which
 * is stored as a SHA-256 hash like a hub token.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "util.h"

/* Argon2id at OWASP's recommended minimum for password storage: 19 MiB of
   memory, two passes (one lane: libsodium's only choice). */
#define PW_OPSLIMIT 2ULL
#define PW_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define LOCK_FIRST 900    /* seconds locked out after CAT_SIGNIN_FAILURES */
#define LOCK_MAX 86400    /* ... doubling with each further failure up to this */

#define PERSON_COLUMNS "email, ods, role, created_at, password IS NOT NULL, locked_until"

static const char sql_insert[] =
    "INSERT INTO person(email, ods, role, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char sql_list[] =
    "SELECT " PERSON_COLUMNS " FROM person WHERE ?1 IS NULL OR ods = ?1 ORDER BY ods, email";
static const char sql_get[] = "SELECT " PERSON_COLUMNS " FROM person WHERE email = ?1";
static const char sql_remove[] = "DELETE FROM person WHERE email = ?1";
static const char sql_set_role[] = "UPDATE person SET role = ?2 WHERE email = ?1";
static const char sql_set_reset[] =
    "UPDATE person SET reset_hash = ?2, reset_expires = ?3 WHERE email = ?1";
static const char sql_find_reset[] =
    "SELECT email, reset_expires FROM person WHERE reset_hash = ?1";
static const char sql_set_password[] =
    "UPDATE person SET password = ?2, reset_hash = NULL, reset_expires = NULL,"
    " failures = 0, locked_until = NULL WHERE email = ?1";
static const char sql_sign_in[] =
    "SELECT password, failures, locked_until FROM person WHERE email = ?1";
static const char sql_failed[] =
    "UPDATE person SET failures = ?2, locked_until = ?3 WHERE email = ?1";

static const char *const role_names[] = {"requester", "approver", "admin"};

bool cat_role_parse(const char *name, cat_role *out)
{
    for (size_t i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *out = (cat_role)i;
            return true;
        }
    return false;
}

const char *cat_role_name(cat_role role)
{
    return (size_t)role < sizeof role_names / sizeof *role_names ? role_names[role] : "?";
}

/* An address as mail systems take it, kept simple: one '@', a local part
   of 1-64 bytes and a domain with a dot, printable ASCII without spaces or
   the characters that need quoting. */
static bool good_email(const char *email)
{
    const char *at = strchr(email, '@'), *dot;
    size_t n = strlen(email);
    if (n < 5 || n > CAT_EMAIL_MAX || !at || at == email || at - email > 64 ||
        strchr(at + 1, '@'))
        return false;
    for (const char *c = email; *c; c++)
        if (*c < 0x21 || *c > 0x7e || strchr("<>()[]\\,;:\"", *c))
            return false;
    dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] != '\0';
}

/* The person's JSON from a row of PERSON_COLUMNS. */
static json_t *person_from_stmt(sqlite3_stmt *st)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:b}", "email", sqlite3_column_text(st, 0),
                          "ods", sqlite3_column_text(st, 1), "role",
                          sqlite3_column_text(st, 2), "created_at",
                          sqlite3_column_text(st, 3), "password_set",
                          sqlite3_column_int(st, 4) != 0);
    json_object_set_new(p, "locked_until",
                        sqlite3_column_type(st, 5) == SQLITE_NULL
                            ? json_null()
                            : json_string((const char *)sqlite3_column_text(st, 5)));
    return p;
}

/* Runs `st` (bound) to its end; FG_ENOTFOUND when it changed no row. */
static fg_status change_one(cat_catalog *cat, sqlite3_stmt *st, const char *email,
                            const char *what, fg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, what);
    if (sqlite3_changes(cat_db(cat)) == 0)
        return fg_fail(err, FG_ENOTFOUND, "no person with the address '%.100s'", email);
    return FG_OK;
}

fg_status cat_person_add(cat_catalog *cat, const char *email, const char *ods, cat_role role,
                         fg_error *err)
{
    char now[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    int rc;
    if (!good_email(email))
        return fg_fail(err, FG_EINVAL, "'%.100s' is not an e-mail address", email);
    if (!fg_valid_ods(ods))
        return fg_fail(err, FG_EINVAL, "'%.20s' is not an ODS code (3-5 characters [A-Z0-9])",
                       ods);
    if (!(st = cat_stmt(cat, sql_insert, err)))
        return FG_EDB;
    fg_now_iso(now);
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ods, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cat_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return fg_fail(err, FG_ECONFLICT, "'%.100s' already has an account", email);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "adding a person");
}

fg_status cat_person_list(cat_catalog *cat, const char *ods, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_list, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, ods, -1, SQLITE_STATIC);
    *out = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(*out, person_from_stmt(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "listing people");
    }
    return FG_OK;
}

fg_status cat_person_get(cat_catalog *cat, const char *email, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_get, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = person_from_stmt(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return fg_fail(err, FG_ENOTFOUND, "no person with the address '%.100s'", email);
    return rc == SQLITE_ROW ? FG_OK : cat_db_fail(cat, err, "reading a person");
}

fg_status cat_person_may(cat_catalog *cat, const char *email, const char *org,
                         bool provider_move, fg_error *err)
{
    json_t *person = NULL;
    const char *ods, *role;
    fg_status rc;

    if (!email)
        return FG_OK;
    if (!good_email(email))
        return fg_fail(err, FG_EINVAL, "--by must be a person's e-mail address, not '%.80s'",
                       email);
    if ((rc = cat_person_get(cat, email, &person, err)) == FG_ENOTFOUND)
        return FG_OK; /* not a person of this catalogue: recorded as given */
    if (rc != FG_OK)
        return rc;
    ods = json_string_value(json_object_get(person, "ods"));
    role = json_string_value(json_object_get(person, "role"));
    if (strcmp(ods, org) != 0)
        rc = fg_fail(err, FG_EPERM, "%s works for %s, not for %s", email, ods, org);
    else if (provider_move && strcmp(role, "requester") == 0)
        rc = fg_fail(err, FG_EPERM, "%s is a requester at %s; only an approver or an admin "
                                    "may accept, decline or complete requests",
                     email, ods);
    json_decref(person);
    return rc;
}

fg_status cat_person_remove(cat_catalog *cat, const char *email, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_remove, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    return change_one(cat, st, email, "removing a person", err);
}

fg_status cat_person_set_role(cat_catalog *cat, const char *email, cat_role role,
                              fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_set_role, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cat_role_name(role), -1, SQLITE_STATIC);
    return change_one(cat, st, email, "changing a role", err);
}

fg_status cat_person_reset(cat_catalog *cat, const char *email, int64_t lifetime,
                           char secret[CAT_TOKEN_SIZE], fg_error *err)
{
    const net_crypto *crypto = net_crypto_api(err);
    char hash[65], until[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    if (!crypto)
        return FG_EIO;
    if (lifetime <= 0)
        return fg_fail(err, FG_EINVAL, "a reset link's lifetime must be positive");
    if (cat_random_secret(crypto, "fgr_", secret, err) != FG_OK)
        return err->status;
    if (!cat_sha256_hex(crypto, secret, hash))
        return fg_fail(err, FG_EINTERNAL, "cannot hash a reset secret");
    fg_time_iso((int64_t)time(NULL) + lifetime, until);
    if (!(st = cat_stmt(cat, sql_set_reset, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, until, -1, SQLITE_STATIC);
    return change_one(cat, st, email, "storing a reset secret", err);
}

/* True when `password`, lower-cased and without the digits and
   punctuation at its ends, is one of the words most often found in
   leaked passwords, or nothing at all (all digits), or one repeated
   character. */
static bool common_password(const char *password)
{
    static const char *const stems[] = {
        "",         "password", "passw0rd", "p@ssw0rd", "p@ssword", "qwerty",    "qwertyuiop",
        "asdfgh",   "asdfghjkl", "zxcvbnm", "letmein",  "welcome",  "iloveyou",  "admin",
        "changeme", "monkey",   "dragon",   "football", "baseball", "sunshine",  "princess",
        "trustno",  "abc",      "abcdef",   "nhs",      "hospital", "summer",    "winter",
        "spring",   "autumn",   "secret",   "login",    "master",   "starwars",  "whatever",
    };
    char low[CAT_PASSWORD_MAX + 1];
    size_t n = strlen(password), start = 0, end;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)tolower((unsigned char)password[i]);
        same = same && password[i] == password[0];
    }
    low[n] = '\0';
    if (same)
        return true;
    while (start < n && (isdigit((unsigned char)low[start]) || ispunct((unsigned char)low[start])))
        start++;
    end = n;
    while (end > start && (isdigit((unsigned char)low[end - 1]) ||
                           ispunct((unsigned char)low[end - 1]) || low[end - 1] == ' '))
        end--;
    low[end] = '\0';
    for (size_t i = 0; i < sizeof stems / sizeof *stems; i++)
        if (strcmp(low + start, stems[i]) == 0)
            return true;
    return false;
}

fg_status cat_password_check(const char *email, const char *password, fg_error *err)
{
    size_t n = strlen(password), chars = 0;
    if (n > CAT_PASSWORD_MAX)
        return fg_fail(err, FG_EINVAL, "a password has at most %d characters",
                       CAT_PASSWORD_MAX);
    if (!fg_utf8_valid(password, n))
        return fg_fail(err, FG_EINVAL, "the password is not valid UTF-8 text");
    for (const char *c = password; *c; c += fg_utf8_char(c)) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return fg_fail(err, FG_EINVAL, "a password cannot hold control characters");
        chars++;
    }
    if (chars < CAT_PASSWORD_MIN)
        return fg_fail(err, FG_EINVAL, "a password has at least %d characters",
                       CAT_PASSWORD_MIN);
    if (common_password(password) || strcasecmp(password, email) == 0)
        return fg_fail(err, FG_EINVAL, "that password is too easy to guess: it is a common "
                                       "password, or the address itself; choose another");
    return FG_OK;
}

/* The Argon2id string of `password` into `out`. */
static fg_status hash_password(const char *password, char out[crypto_pwhash_argon2id_STRBYTES],
                               fg_error *err)
{
    const net_sodium *na = net_sodium_api(err);
    if (!na)
        return FG_EIO;
    if (na->argon2id_str(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
        return fg_fail(err, FG_EIO, "cannot hash a password (out of memory?)");
    return FG_OK;
}

fg_status cat_person_set_password(cat_catalog *cat, const char *secret, const char *password,
                                  char email[CAT_EMAIL_MAX + 1], fg_error *err)
{
    const net_crypto *crypto = net_crypto_api(err);
    char hash[65], now[FG_TIMESTAMP_SIZE], expires[FG_TIMESTAMP_SIZE] = "";
    char stored[crypto_pwhash_argon2id_STRBYTES];
    sqlite3_stmt *st;
    int rc;
    *email = '\0';
    if (!crypto)
        return FG_EIO;
    if (strlen(secret) != CAT_TOKEN_SIZE - 1 || strncmp(secret, "fgr_", 4) != 0 ||
        !cat_sha256_hex(crypto, secret, hash))
        return fg_fail(err, FG_EPERM, "this link is not a password link");
    if (!(st = cat_stmt(cat, sql_find_reset, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(email, CAT_EMAIL_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(expires, sizeof expires, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading a reset secret");
    fg_now_iso(now);
    if (rc == SQLITE_DONE || strcmp(expires, now) <= 0) {
        *email = '\0';
        return fg_fail(err, FG_EPERM, "this link has been used, replaced or has expired; "
                                      "ask your trust's administrator for a new one");
    }
    if (cat_password_check(email, password, err) != FG_OK ||
        hash_password(password, stored, err) != FG_OK)
        return err->status;
    if (!(st = cat_stmt(cat, sql_set_password, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stored, -1, SQLITE_STATIC);
    if ((rc = (int)change_one(cat, st, email, "storing a password", err)) != FG_OK)
        return (fg_status)rc;
    /* A new password ends the sessions signed in with the old one. */
    return cat_session_end_person(cat, email, err);
}

/* Counts a failed sign-in of `email` (which had `failures` before). */
static fg_status count_failure(cat_catalog *cat, const char *email, int64_t failures,
                               fg_error *err)
{
    char until[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st = cat_stmt(cat, sql_failed, err);
    int rc;
    if (!st)
        return FG_EDB;
    failures++;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, failures);
    if (failures >= CAT_SIGNIN_FAILURES) {
        int64_t lock = LOCK_FIRST;
        for (int64_t i = CAT_SIGNIN_FAILURES; i < failures && lock < LOCK_MAX; i++)
            lock *= 2;
        fg_time_iso((int64_t)time(NULL) + (lock < LOCK_MAX ? lock : LOCK_MAX), until);
        sqlite3_bind_text(st, 3, until, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 3);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "counting a failed sign-in");
}

fg_status cat_person_sign_in(cat_catalog *cat, const char *email, const char *password,
                             json_t **out, fg_error *err)
{
    const net_sodium *na = net_sodium_api(err);
    char stored[crypto_pwhash_argon2id_STRBYTES] = "", locked[FG_TIMESTAMP_SIZE] = "";
    char now[FG_TIMESTAMP_SIZE];
    int64_t failures = 0;
    sqlite3_stmt *st;
    bool known, good;
    int rc;

    *out = NULL;
    if (!na)
        return FG_EIO;
    if (!(st = cat_stmt(cat, sql_sign_in, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            snprintf(stored, sizeof stored, "%s", (const char *)sqlite3_column_text(st, 0));
        failures = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            snprintf(locked, sizeof locked, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading a person");
    known = rc == SQLITE_ROW;
    fg_now_iso(now);
    if (*locked && strcmp(locked, now) > 0)
        return fg_fail(err, FG_EREFUSED, "too many failed sign-ins: this account is locked "
                                         "until %s",
                       locked);
    if (*stored) {
        good = strlen(password) <= CAT_PASSWORD_MAX &&
               na->argon2id_str_verify(stored, password, strlen(password)) == 0;
    } else {
        /* No such person, or no password yet: the same work as a check,
           so that the time taken does not tell which. */
        char ignored[crypto_pwhash_argon2id_STRBYTES];
        (void)na->argon2id_str(ignored, password, strnlen(password, CAT_PASSWORD_MAX),
                               PW_OPSLIMIT, PW_MEMLIMIT);
        good = false;
    }
    if (!good) {
        if (known && count_failure(cat, email, failures, err) != FG_OK)
            return err->status;
        return fg_fail(err, FG_EPERM, "wrong e-mail address or password");
    }
    if (!(st = cat_stmt(cat, sql_failed, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, 0);
    sqlite3_bind_null(st, 3);
    if (change_one(cat, st, email, "clearing failed sign-ins", err) != FG_OK)
        return err->status;
    return cat_person_get(cat, email, out, err);
}
