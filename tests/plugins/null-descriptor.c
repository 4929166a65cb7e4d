/*
 * null-descriptor — a broken test plugin: its fgcat_plugin_entry returns
 * NULL instead of a descriptor.
 */
#include <fgcat/plugin.h>

#include <stddef.h>

FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_entry(void)
{
    return NULL;
}
