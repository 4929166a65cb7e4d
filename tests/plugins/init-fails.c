/*
 * init-fails — a broken test plugin: a valid descriptor whose init fails
 * with FGCAT_ERR_FAILED and the message "database of courses is missing",
 * which the host must carry into its refusal.
 */
#include <fgcat/plugin.h>

#include <stdio.h>

static int init_fail(const fgcat_host_api *host, void **state, char *msg,
                     size_t msg_size)
{
    (void)host;
    (void)state;
    snprintf(msg, msg_size, "database of courses is missing");
    return FGCAT_ERR_FAILED;
}

static int reg_none(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    (void)host;
    (void)state;
    (void)reg;
    return FGCAT_OK;
}

/* Accepts every request at the host's pre-filled price x quantity. */
static int quote_list_price(const fgcat_host_api *host, void *state,
                            const fgcat_offering *offering,
                            const fgcat_request *request, fgcat_quote *quote,
                            char *msg, size_t msg_size)
{
    (void)host;
    (void)state;
    (void)offering;
    (void)request;
    (void)quote;
    (void)msg;
    (void)msg_size;
    return FGCAT_OK;
}

static const char *const areas[] = {"init-fails", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "init-fails",
    .version = "1.0.0",
    .description = "Broken on purpose: init-fails",
    .areas = areas,
    .init = init_fail,
    .register_offerings = reg_none,
    .quote_request = quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
