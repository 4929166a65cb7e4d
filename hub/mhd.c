/* libmicrohttpd, loaded when a hub starts. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include "lazylib.h"

#define MHD_SYM(member, name) FG_LAZY_SYM(net_mhd, member, name)
static const fg_lazy_sym mhd_syms[] = {
    MHD_SYM(start_daemon, "MHD_start_daemon"),
    MHD_SYM(stop_daemon, "MHD_stop_daemon"),
    MHD_SYM(quiesce_daemon, "MHD_quiesce_daemon"),
    MHD_SYM(get_daemon_info, "MHD_get_daemon_info"),
    MHD_SYM(lookup_connection_value, "MHD_lookup_connection_value"),
    MHD_SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
    MHD_SYM(add_response_header, "MHD_add_response_header"),
    MHD_SYM(queue_response, "MHD_queue_response"),
    MHD_SYM(destroy_response, "MHD_destroy_response"),
    MHD_SYM(get_connection_info, "MHD_get_connection_info"),
    MHD_SYM(get_connection_values_n, "MHD_get_connection_values_n"),
};

FG_LAZY_DEFINE(net_mhd, net_mhd_api, FG_MHD_SONAME, mhd_syms, (void)0)
