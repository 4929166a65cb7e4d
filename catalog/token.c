/*
 * Hub tokens: random, bound to one organisation, stored only as a SHA-256
 * hash (OpenSSL's libcrypto), compared by hash lookup.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util.h"

static const char sql_insert_token[] =
    "INSERT INTO token(hash, ods, created_at) VALUES (?1, ?2, ?3)";
static const char sql_list_tokens[] =
    "SELECT substr(hash, 1, 12), ods, created_at, revoked_at FROM token"
    " ORDER BY ods, created_at";
static const char sql_revoke[] =
    "UPDATE token SET revoked_at = ?2 WHERE revoked_at IS NULL"
    " AND (ods = ?1 OR hash LIKE ?1 || '%')";
static const char sql_find_token[] =
    "SELECT ods FROM token WHERE hash = ?1 AND revoked_at IS NULL";

/* Hex SHA-256 of `text` into `hex` (65 bytes). */
static bool sha256_hex(const net_crypto *crypto, const char *text, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!crypto->digest(text, strlen(text), md, &len, crypto->sha256(), NULL) || len != 32)
        return false;
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + (size_t)2 * i, 3, "%02x", md[i]);
    return true;
}

fg_status cat_token_create(cat_catalog *cat, const char *ods, char token[CAT_TOKEN_SIZE],
                           fg_error *err)
{
    const net_crypto *crypto;
    unsigned char raw[32];
    char hash[65], now[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    int rc;

    if (!fg_valid_ods(ods))
        return fg_fail(err, FG_EINVAL, "'%.20s' is not an ODS code (3-5 characters [A-Z0-9])",
                       ods);
    if (!(crypto = net_crypto_api(err)))
        return FG_EIO;
    if (crypto->rand_bytes(raw, sizeof raw) != 1)
        return fg_fail(err, FG_EIO, "cannot get random bytes for a token");
    {
        char hex[2 * sizeof raw + 1];
        for (size_t i = 0; i < sizeof raw; i++)
            snprintf(hex + 2 * i, 3, "%02x", raw[i]);
        snprintf(token, CAT_TOKEN_SIZE, "fgc_%s", hex);
    }
    if (!sha256_hex(crypto, token, hash))
        return fg_fail(err, FG_EINTERNAL, "cannot hash a token");
    fg_now_iso(now);
    if (!(st = cat_stmt(cat, sql_insert_token, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ods, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "storing a token");
}

fg_status cat_token_check(cat_catalog *cat, const char *token, char ods[8], fg_error *err)
{
    const net_crypto *crypto = net_crypto_api(err);
    char hash[65];
    sqlite3_stmt *st;
    int rc;

    if (!crypto)
        return FG_EIO;
    if (!token || strlen(token) != CAT_TOKEN_SIZE - 1 || strncmp(token, "fgc_", 4) != 0 ||
        !sha256_hex(crypto, token, hash))
        return fg_fail(err, FG_EPERM, "not a valid token");
    if (!(st = cat_stmt(cat, sql_find_token, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(ods, 8, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return FG_OK;
    if (rc == SQLITE_DONE)
        return fg_fail(err, FG_EPERM, "unknown or revoked token");
    return cat_db_fail(cat, err, "checking a token");
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
        json_object_set_new(t, "revoked_at",
                            sqlite3_column_type(st, 3) == SQLITE_NULL
                                ? json_null()
                                : json_string((const char *)sqlite3_column_text(st, 3)));
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

fg_status cat_token_revoke(cat_catalog *cat, const char *which, size_t *revoked,
                           fg_error *err)
{
    sqlite3_stmt *st;
    char now[FG_TIMESTAMP_SIZE];
    size_t n = strlen(which);
    bool hex = n >= 8 && n <= 64;
    int rc;

    for (size_t i = 0; hex && i < n; i++)
        hex = (which[i] >= '0' && which[i] <= '9') || (which[i] >= 'a' && which[i] <= 'f');
    if (!fg_valid_ods(which) && !hex)
        return fg_fail(err, FG_EINVAL, "'%.20s' is neither an ODS code nor a token id "
                                       "(8 or more hex digits, see fgcat token list)",
                       which);
    fg_now_iso(now);
    if (!(st = cat_stmt(cat, sql_revoke, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, which, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "revoking tokens");
    *revoked = (size_t)sqlite3_changes(cat_db(cat));
    return *revoked ? FG_OK : fg_fail(err, FG_ENOTFOUND, "no valid token matches '%s'", which);
}
