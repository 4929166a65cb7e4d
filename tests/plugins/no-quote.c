/*
 * no-quote — a broken test plugin: its quote_request callback, which is required, is
 * NULL.
 */
#include "common.h"

static const char *const areas[] = {"no-quote", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "no-quote",
    .version = "1.0.0",
    .description = "Broken on purpose: no-quote",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = NULL,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
