/*
 * bad-name — a broken test plugin: its name, "Bad Name!", is not [a-z0-9-].
 */
#include "common.h"

static const char *const areas[] = {"bad-name", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "Bad Name!",
    .version = "1.0.0",
    .description = "Broken on purpose: bad-name",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
