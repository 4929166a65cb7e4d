/*
 * The static files of the browser catalogue under /assets/: the NHS.UK
 * frontend's compiled CSS and JavaScript (nhsuk-frontend, installed by the
 * build), its images and manifest, and fgcat's own few rules (fgcat.css)
 * and start-up script (fgcat.js).
 *
 * They are read from the web directory beside the binary
 * (FGCAT_REL_WEB_DIR: share/fgcat/web in both the build tree and an
 * installed tree).  Only names made of [A-Za-z0-9._-] in at most one
 * sub-directory are served, never a name starting with a dot, so no path
 * leaves that directory.  The NHS.UK CSS and JavaScript carry their
 * version in their names and are cached for a year, everything else for a
 * day.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"
#include "util.h"

#define MAX_ASSET_BYTES ((size_t)2 * 1024 * 1024)
#define MAX_ASSET_NAME 100

/* True when `name` (the part after "/assets/") is one this hub serves. */
static bool asset_name_ok(const char *name)
{
    size_t n = strlen(name);
    int slashes = 0;
    if (n == 0 || n > MAX_ASSET_NAME || name[0] == '.' || name[0] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '/') {
            if (++slashes > 1 || name[i + 1] == '.' || name[i + 1] == '\0')
                return false;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

static const char *asset_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".json", "application/manifest+json"}};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static bool web_dir(char *buf, size_t size)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    int n;
    if (len <= 0)
        return false;
    exe[len] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    n = snprintf(buf, size, "%s/%s", exe, FGCAT_REL_WEB_DIR);
    return n > 0 && (size_t)n < size;
}

/* Reads file `path` whole into a new buffer; NULL when it cannot. */
static char *read_asset(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t n;
    if (!f)
        return NULL;
    data = fg_xmalloc(MAX_ASSET_BYTES + 1);
    n = fread(data, 1, MAX_ASSET_BYTES + 1, f);
    if (ferror(f) || n > MAX_ASSET_BYTES) {
        fclose(f);
        free(data);
        return NULL;
    }
    fclose(f);
    *len = n;
    return data;
}

void page_asset(html_page *p, const char *name)
{
    char dir[4096], path[4400];
    const char *type = asset_type(name);
    size_t len = 0;
    char *data = NULL;

    if (asset_name_ok(name) && type && web_dir(dir, sizeof dir) &&
        (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path)
        data = read_asset(path, &len);
    if (!data) {
        page_message(p, 404, "Page not found",
                     "There is no such file on this hub. Check the address you typed.");
        return;
    }
    p->r->status = 200;
    p->r->content_type = type;
    p->r->body = data;
    p->r->len = len;
    hub_reply_header(p->r, "Cache-Control",
                     strstr(name, "-" FGCAT_NHSUK_VERSION ".min.")
                         ? "public, max-age=31536000, immutable"
                         : "public, max-age=86400");
}
