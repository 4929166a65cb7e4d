/*
 * abi-major — a broken test plugin: built for ABI major 2.  The host must refuse it
 * naming both versions (2.0 and its own) before reading anything else.
 */
#include "common.h"

static const char *const areas[] = {"abi-major", NULL};

static const fgcat_plugin descriptor = {
    .struct_size = sizeof(fgcat_plugin),
    .abi_major = FGCAT_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "abi-major",
    .version = "1.0.0",
    .description = "Broken on purpose: abi-major",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
