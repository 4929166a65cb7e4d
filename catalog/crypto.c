/* libcrypto (OpenSSL), loaded the first time a token is hashed or made. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include "lazylib.h"

static net_crypto crypto_table;

static const fg_lazy_sym crypto_syms[] = {
    FG_LAZY_SYM(net_crypto, digest, "EVP_Digest"),
    FG_LAZY_SYM(net_crypto, sha256, "EVP_sha256"),
    FG_LAZY_SYM(net_crypto, rand_bytes, "RAND_bytes"),
};
_Static_assert(FG_LAZY_COMPLETE(crypto_table, crypto_syms),
               "crypto_syms must name every member of net_crypto");

static fg_lazy_lib crypto_lib = FG_LAZY_LIB(FG_CRYPTO_SONAME, crypto_table, crypto_syms);

static void load_crypto(void)
{
    fg_lazy_open(&crypto_lib);
}

const net_crypto *net_crypto_api(fg_error *err)
{
    return fg_lazy_ready(&crypto_lib, load_crypto, err) ? &crypto_table : NULL;
}
