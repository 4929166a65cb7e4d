/*
 * Browser sessions of people.  A session is a random secret held by the
 * browser's cookie; the catalogue keeps only its SHA-256, the person it
 * belongs to, when it was last used and when it ends whatever its use.
 * A session is looked up with the person's current organisation and role,
 * so that a change of role applies at once, and removing a person ends
 * their sessions (the table's foreign key).
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "internal.h"
#include "util.h"

static const char sql_insert[] =
    "INSERT INTO session(hash, email, created_at, last_seen, expires_at)"
    " VALUES (?1, ?2, ?3, ?3, ?4)";
static const char sql_find[] =
    "SELECT s.last_seen, s.expires_at, p.email, p.ods, p.role"
    " FROM session s JOIN person p ON p.email = s.email WHERE s.hash = ?1";
static const char sql_touch[] = "UPDATE session SET last_seen = ?2 WHERE hash = ?1";
static const char sql_delete[] = "DELETE FROM session WHERE hash = ?1";
static const char sql_delete_person[] = "DELETE FROM session WHERE email = ?1";
static const char sql_purge[] =
    "DELETE FROM session WHERE expires_at <= ?1 OR last_seen + ?2 <= ?1";

/* The hash of session secret `secret` into `hash`: FG_ENOTFOUND when it
   is not one this code makes ("fgs_" and 64 hex digits). */
static fg_status session_hash(const char *secret, char hash[65], fg_error *err)
{
    const net_crypto *crypto;
    if (!secret || strlen(secret) != CAT_TOKEN_SIZE - 1 || strncmp(secret, "fgs_", 4) != 0)
        return fg_fail(err, FG_ENOTFOUND, "no such session");
    for (const char *c = secret + 4; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return fg_fail(err, FG_ENOTFOUND, "no such session");
    if (!(crypto = net_crypto_api(err)))
        return FG_EIO;
    return cat_sha256_hex(crypto, secret, hash)
               ? FG_OK
               : fg_fail(err, FG_EINTERNAL, "cannot hash a session secret");
}

/* Runs a bound statement to its end. */
static fg_status run(cat_catalog *cat, sqlite3_stmt *st, const char *what, fg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, what);
}

fg_status cat_session_create(cat_catalog *cat, const char *email, int64_t max_age,
                             char secret[CAT_TOKEN_SIZE], fg_error *err)
{
    const net_crypto *crypto = net_crypto_api(err);
    int64_t now = (int64_t)time(NULL);
    char hash[65];
    sqlite3_stmt *st;

    if (!crypto)
        return FG_EIO;
    if (cat_random_secret(crypto, "fgs_", secret, err) != FG_OK)
        return err->status;
    if (!cat_sha256_hex(crypto, secret, hash))
        return fg_fail(err, FG_EINTERNAL, "cannot hash a session secret");
    if (!(st = cat_stmt(cat, sql_insert, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now + max_age);
    return run(cat, st, "storing a session", err);
}

fg_status cat_session_find(cat_catalog *cat, const char *secret, int64_t idle,
                           json_t **person, fg_error *err)
{
    int64_t now = (int64_t)time(NULL), last = 0;
    char hash[65];
    sqlite3_stmt *st;
    int rc;

    *person = NULL;
    if ((rc = (int)session_hash(secret, hash, err)) != FG_OK)
        return (fg_status)rc;
    if (!(st = cat_stmt(cat, sql_find, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t expires = sqlite3_column_int64(st, 1);
        last = sqlite3_column_int64(st, 0);
        if (now < expires && now < last + idle)
            *person = json_pack("{s:s, s:s, s:s}", "email", sqlite3_column_text(st, 2), "ods",
                                sqlite3_column_text(st, 3), "role",
                                sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading a session");
    if (!*person) {
        fg_status ended = rc == SQLITE_ROW ? cat_session_end(cat, secret, err) : FG_OK;
        return ended != FG_OK ? ended
                              : fg_fail(err, FG_ENOTFOUND, "no such session, or it has ended");
    }
    /* Record a use once per tenth of the idle limit: not every page view
       needs a write.  A write that cannot be made now (the catalogue busy
       with a long push) costs the person nothing but the idle time's
       precision, so it does not refuse the session. */
    if (now - last >= idle / 10 && (st = cat_stmt(cat, sql_touch, err)) != NULL) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        (void)run(cat, st, "using a session", err);
    }
    return FG_OK;
}

fg_status cat_session_end(cat_catalog *cat, const char *secret, fg_error *err)
{
    char hash[65];
    sqlite3_stmt *st;
    fg_status rc = session_hash(secret, hash, err);
    if (rc != FG_OK)
        return rc == FG_ENOTFOUND ? FG_OK : rc;
    if (!(st = cat_stmt(cat, sql_delete, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    return run(cat, st, "ending a session", err);
}

fg_status cat_session_end_person(cat_catalog *cat, const char *email, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_delete_person, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    return run(cat, st, "ending a person's sessions", err);
}

fg_status cat_session_purge(cat_catalog *cat, int64_t idle, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_purge, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
    sqlite3_bind_int64(st, 2, idle);
    return run(cat, st, "removing ended sessions", err);
}
