/*
 * abi-minor — a broken test plugin: built for an ABI minor newer than the host's
 * (FGCAT_ABI_MINOR + 1).  The host must refuse it naming both versions.
 */
#include "common.h"

static const char *const areas[] = {"abi-minor", NULL};

static const fgcat_plugin descriptor = {
    .struct_size = sizeof(fgcat_plugin),
    .abi_major = FGCAT_ABI_MAJOR,
    .abi_minor = FGCAT_ABI_MINOR + 1,
    .name = "abi-minor",
    .version = "1.0.0",
    .description = "Broken on purpose: abi-minor",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
