/*
 * Where things are by default: the catalogue file and the built-in plugins.
 */
#ifndef FG_CONFIG_H
#define FG_CONFIG_H

#include <stddef.h>

#include "status.h"

/* fgcat's version string, e.g. "0.1.0". */
const char *fg_version(void);

/*
 * The default catalogue: $XDG_DATA_HOME/fgcat/catalogue.db, or
 * $HOME/.local/share/fgcat/catalogue.db when XDG_DATA_HOME is unset or not
 * absolute (as the XDG base-directory specification says).
 */
fg_status fg_default_db_path(char *buf, size_t size, fg_error *err);

/*
 * The built-in plugins of this build or install: the plugin directory at
 * the same place relative to the running binary as the install layout puts
 * it (bin/../lib/fgcat/plugins), which the build tree mirrors.
 */
fg_status fg_default_plugin_path(char *buf, size_t size, fg_error *err);

/*
 * The plugin worker executable of this build or install: fgcat-plugin-worker
 * in the directory at the same place relative to the running binary as the
 * install layout puts it (bin/../libexec/fgcat), which the build tree
 * mirrors.
 */
fg_status fg_default_worker_path(char *buf, size_t size, fg_error *err);

#endif /* FG_CONFIG_H */
