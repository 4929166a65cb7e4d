/* libcrypto (OpenSSL), loaded the first time a token is hashed or made. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include "lazylib.h"

static const fg_lazy_sym crypto_syms[] = {
    FG_LAZY_SYM(net_crypto, digest, "EVP_Digest"),
    FG_LAZY_SYM(net_crypto, sha256, "EVP_sha256"),
    FG_LAZY_SYM(net_crypto, rand_bytes, "RAND_bytes"),
};

FG_LAZY_DEFINE(net_crypto, net_crypto_api, FG_CRYPTO_SONAME, crypto_syms, (void)0)
