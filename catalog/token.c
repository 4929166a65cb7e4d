/*
 * Hub tokens: random, bound to one organisation, stored only as a SHA-256
 * hash (OpenSSL's libcrypto), compared by hash lookup.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util.h"

static const char sql_insert_token[] =
    "INSERT INTO token(hash, ods, created_at) VALUES (?1, ?2, ?3)";
static const char sql_find_token[] =
    "SELECT ods FROM token WHERE hash = ?1 AND revoked_at IS NULL";

/* Hex SHA-256 of `text` into `hex` (65 bytes). */
static bool sha256_hex(const char *text, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) || len != 32)
        return false;
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return true;
}

fg_status cat_token_create(cat_catalog *cat, const char *ods, char token[CAT_TOKEN_SIZE],
                           fg_error *err)
{
    unsigned char raw[32];
    char hash[65], now[FG_TIMESTAMP_SIZE];
    sqlite3_stmt *st;
    int rc;

    if (!fg_valid_ods(ods))
        return fg_fail(err, FG_EINVAL, "'%.20s' is not an ODS code (3-5 characters [A-Z0-9])",
                       ods);
    if (RAND_bytes(raw, sizeof raw) != 1)
        return fg_fail(err, FG_EIO, "cannot get random bytes for a token");
    memcpy(token, "fgc_", 4);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(token + 4 + 2 * i, 3, "%02x", raw[i]);
    if (!sha256_hex(token, hash))
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
    char hash[65];
    sqlite3_stmt *st;
    int rc;

    if (!token || strlen(token) != CAT_TOKEN_SIZE - 1 || strncmp(token, "fgc_", 4) != 0 ||
        !sha256_hex(token, hash))
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
