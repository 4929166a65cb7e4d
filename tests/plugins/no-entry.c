/*
 * no-entry — a broken test plugin: it exports no fgcat_plugin_entry.  Its
 * author misnamed the entry point (fgcat_plugin_main), the kind of slip the
 * host must report as a missing entry symbol rather than crash on.
 */
#include "common.h"

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_main(void);

static const char *const areas[] = {"no-entry", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "no-entry",
    .version = "1.0.0",
    .description = "Broken on purpose: no-entry",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_main(void)
{
    return &descriptor;
}
