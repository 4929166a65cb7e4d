/* libcrypto (OpenSSL), loaded the first time a token is hashed or made;
   libsodium, the first time a password is hashed or checked. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <stdio.h>

#include "lazylib.h"

static const fg_lazy_sym crypto_syms[] = {
    FG_LAZY_SYM(net_crypto, digest, "EVP_Digest"),
    FG_LAZY_SYM(net_crypto, sha256, "EVP_sha256"),
    FG_LAZY_SYM(net_crypto, rand_bytes, "RAND_bytes"),
};

FG_LAZY_DEFINE(net_crypto, net_crypto_api, FG_CRYPTO_SONAME, crypto_syms, (void)0)

static const fg_lazy_sym sodium_syms[] = {
    FG_LAZY_SYM(net_sodium, init, "sodium_init"),
    FG_LAZY_SYM(net_sodium, argon2id_str, "crypto_pwhash_argon2id_str"),
    FG_LAZY_SYM(net_sodium, argon2id_str_verify, "crypto_pwhash_argon2id_str_verify"),
};

/* sodium_init answers 1 when already initialised, -1 when it cannot be. */
FG_LAZY_DEFINE(net_sodium, net_sodium_api, FG_SODIUM_SONAME, sodium_syms,
               if (net_sodium_api_lib.ok && net_sodium_api_table.init() < 0) {
                   net_sodium_api_lib.ok = false;
                   snprintf(net_sodium_api_lib.why, sizeof net_sodium_api_lib.why,
                            "libsodium could not be initialised");
               })
