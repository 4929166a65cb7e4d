/*
 * no-entry — a broken test plugin: it exports no fgcat_plugin_entry.  Its
 * author misnamed the entry point (fgcat_plugin_main), the kind of slip the
 * host must report as a missing entry symbol rather than crash on.
 */
#include "common.h"

/* The slip: the entry point defined under another name. */
#define fgcat_plugin_entry fgcat_plugin_main
FGCAT_EXPORT const fgcat_plugin *fgcat_plugin_main(void);

TP_PLUGIN("no-entry")
