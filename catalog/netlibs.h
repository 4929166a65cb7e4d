/*
 * libcurl, libmicrohttpd and OpenSSL's libcrypto, loaded on first use.
 *
 * Only the commands that talk to a hub (sync, remote) or run one (serve,
 * token) need them, and loading them and their dependencies costs every
 * process a few milliseconds at start-up (libcurl alone pulls in some
 * thirty libraries) -- more than a selective search takes.  So fgcat is not
 * linked against them: each is opened with dlopen by the soname CMake found
 * at build time, the first time a function table is asked for, and stays
 * loaded.  The tables hold exactly the functions fgcat calls; the headers
 * still come from the Debian -dev packages, so types and constants are the
 * libraries' own.
 */
#ifndef NETLIBS_H
#define NETLIBS_H

#include <curl/curl.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "status.h"

typedef struct net_curl {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    char *(*easy_escape)(CURL *curl, const char *string, int length);
    void (*free)(void *p);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
} net_curl;

typedef struct net_mhd {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    void (*stop_daemon)(struct MHD_Daemon *daemon);
    MHD_socket (*quiesce_daemon)(struct MHD_Daemon *daemon);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *daemon,
                                                    enum MHD_DaemonInfoType info_type, ...);
    const char *(*lookup_connection_value)(struct MHD_Connection *connection,
                                           enum MHD_ValueKind kind, const char *key);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *response,
                                           const char *header, const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *connection,
                                      unsigned int status_code,
                                      struct MHD_Response *response);
    void (*destroy_response)(struct MHD_Response *response);
} net_mhd;

typedef struct net_crypto {
    int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
                  const EVP_MD *type, ENGINE *impl);
    const EVP_MD *(*sha256)(void);
    int (*rand_bytes)(unsigned char *buf, int num);
} net_crypto;

/*
 * The function table of each library, loading it on the first call
 * (thread-safe).  Borrowed, valid until exit; NULL when the library or one
 * of its functions cannot be loaded, with the reason in `err`.
 */
const net_curl *net_curl_api(fg_error *err);
const net_mhd *net_mhd_api(fg_error *err);
const net_crypto *net_crypto_api(fg_error *err);

#endif /* NETLIBS_H */
