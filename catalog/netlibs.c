#define _POSIX_C_SOURCE 200809L
#include "netlibs.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* A function fgcat takes from a library: its name, and where in the
   library's table its pointer goes. */
typedef struct sym {
    const char *name;
    size_t offset;
} sym;

/* One library: its soname, its table, the functions to find. */
typedef struct lib {
    const char *soname;
    void *table;
    const sym *syms;
    size_t count;
    pthread_once_t once;
    bool ok;
    char why[FG_ERROR_MSG_SIZE];
} lib;

static net_curl curl_table;
static net_mhd mhd_table;
static net_crypto crypto_table;

#define CURL_SYM(member, name) {name, offsetof(net_curl, member)}
static const sym curl_syms[] = {
    CURL_SYM(global_init, "curl_global_init"),
    CURL_SYM(global_cleanup, "curl_global_cleanup"),
    CURL_SYM(easy_init, "curl_easy_init"),
    CURL_SYM(easy_setopt, "curl_easy_setopt"),
    CURL_SYM(easy_perform, "curl_easy_perform"),
    CURL_SYM(easy_getinfo, "curl_easy_getinfo"),
    CURL_SYM(easy_reset, "curl_easy_reset"),
    CURL_SYM(easy_cleanup, "curl_easy_cleanup"),
    CURL_SYM(easy_strerror, "curl_easy_strerror"),
    CURL_SYM(easy_escape, "curl_easy_escape"),
    CURL_SYM(free, "curl_free"),
    CURL_SYM(slist_append, "curl_slist_append"),
    CURL_SYM(slist_free_all, "curl_slist_free_all"),
};
#define MHD_SYM(member, name) {name, offsetof(net_mhd, member)}
static const sym mhd_syms[] = {
    MHD_SYM(start_daemon, "MHD_start_daemon"),
    MHD_SYM(stop_daemon, "MHD_stop_daemon"),
    MHD_SYM(quiesce_daemon, "MHD_quiesce_daemon"),
    MHD_SYM(get_daemon_info, "MHD_get_daemon_info"),
    MHD_SYM(lookup_connection_value, "MHD_lookup_connection_value"),
    MHD_SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
    MHD_SYM(add_response_header, "MHD_add_response_header"),
    MHD_SYM(queue_response, "MHD_queue_response"),
    MHD_SYM(destroy_response, "MHD_destroy_response"),
};
#define CRYPTO_SYM(member, name) {name, offsetof(net_crypto, member)}
static const sym crypto_syms[] = {
    CRYPTO_SYM(digest, "EVP_Digest"),
    CRYPTO_SYM(sha256, "EVP_sha256"),
    CRYPTO_SYM(rand_bytes, "RAND_bytes"),
};

/* Every member of a table is a function pointer, and every one is named. */
_Static_assert(sizeof curl_table == sizeof curl_syms / sizeof curl_syms[0] * sizeof(void *),
               "curl_syms must name every member of net_curl");
_Static_assert(sizeof mhd_table == sizeof mhd_syms / sizeof mhd_syms[0] * sizeof(void *),
               "mhd_syms must name every member of net_mhd");
_Static_assert(sizeof crypto_table ==
                   sizeof crypto_syms / sizeof crypto_syms[0] * sizeof(void *),
               "crypto_syms must name every member of net_crypto");

#define LIB(soname, table, syms)                                               \
    {(soname), &(table), (syms), sizeof(syms) / sizeof((syms)[0]), PTHREAD_ONCE_INIT, false, ""}
static lib libs[] = {
    LIB(FG_CURL_SONAME, curl_table, curl_syms),
    LIB(FG_MHD_SONAME, mhd_table, mhd_syms),
    LIB(FG_CRYPTO_SONAME, crypto_table, crypto_syms),
};

static void load(lib *l)
{
    void *handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(l->why, sizeof l->why, "cannot load %s: %s", l->soname,
                 why ? why : "unknown error");
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        void *fn = dlsym(handle, l->syms[i].name);
        if (!fn) {
            snprintf(l->why, sizeof l->why, "%s has no %s", l->soname, l->syms[i].name);
            return;
        }
        /* POSIX lets dlsym's data pointer hold a function's address;
           memcpy moves it into the function pointer without aliasing. */
        memcpy((char *)l->table + l->syms[i].offset, &fn, sizeof fn);
    }
    l->ok = true; /* never dlclose()d: its functions are used until exit */
}

static void load_curl(void)
{
    load(&libs[0]);
    /* Once, before any handle and any second thread (libcurl asks this). */
    if (libs[0].ok && curl_table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        libs[0].ok = false;
        snprintf(libs[0].why, sizeof libs[0].why, "%s could not initialise",
                 FG_CURL_SONAME);
    }
}

static void load_mhd(void)
{
    load(&libs[1]);
}

static void load_crypto(void)
{
    load(&libs[2]);
}

static bool ready(lib *l, void (*loader)(void), fg_error *err)
{
    pthread_once(&l->once, loader);
    if (!l->ok)
        fg_fail(err, FG_EIO, "%s", l->why);
    return l->ok;
}

const net_curl *net_curl_api(fg_error *err)
{
    return ready(&libs[0], load_curl, err) ? &curl_table : NULL;
}

const net_mhd *net_mhd_api(fg_error *err)
{
    return ready(&libs[1], load_mhd, err) ? &mhd_table : NULL;
}

const net_crypto *net_crypto_api(fg_error *err)
{
    return ready(&libs[2], load_crypto, err) ? &crypto_table : NULL;
}
