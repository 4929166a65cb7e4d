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

static const char *const areas[] = {"init-fails", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "init-fails",
    .version = "1.0.0",
    .description = "Broken on purpose: init-fails",
    .areas = areas,
    .init = init_fail,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
