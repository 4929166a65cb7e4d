/* libcurl, loaded the first time the sync client makes a call. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <stdio.h>

#include "lazylib.h"

static net_curl curl_table;

#define CURL_SYM(member, name) FG_LAZY_SYM(net_curl, member, name)
static const fg_lazy_sym curl_syms[] = {
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
_Static_assert(FG_LAZY_COMPLETE(curl_table, curl_syms),
               "curl_syms must name every member of net_curl");

static fg_lazy_lib curl_lib = FG_LAZY_LIB(FG_CURL_SONAME, curl_table, curl_syms);

static void load_curl(void)
{
    fg_lazy_open(&curl_lib);
    /* Once, before any handle and any second thread (libcurl asks this). */
    if (curl_lib.ok && curl_table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        curl_lib.ok = false;
        snprintf(curl_lib.why, sizeof curl_lib.why, "%s could not initialise",
                 FG_CURL_SONAME);
    }
}

const net_curl *net_curl_api(fg_error *err)
{
    return fg_lazy_ready(&curl_lib, load_curl, err) ? &curl_table : NULL;
}
