/*
 * small-struct — a broken test plugin: its descriptor claims struct_size 16, smaller than
 * any ABI 1.x descriptor.  The host must refuse it without reading past it.
 */
#include <fgcat/plugin.h>

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

static const char *const areas[] = {"small-struct", NULL};

static const fgcat_plugin descriptor = {
    .struct_size = 16,
    .abi_major = FGCAT_ABI_MAJOR,
    .abi_minor = FGCAT_ABI_MINOR,
    .name = "small-struct",
    .version = "1.0.0",
    .description = "Broken on purpose: small-struct",
    .areas = areas,
    .register_offerings = reg_none,
    .quote_request = quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
