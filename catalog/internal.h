/*
 * Declarations shared between the catalogue's own source files only: no
 * other library sees this header.
 */
#ifndef CAT_INTERNAL_H
#define CAT_INTERNAL_H

#include <openssl/evp.h>
#include <sodium/crypto_pwhash_argon2id.h>

#include "catalog.h"

/* ---- libcrypto, loaded on first use (crypto.c) ----------------------- */

typedef struct net_crypto {
    int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
                  const EVP_MD *type, ENGINE *impl);
    const EVP_MD *(*sha256)(void);
    int (*rand_bytes)(unsigned char *buf, int num);
} net_crypto;

/* The function table, loading libcrypto on the first call (thread-safe).
   Borrowed, valid until exit; NULL with the reason in `err` when it
   cannot be loaded. */
const net_crypto *net_crypto_api(fg_error *err);

/* ---- libsodium, loaded on first use (crypto.c) ---------------------- */

typedef struct net_sodium {
    int (*init)(void);
    int (*argon2id_str)(char out[crypto_pwhash_argon2id_STRBYTES], const char *passwd,
                        unsigned long long passwdlen, unsigned long long opslimit,
                        size_t memlimit);
    int (*argon2id_str_verify)(const char str[crypto_pwhash_argon2id_STRBYTES],
                               const char *passwd, unsigned long long passwdlen);
} net_sodium;

/* The function table, loading libsodium (and initialising it) on the first
   call, as net_crypto_api. */
const net_sodium *net_sodium_api(fg_error *err);

/* Hex SHA-256 of `text` into `hex` (65 bytes) (token.c). */
bool cat_sha256_hex(const net_crypto *crypto, const char *text, char hex[65]);

/* A new random secret: `prefix` and 64 hex digits, into `out`
   (CAT_TOKEN_SIZE bytes) (token.c). */
fg_status cat_random_secret(const net_crypto *crypto, const char *prefix,
                            char out[CAT_TOKEN_SIZE], fg_error *err);

/* The highest offering rowid when bulk writing began, or -1 outside bulk
   mode (offering.c keeps it; store.c owns the storage). */
sqlite3_int64 *cat_bulk_mark(cat_catalog *cat);

/* Applies every migration newer than the file's user_version (migrations.c). */
fg_status cat_migrate(cat_catalog *cat, fg_error *err);

/* Builds an offering's full JSON from a row's columns (offering.c).
   New, or NULL when the stored content is corrupt. */
json_t *cat_offering_from_row(const char *content, int64_t rev, const char *status,
                              const char *updated_at, const char *withdrawn_at);

/* Makes err->msg (when err is not NULL) printable text: a parser's message
   may quote the bad input, control characters and broken UTF-8 included;
   each such byte becomes '?'. */
void cat_error_printable(fg_error *err);

/* Steps `st` (prepared and bound; borrowed) to its end, collecting each
   row's offering (CAT_OFFERING_COLUMNS of catalog.h, from column 0) into
   *out, a new array; resets `st`.  `what` names the work in a database error. */
fg_status cat_offerings_collect(cat_catalog *cat, sqlite3_stmt *st, const char *what,
                                json_t **out, fg_error *err);

/* The same record as compact JSON text, spliced from the stored text
   without decoding it (the hub's feed pages). New, or NULL. */
char *cat_offering_text_from_stmt(sqlite3_stmt *st, int col);

/* ---- requests, for sync and the hub (request.c) --------------------- */

/* The action whose target status is `to` ("accepted" -> CAT_ACCEPT). */
bool cat_action_for_status(const char *to, cat_action *out);

/*
 * Makes one move of request `id` inside the caller's write transaction:
 * checks who may make it, the life cycle and capacity, then records it at
 * time `at` by `org` and `person` (may be NULL).  Errors as
 * cat_request_transition.
 */
fg_status cat_request_move_locked(cat_catalog *cat, const char *id, cat_action action,
                                  const char *org, const char *person, const char *reason,
                                  const char *at, fg_error *err);

/*
 * Refuses (FG_EINVAL) the first key of `obj` that `known` (NULL-ended)
 * does not list: "WHERE: unknown field PREFIXKEY" (without "WHERE: " when
 * `where` is empty); a key with a control character is not echoed.
 */
fg_status cat_no_unknown_keys(const json_t *obj, const char *const *known, const char *where,
                              const char *prefix, fg_error *err);

#endif /* CAT_INTERNAL_H */
