/*
 * init-fails — a broken test plugin: a valid descriptor whose init fails
 * with FGCAT_ERR_FAILED and the message "database of courses is missing",
 * which the host must carry into its refusal.
 */
#include "common.h"

#include <stdio.h>

static int init_fail(const fgcat_host_api *host, void **state, char *msg,
                     size_t msg_size)
{
    (void)host;
    (void)state;
    snprintf(msg, msg_size, "database of courses is missing");
    return FGCAT_ERR_FAILED;
}

TP_PLUGIN("init-fails", .init = init_fail)
