#define _DEFAULT_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fg_version(void)
{
    return FGCAT_VERSION;
}

fg_status fg_default_db_path(char *buf, size_t size, fg_error *err)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;

    if (xdg && xdg[0] == '/')
        n = snprintf(buf, size, "%s/fgcat/catalogue.db", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, size, "%s/.local/share/fgcat/catalogue.db", home);
    else
        return fg_fail(err, FG_EINVAL,
                       "no default catalogue: neither XDG_DATA_HOME nor HOME is set "
                       "(use --db PATH)");
    if (n < 0 || (size_t)n >= size)
        return fg_fail(err, FG_EINVAL, "default catalogue path is too long");
    return FG_OK;
}

/* `rel` (a path relative to the running binary's directory) made whole:
   the directory of /proc/self/exe, "/", `rel`.  `what` names it in
   messages. */
static fg_status beside_binary(const char *rel, const char *what, char *buf, size_t size,
                               fg_error *err)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    int n;

    if (len <= 0)
        return fg_fail(err, FG_EIO, "cannot find the fgcat binary: %s", strerror(errno));
    exe[len] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    n = snprintf(buf, size, "%s/%s", exe, rel);
    if (n < 0 || (size_t)n >= size)
        return fg_fail(err, FG_EINVAL, "%s is too long", what);
    return FG_OK;
}

fg_status fg_default_plugin_path(char *buf, size_t size, fg_error *err)
{
    char clean[4096];
    fg_status st = beside_binary(FGCAT_REL_PLUGIN_DIR, "plugin path", buf, size, err);

    if (st != FG_OK)
        return st;
    /* Show users a clean path when it exists (bin/../lib -> lib). */
    if (realpath(buf, clean) && strlen(clean) < size)
        memcpy(buf, clean, strlen(clean) + 1);
    return FG_OK;
}

fg_status fg_default_worker_path(char *buf, size_t size, fg_error *err)
{
    return beside_binary(FGCAT_REL_WORKER_DIR "/fgcat-plugin-worker", "plugin worker path",
                         buf, size, err);
}
