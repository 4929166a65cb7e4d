/*
 * no-quote — a broken test plugin: its quote_request callback, which is required, is
 * NULL.
 */
#include <fgcat/plugin.h>

static int reg_none(const fgcat_host_api *host, void *state, fgcat_registrar *reg)
{
    (void)host;
    (void)state;
    (void)reg;
    return FGCAT_OK;
}

static const char *const areas[] = {"no-quote", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "no-quote",
    .version = "1.0.0",
    .description = "Broken on purpose: no-quote",
    .areas = areas,
    .register_offerings = reg_none,
    .quote_request = NULL,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
