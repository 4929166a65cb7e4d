/*
 * Hub tokens: random, bound to one organisation, stored only as a SHA-256
 * hash (OpenSSL's libcrypto), compared by hash lookup.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "util.h"

/* A token that still works at ?9 (now). */
#define VALID " revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?9)"
/* The tokens `which` (?1) names: an organisation's, or those whose hash
   starts with it (8 or more hex digits, never shorter: an ODS code such
   as ABC12 must not match a hash by its first letters). */
#define NAMED " (ods = ?1 OR (length(?1) >= 8 AND substr(hash, 1, length(?1)) = ?1))"

static const char sql_insert_token[] =
    "INSERT INTO token(hash, ods, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
static const char sql_list_tokens[] =
    "SELECT substr(hash, 1, 12), ods, created_at, expires_at, revoked_at FROM token"
    " ORDER BY ods, created_at";
static const char sql_revoke[] =
    "UPDATE token SET revoked_at = ?9 WHERE" VALID " AND" NAMED;
static const char sql_named_orgs[] =
    "SELECT DISTINCT ods FROM token WHERE" VALID " AND" NAMED " LIMIT 2";
static const char sql_shorten[] =
    "UPDATE token SET expires_at = ?2 WHERE" VALID " AND" NAMED
    " AND (expires_at IS NULL OR expires_at > ?2)";
static const char sql_count_named[] =
    "SELECT count(*) FROM token WHERE" VALID " AND" NAMED;
static const char sql_find_token[] =
    "SELECT ods, revoked_at, expires_at FROM token WHERE hash = ?1";

bool cat_sha256_hex(const net_crypto *crypto, const char *text, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!crypto->digest(text, strlen(text), md, &len, crypto->sha256(), NULL) || len != 32)
        return false;
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + (size_t)2 * i, 3, "%02x", md[i]);
    return true;
}

/* The time `seconds` from now, as stored. */
static void from_now(int64_t seconds, char out[FG_TIMESTAMP_SIZE])
{
    fg_time_iso((int64_t)time(NULL) + seconds, out);
}

fg_status cat_random_secret(const net_crypto *crypto, const char *prefix,
                            char out[CAT_TOKEN_SIZE], fg_error *err)
{
    unsigned char raw[32];
    char hex[2 * sizeof raw + 1];
    if (crypto->rand_bytes(raw, sizeof raw) != 1)
        return fg_fail(err, FG_EIO, "cannot get random bytes for a secret");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    snprintf(out, CAT_TOKEN_SIZE, "%.4s%s", prefix, hex);
    memset(raw, 0, sizeof raw);
    return FG_OK;
}

fg_status cat_token_create(cat_catalog *cat, const char *ods, int64_t lifetime,
                           char token[CAT_TOKEN_SIZE], fg_error *err)
{
    const net_crypto *crypto;
    char hash[65], now[FG_TIMESTAMP_SIZE], until[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    int rc;

    if (!fg_valid_ods(ods))
        return fg_fail(err, FG_EINVAL, "'%.20s' is not an ODS code (3-5 characters [A-Z0-9])",
                       ods);
    if (lifetime < 0)
        return fg_fail(err, FG_EINVAL, "a token's lifetime cannot be negative");
    if (!(crypto = net_crypto_api(err)))
        return FG_EIO;
    if (cat_random_secret(crypto, "fgc_", token, err) != FG_OK)
        return err->status;
    if (!cat_sha256_hex(crypto, token, hash))
        return fg_fail(err, FG_EINTERNAL, "cannot hash a token");
    fg_now_iso(now);
    from_now(lifetime, until);
    if (!(st = cat_stmt(cat, sql_insert_token, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ods, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    if (lifetime > 0)
        sqlite3_bind_text(st, 4, until, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "storing a token");
}

fg_status cat_token_check(cat_catalog *cat, const char *token, char ods[8], fg_error *err)
{
    const net_crypto *crypto = net_crypto_api(err);
    char hash[65], now[FG_TIMESTAMP_SIZE], expires[FG_TIMESTAMP_SIZE] = "";
    bool revoked = false;
    sqlite3_stmt *st;
    int rc;

    if (!crypto)
        return FG_EIO;
    if (!token || strlen(token) != CAT_TOKEN_SIZE - 1 || strncmp(token, "fgc_", 4) != 0 ||
        !cat_sha256_hex(crypto, token, hash))
        return fg_fail(err, FG_EPERM, "not a valid token");
    if (!(st = cat_stmt(cat, sql_find_token, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(ods, 8, "%s", (const char *)sqlite3_column_text(st, 0));
        revoked = sqlite3_column_type(st, 1) != SQLITE_NULL;
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            snprintf(expires, sizeof expires, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || revoked)
        return fg_fail(err, FG_EPERM, "unknown or revoked token");
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "checking a token");
    fg_now_iso(now);
    if (*expires && strcmp(expires, now) <= 0)
        return fg_fail(err, FG_EPERM, "the token expired at %s", expires);
    return FG_OK;
}

fg_status cat_token_list(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_list_tokens, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    *out = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *t = json_pack("{s:s, s:s, s:s}", "id", sqlite3_column_text(st, 0), "ods",
                              sqlite3_column_text(st, 1), "created_at",
                              sqlite3_column_text(st, 2));
        for (int col = 3; col <= 4; col++)
            json_object_set_new(t, col == 3 ? "expires_at" : "revoked_at",
                                sqlite3_column_type(st, col) == SQLITE_NULL
                                    ? json_null()
                                    : json_string((const char *)sqlite3_column_text(st, col)));
        json_array_append_new(*out, t);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "listing tokens");
    }
    return FG_OK;
}

/* Checks that `which` can name tokens: an ODS code or 8-64 hex digits. */
static fg_status check_which(const char *which, fg_error *err)
{
    size_t n = strlen(which);
    bool hex = n >= 8 && n <= 64;
    for (size_t i = 0; hex && i < n; i++)
        hex = (which[i] >= '0' && which[i] <= '9') || (which[i] >= 'a' && which[i] <= 'f');
    if (!fg_valid_ods(which) && !hex)
        return fg_fail(err, FG_EINVAL, "'%.20s' is neither an ODS code nor a token id "
                                       "(8 or more hex digits, see fgcat token list)",
                       which);
    return FG_OK;
}

/* A statement for `sql` with `which` as ?1 and now as ?9 bound. */
static sqlite3_stmt *named_stmt(cat_catalog *cat, const char *sql, const char *which,
                                const char now[FG_TIMESTAMP_SIZE], fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql, err);
    if (st) {
        sqlite3_bind_text(st, 1, which, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
    }
    return st;
}

fg_status cat_token_revoke(cat_catalog *cat, const char *which, size_t *revoked,
                           fg_error *err)
{
    sqlite3_stmt *st;
    char now[FG_TIMESTAMP_SIZE];
    int rc;

    if (check_which(which, err) != FG_OK)
        return FG_EINVAL;
    fg_now_iso(now);
    if (!(st = named_stmt(cat, sql_revoke, which, now, err)))
        return FG_EDB;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "revoking tokens");
    *revoked = (size_t)sqlite3_changes(cat_db(cat));
    return *revoked ? FG_OK : fg_fail(err, FG_ENOTFOUND, "no valid token matches '%s'", which);
}

/* The one organisation whose valid tokens `which` names, into `ods`. */
static fg_status named_org(cat_catalog *cat, const char *which, const char *now, char ods[8],
                           fg_error *err)
{
    sqlite3_stmt *st = named_stmt(cat, sql_named_orgs, which, now, err);
    int rc, rows = 0;
    if (!st)
        return FG_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (rows++ == 0)
            snprintf(ods, 8, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading tokens");
    if (rows == 0)
        return fg_fail(err, FG_ENOTFOUND, "no valid token matches '%s'", which);
    if (rows > 1)
        return fg_fail(err, FG_EINVAL, "'%s' matches tokens of more than one organisation; "
                                       "give more of the id", which);
    return FG_OK;
}

fg_status cat_token_rotate(cat_catalog *cat, const char *which, int64_t lifetime,
                           int64_t grace, char token[CAT_TOKEN_SIZE], char ods[8],
                           size_t *rotated, fg_error *err)
{
    char now[FG_TIMESTAMP_SIZE], until[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    fg_status status;
    int rc;

    *rotated = 0;
    if (check_which(which, err) != FG_OK)
        return FG_EINVAL;
    if (grace < 0)
        return fg_fail(err, FG_EINVAL, "a grace period cannot be negative");
    if (cat_begin(cat, err) != FG_OK)
        return err->status;
    fg_now_iso(now);
    from_now(grace, until);
    if ((status = named_org(cat, which, now, ods, err)) != FG_OK)
        goto fail;
    /* Counted first: shortening a token to the grace period's end when it
       already ends sooner changes no row, yet it is rotated out too. */
    if (!(st = named_stmt(cat, sql_count_named, which, now, err))) {
        status = FG_EDB;
        goto fail;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        *rotated = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!(st = named_stmt(cat, sql_shorten, which, now, err))) {
        status = FG_EDB;
        goto fail;
    }
    sqlite3_bind_text(st, 2, until, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        status = cat_db_fail(cat, err, "rotating tokens");
        goto fail;
    }
    if ((status = cat_token_create(cat, ods, lifetime, token, err)) != FG_OK)
        goto fail;
    return cat_commit(cat, err);
fail:
    cat_rollback(cat);
    return status;
}
