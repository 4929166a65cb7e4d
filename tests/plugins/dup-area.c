/*
 * dup-area — a broken test plugin: otherwise valid, it claims the area "test-area",
 * which the test-area plugin owns.  Loaded after test-area it must be refused
 * naming test-area's file; loaded alone it loads.
 */
#include "common.h"

static const char *const areas[] = {"test-area", NULL};

static const fgcat_plugin descriptor = {
    FGCAT_PLUGIN_HEADER,
    .name = "dup-area",
    .version = "1.0.0",
    .description = "Broken on purpose: dup-area",
    .areas = areas,
    .register_offerings = tp_reg_none,
    .quote_request = tp_quote_list_price,
};

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return &descriptor;
}
