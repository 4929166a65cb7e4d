/*
 * Plugin loading: dlopen, the entry symbol, and the descriptor checks of
 * SPEC §7.  Each refusal names the file, the reason and, where versions
 * differ, both of them.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdarg.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"
#include "util.h"

#define RT_MAX_AREAS 16

struct rt_runtime {
    rt_plugin **plugins;
    size_t count, cap;
};

rt_runtime *rt_create(void)
{
    return calloc(1, sizeof(rt_runtime));
}

static void plugin_free(rt_plugin *p)
{
    if (!p)
        return;
    free(p->path);
    free(p->name);
    free(p->version);
    free(p->description);
    if (p->areas)
        for (char **a = p->areas; *a; a++)
            free(*a);
    free(p->areas);
    free(p);
}

void rt_free(rt_runtime *rt)
{
    if (!rt)
        return;
    for (size_t i = 0; i < rt->count; i++) {
        rt_plugin *p = rt->plugins[i];
        if (p->initialised && p->desc->shutdown)
            p->desc->shutdown(rt_host_api(), p->pstate);
        plugin_free(p);
    }
    free(rt->plugins);
    free(rt);
}

size_t rt_plugin_count(const rt_runtime *rt)
{
    return rt->count;
}

rt_plugin *rt_plugin_at(const rt_runtime *rt, size_t i)
{
    return i < rt->count ? rt->plugins[i] : NULL;
}

rt_plugin *rt_area_owner(const rt_runtime *rt, const char *area)
{
    for (size_t i = 0; i < rt->count; i++) {
        rt_plugin *p = rt->plugins[i];
        if (p->state != RT_LOADED)
            continue;
        for (char **a = p->areas; a && *a; a++)
            if (strcmp(*a, area) == 0)
                return p;
    }
    return NULL;
}

void rt_refuse(rt_plugin *p, const char *reason)
{
    p->state = RT_REFUSED;
    snprintf(p->reason, sizeof p->reason, "%s", reason);
    fg_log(FG_LOG_WARN, "plugin %s refused: %s", p->path, p->reason);
}

/* Records a refusal during loading; the plugin never reaches RT_LOADED. */
static rt_plugin *refuse_load(rt_plugin *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static rt_plugin *refuse_load(rt_plugin *p, const char *fmt, ...)
{
    va_list ap;
    p->state = RT_REFUSED;
    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof p->reason, fmt, ap);
    va_end(ap);
    fg_log(FG_LOG_WARN, "plugin %s refused: %s", p->path, p->reason);
    return p;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A descriptor string must be present, short and printable. */
static bool good_text(const char *s, size_t max)
{
    return s && strlen(s) <= max && !fg_has_control(s, false) &&
           fg_utf8_valid(s, strlen(s));
}

/*
 * Checks the descriptor's versions, size, strings and areas, and copies what
 * `fgcat plugins` shows.  Returns false (plugin refused) on the first
 * problem.
 */
static bool check_descriptor(rt_runtime *rt, rt_plugin *p, const fgcat_plugin *d)
{
    size_t n_areas = 0;

    p->abi_major = d->abi_major;
    p->abi_minor = d->abi_minor;
    if (d->abi_major != FGCAT_ABI_MAJOR) {
        refuse_load(p, "built for plugin ABI %u.%u, this fgcat provides ABI %d.%d "
                       "(major versions differ)",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
        return false;
    }
    if (d->abi_minor > FGCAT_ABI_MINOR) {
        refuse_load(p, "built for plugin ABI %u.%u, newer than this fgcat's ABI %d.%d",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
        return false;
    }
    if (d->struct_size < RT_PLUGIN_MIN_SIZE) {
        refuse_load(p, "bad descriptor: struct_size %zu is smaller than the %zu bytes "
                       "of ABI %d.0",
                    d->struct_size, (size_t)RT_PLUGIN_MIN_SIZE, FGCAT_ABI_MAJOR);
        return false;
    }
    if (!d->name || !fg_valid_slug(d->name, 40)) {
        refuse_load(p, "bad descriptor: name must be 1-40 characters of [a-z0-9-]");
        return false;
    }
    free(p->name);
    p->name = fg_strdup(d->name);
    if (!good_text(d->version, 40) || !*d->version) {
        refuse_load(p, "bad descriptor: version must be 1-40 printable characters");
        return false;
    }
    free(p->version);
    p->version = fg_strdup(d->version);
    if (d->description && !good_text(d->description, 200)) {
        refuse_load(p, "bad descriptor: description must be at most 200 printable "
                       "characters");
        return false;
    }
    free(p->description);
    p->description = fg_strdup(d->description ? d->description : "");
    if (!d->register_offerings || !d->quote_request) {
        refuse_load(p, "bad descriptor: the %s callback is missing",
                    !d->register_offerings ? "register_offerings" : "quote_request");
        return false;
    }
    for (size_t i = 0; i < rt->count; i++) {
        rt_plugin *o = rt->plugins[i];
        if (o != p && o->state == RT_LOADED && strcmp(o->name, d->name) == 0) {
            refuse_load(p, "plugin name '%s' is already used by %s", d->name, o->path);
            return false;
        }
    }
    if (!d->areas || !d->areas[0]) {
        refuse_load(p, "bad descriptor: it names no service area");
        return false;
    }
    while (d->areas[n_areas]) {
        const char *area = d->areas[n_areas];
        if (n_areas >= RT_MAX_AREAS) {
            refuse_load(p, "bad descriptor: more than %d areas", RT_MAX_AREAS);
            return false;
        }
        if (!fg_valid_slug(area, 40)) {
            refuse_load(p, "bad descriptor: area names must be 1-40 characters of "
                           "[a-z0-9-]");
            return false;
        }
        for (size_t k = 0; k < n_areas; k++) {
            if (strcmp(d->areas[k], area) == 0) {
                refuse_load(p, "bad descriptor: area '%s' is listed twice", area);
                return false;
            }
        }
        rt_plugin *owner = rt_area_owner(rt, area);
        if (owner) {
            refuse_load(p, "area '%s' is already provided by %s (plugin %s %s)", area,
                        owner->path, owner->name, owner->version);
            return false;
        }
        n_areas++;
    }
    p->areas = calloc(n_areas + 1, sizeof *p->areas);
    if (!p->areas)
        abort();
    for (size_t i = 0; i < n_areas; i++)
        p->areas[i] = fg_strdup(d->areas[i]);
    return true;
}

rt_plugin *rt_load_file(rt_runtime *rt, const char *path)
{
    rt_plugin *p;
    void *handle;
    fgcat_plugin_entry_fn entry;
    const fgcat_plugin *d;

    if (rt->count == rt->cap) {
        size_t cap = rt->cap ? rt->cap * 2 : 8;
        rt_plugin **grown = realloc(rt->plugins, cap * sizeof *grown);
        if (!grown)
            return NULL;
        rt->plugins = grown;
        rt->cap = cap;
    }
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->path = fg_strdup(path);
    p->name = fg_strdup(base_name(path));
    p->version = fg_strdup("");
    p->description = fg_strdup("");
    rt->plugins[rt->count++] = p;

    /* dlopen looks a name without a slash up on the system's library path;
       a plugin is a file, so "my-area.so" means the one in the current
       directory. */
    if (!strchr(path, '/')) {
        char local[4096];
        if ((size_t)snprintf(local, sizeof local, "./%s", path) >= sizeof local)
            return refuse_load(p, "cannot load: the file name is too long");
        handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    } else {
        handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    if (!handle) {
        const char *why = dlerror();
        return refuse_load(p, "cannot load: %s", why ? why : "unknown dlopen error");
    }
    /* POSIX says a data pointer may hold a function pointer from dlsym. */
    *(void **)(&entry) = dlsym(handle, FGCAT_PLUGIN_ENTRY_SYMBOL);
    if (!entry)
        return refuse_load(p, "no entry symbol '%s' (is it exported with FGCAT_EXPORT?)",
                           FGCAT_PLUGIN_ENTRY_SYMBOL);
    d = entry();
    if (!d)
        return refuse_load(p, "%s() returned NULL", FGCAT_PLUGIN_ENTRY_SYMBOL);
    if (!check_descriptor(rt, p, d))
        return p;
    p->desc = d;
    if (d->init) {
        char msg[FG_ERROR_MSG_SIZE] = "";
        int rc = d->init(rt_host_api(), &p->pstate, msg, sizeof msg);
        if (rc != FGCAT_OK)
            return refuse_load(p, "init failed (status %d): %s", rc,
                               msg[0] ? msg : "no message");
    }
    p->initialised = true;
    p->state = RT_LOADED;
    return p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads the "*.so" files of one directory in name order. */
static void load_dir(rt_runtime *rt, const char *dir)
{
    DIR *dh = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (!dh) {
        fg_log(FG_LOG_WARN, "plugin directory %s cannot be read, skipped", dir);
        return;
    }
    while ((de = readdir(dh)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown)
                abort();
            names = grown;
        }
        names[n++] = fg_strdup(de->d_name);
    }
    closedir(dh);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) < sizeof path)
            rt_load_file(rt, path);
        free(names[i]);
    }
    free(names);
}

void rt_load_path(rt_runtime *rt, const char *dirs)
{
    char *copy = fg_strdup(dirs);
    char *rest = copy;
    while (rest) {
        char *colon = strchr(rest, ':');
        if (colon)
            *colon = '\0';
        if (*rest)
            load_dir(rt, rest);
        rest = colon ? colon + 1 : NULL;
    }
    free(copy);
}
