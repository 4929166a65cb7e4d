/*
 * abi-minor — a broken test plugin: built for an ABI minor newer than the host's
 * (FGCAT_ABI_MINOR + 1).  The host must refuse it naming both versions.
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

static const char *const areas[] = {"abi-minor", NULL};

static const fgcat_plugin descriptor = {
    .struct_size = sizeof(fgcat_plugin),
    .abi_major = FGCAT_ABI_MAJOR,
    .abi_minor = FGCAT_ABI_MINOR + 1,
    .name = "abi-minor",
    .version = "1.0.0",
    .description = "Broken on purpose: abi-minor",
    .areas = areas,
    .register_offerings = reg_none,
    .quote_request = quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
