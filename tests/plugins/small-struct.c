/*
 * small-struct — a broken test plugin: its descriptor claims struct_size 16, smaller than
 * any ABI 1.x descriptor.  The host must refuse it without reading past it.
 */
#include "common.h"

static const char *const areas[] = {"small-struct", NULL};

static const fgcat_plugin descriptor = {
    .struct_size = 16,
    .abi_major = FGCAT_ABI_MAJOR,
    .abi_minor = FGCAT_ABI_MINOR,
    .name = "small-struct",
    .version = "1.0.0",
    .description = "Broken on purpose: small-struct",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
