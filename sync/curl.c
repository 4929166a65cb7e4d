/* libcurl, loaded the first time the sync client makes a call. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <stdio.h>

#include "lazylib.h"

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

/* Once, before any handle and any second thread (libcurl asks this). */
static void init_curl(fg_lazy_lib *lib, const net_curl *cu)
{
    if (lib->ok && cu->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        lib->ok = false;
        snprintf(lib->why, sizeof lib->why, "%s could not initialise", FG_CURL_SONAME);
    }
}

FG_LAZY_DEFINE(net_curl, net_curl_api, FG_CURL_SONAME, curl_syms,
               init_curl(&net_curl_api_lib, &net_curl_api_table))
