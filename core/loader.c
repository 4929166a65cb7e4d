/*
 * Plugin loading: dlopen, the entry symbol, and the descriptor checks of
 * SPEC §7.  Each refusal names the file, the reason and, where versions
 * differ, both of them.
 */
#define _GNU_SOURCE /* dladdr1 */
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsyms.h"
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
    return fg_xcalloc(1, sizeof(rt_runtime));
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
    free(p->problems);
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

/* Copies at most `max` bytes of `s` into `out` (`max` + 1 bytes), cutting
   before a UTF-8 sequence rather than inside it. */
static void copy_cut(char *out, const char *s, size_t max)
{
    size_t len = strnlen(s, max + 1);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

void rt_problem_add(rt_plugin *p, const char *what, const char *offering, const char *fmt,
                    ...)
{
    rt_problem *pr;
    va_list ap;

    if (p->n_problems == RT_MAX_PROBLEMS) {
        p->more_problems++;
        return;
    }
    if (!p->problems) {
        p->problems = fg_xcalloc(RT_MAX_PROBLEMS, sizeof *p->problems);
    }
    pr = &p->problems[p->n_problems++];
    pr->what = what;
    copy_cut(pr->offering, offering ? offering : "", 100);
    va_start(ap, fmt);
    vsnprintf(pr->message, sizeof pr->message, fmt, ap);
    va_end(ap);
}

/* True once loading found a problem with `p`. */
static bool has_problems(const rt_plugin *p)
{
    return p->n_problems + p->more_problems > 0;
}

/*
 * Records a problem found while loading.  The first one refuses the plugin
 * (it never reaches RT_LOADED) and becomes its reason; finish_refusal logs
 * it once loading is over.
 */
static rt_plugin *refuse_load(rt_plugin *p, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static rt_plugin *refuse_load(rt_plugin *p, const char *what, const char *fmt, ...)
{
    char msg[FG_ERROR_MSG_SIZE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!has_problems(p)) {
        p->state = RT_REFUSED;
        snprintf(p->reason, sizeof p->reason, "%s", msg);
    }
    rt_problem_add(p, what, NULL, "%s", msg);
    return p;
}

/* Completes the reason of a plugin refused while loading and logs it. */
static rt_plugin *finish_refusal(rt_plugin *p)
{
    size_t more = p->n_problems + p->more_problems - 1;
    if (more > 0) {
        size_t len = strlen(p->reason);
        snprintf(p->reason + len, sizeof p->reason - len, " (and %zu more problem%s)",
                 more, more == 1 ? "" : "s");
    }
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

/* Least sizes of the ABI 1.1 label structs: every field 1.1 defines. */
#define AREA_LABEL_MIN_SIZE                                                    \
    (offsetof(fgcat_area_label, attributes) + sizeof(((fgcat_area_label *)0)->attributes))
#define ATTR_LABEL_MIN_SIZE                                                    \
    (offsetof(fgcat_attr_label, description) +                                 \
     sizeof(((fgcat_attr_label *)0)->description))
#define RT_MAX_ATTR_LABELS 64

/* True when `area` is one of the descriptor's areas. */
static bool has_area(const fgcat_plugin *d, const char *area)
{
    for (size_t i = 0; area && d->areas[i] && i < RT_MAX_AREAS; i++)
        if (strcmp(d->areas[i], area) == 0)
            return true;
    return false;
}

/* Checks one attribute label of area `area` (ABI 1.1). */
static void check_attr_label(rt_plugin *p, const char *area, size_t i,
                             const fgcat_attr_label *l)
{
    if (l->struct_size < ATTR_LABEL_MIN_SIZE) {
        refuse_load(p, "descriptor",
                    "bad descriptor: area_labels '%s' attributes[%zu] has struct_size "
                    "%zu, smaller than the %zu bytes of ABI 1.1",
                    area, i, l->struct_size, (size_t)ATTR_LABEL_MIN_SIZE);
        return;
    }
    if (!good_text(l->key, 64) || !*l->key)
        refuse_load(p, "descriptor",
                    "bad descriptor: area_labels '%s' attributes[%zu] needs a key of "
                    "1-64 printable characters",
                    area, i);
    else if (!good_text(l->label, 80) || !*l->label)
        refuse_load(p, "descriptor",
                    "bad descriptor: the label of attribute %s of area '%s' must be "
                    "1-80 printable characters",
                    l->key, area);
    else if ((l->unit && !good_text(l->unit, 40)) ||
             (l->description && !good_text(l->description, 500)))
        refuse_load(p, "descriptor",
                    "bad descriptor: the unit (at most 40) or description (at most "
                    "500 printable characters) of attribute %s of area '%s' is bad",
                    l->key, area);
}

/*
 * Checks the ABI 1.1 labels: each names one of the plugin's areas once,
 * with printable text of bounded length, and at most RT_MAX_ATTR_LABELS
 * attribute labels.  Problems are recorded like the descriptor's own.
 */
static void check_labels(rt_plugin *p, const fgcat_plugin *d)
{
    for (size_t i = 0; d->area_labels[i]; i++) {
        const fgcat_area_label *l = d->area_labels[i];
        if (i >= RT_MAX_AREAS) {
            refuse_load(p, "descriptor", "bad descriptor: more than %d area_labels",
                        RT_MAX_AREAS);
            return;
        }
        if (l->struct_size < AREA_LABEL_MIN_SIZE) {
            refuse_load(p, "descriptor",
                        "bad descriptor: area_labels[%zu] has struct_size %zu, smaller "
                        "than the %zu bytes of ABI 1.1",
                        i, l->struct_size, (size_t)AREA_LABEL_MIN_SIZE);
            continue;
        }
        if (!has_area(d, l->area)) {
            refuse_load(p, "descriptor",
                        "bad descriptor: area_labels[%zu] does not name one of the "
                        "plugin's areas",
                        i);
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (d->area_labels[k]->struct_size >= AREA_LABEL_MIN_SIZE &&
                d->area_labels[k]->area && strcmp(d->area_labels[k]->area, l->area) == 0) {
                refuse_load(p, "descriptor",
                            "bad descriptor: area '%s' is labelled twice", l->area);
                break;
            }
        if (!good_text(l->label, 80) || !*l->label ||
            (l->description && !good_text(l->description, 500)))
            refuse_load(p, "descriptor",
                        "bad descriptor: the label of area '%s' must be 1-80 and its "
                        "description at most 500 printable characters",
                        l->area);
        for (size_t k = 0; l->attributes && l->attributes[k]; k++) {
            if (k >= RT_MAX_ATTR_LABELS) {
                refuse_load(p, "descriptor",
                            "bad descriptor: area '%s' labels more than %d attributes",
                            l->area, RT_MAX_ATTR_LABELS);
                break;
            }
            check_attr_label(p, l->area, k, l->attributes[k]);
        }
    }
}

/* The label record of `area` in a loaded plugin, or NULL. */
static const fgcat_area_label *area_label(const rt_plugin *p, const char *area)
{
    const fgcat_plugin *d = p->desc;
    if (!d || !FGCAT_HAS_FIELD(d, fgcat_plugin, area_labels) || !d->area_labels)
        return NULL;
    for (size_t i = 0; d->area_labels[i]; i++)
        if (strcmp(d->area_labels[i]->area, area) == 0)
            return d->area_labels[i];
    return NULL;
}

bool rt_area_label(const rt_runtime *rt, const char *area, const char **label,
                   const char **description)
{
    rt_plugin *p = rt_area_owner(rt, area);
    const fgcat_area_label *l = p ? area_label(p, area) : NULL;
    if (!l)
        return false;
    *label = l->label;
    *description = l->description;
    return true;
}

bool rt_attr_label(const rt_runtime *rt, const char *area, const char *key,
                   const char **label, const char **unit, const char **description)
{
    rt_plugin *p = rt_area_owner(rt, area);
    const fgcat_area_label *l = p ? area_label(p, area) : NULL;
    for (size_t i = 0; l && l->attributes && l->attributes[i]; i++)
        if (strcmp(l->attributes[i]->key, key) == 0) {
            *label = l->attributes[i]->label;
            *unit = l->attributes[i]->unit;
            *description = l->attributes[i]->description;
            return true;
        }
    return false;
}

/*
 * Checks the descriptor's versions, size, strings and areas, and copies what
 * `fgcat plugins` shows.  Records every problem it can see: it stops early
 * only where reading on is unsafe (another ABI major: the layout is
 * unknown; a struct_size below ABI 1.0's: the fields may not exist) or
 * pointless (no areas).  Returns false (plugin refused) when it found any.
 */
static bool check_descriptor(rt_runtime *rt, rt_plugin *p, const fgcat_plugin *d)
{
    size_t n_areas = 0;
    rt_plugin *same_name = NULL;
    bool name_ok;

    p->abi_major = d->abi_major;
    p->abi_minor = d->abi_minor;
    if (d->abi_major != FGCAT_ABI_MAJOR) {
        refuse_load(p, "abi",
                    "built for plugin ABI %u.%u, this fgcat provides ABI %d.%d "
                    "(major versions differ)",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
        return false;
    }
    /* A newer minor only appends: its ABI 1.0 fields can still be checked. */
    if (d->abi_minor > FGCAT_ABI_MINOR)
        refuse_load(p, "abi",
                    "built for plugin ABI %u.%u, newer than this fgcat's ABI %d.%d",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
    if (d->struct_size < RT_PLUGIN_MIN_SIZE) {
        refuse_load(p, "descriptor",
                    "bad descriptor: struct_size %zu is smaller than the %zu bytes "
                    "of ABI %d.0",
                    d->struct_size, (size_t)RT_PLUGIN_MIN_SIZE, FGCAT_ABI_MAJOR);
        return false;
    }
    name_ok = d->name && fg_valid_slug(d->name, 40);
    if (!name_ok) {
        refuse_load(p, "descriptor",
                    "bad descriptor: name must be 1-40 characters of [a-z0-9-]");
    } else {
        free(p->name);
        p->name = fg_strdup(d->name);
    }
    if (!good_text(d->version, 40) || !*d->version) {
        refuse_load(p, "descriptor",
                    "bad descriptor: version must be 1-40 printable characters");
    } else {
        free(p->version);
        p->version = fg_strdup(d->version);
    }
    if (d->description && !good_text(d->description, 200)) {
        refuse_load(p, "descriptor",
                    "bad descriptor: description must be at most 200 printable "
                    "characters");
    } else {
        free(p->description);
        p->description = fg_strdup(d->description ? d->description : "");
    }
    if (!d->register_offerings)
        refuse_load(p, "descriptor",
                    "bad descriptor: the register_offerings callback is missing");
    if (!d->quote_request)
        refuse_load(p, "descriptor",
                    "bad descriptor: the quote_request callback is missing");
    for (size_t i = 0; name_ok && i < rt->count; i++) {
        rt_plugin *o = rt->plugins[i];
        if (o != p && o->state == RT_LOADED && strcmp(o->name, d->name) == 0) {
            refuse_load(p, "conflict", "plugin name '%s' is already used by %s", d->name,
                        o->path);
            same_name = o;
            break;
        }
    }
    if (!d->areas || !d->areas[0]) {
        refuse_load(p, "descriptor", "bad descriptor: it names no service area");
        return false;
    }
    for (; d->areas[n_areas]; n_areas++) {
        const char *area = d->areas[n_areas];
        rt_plugin *owner;
        bool twice = false;
        if (n_areas >= RT_MAX_AREAS) {
            refuse_load(p, "descriptor", "bad descriptor: more than %d areas",
                        RT_MAX_AREAS);
            break;
        }
        if (!fg_valid_slug(area, 40)) {
            refuse_load(p, "descriptor",
                        "bad descriptor: area names must be 1-40 characters of "
                        "[a-z0-9-] (areas[%zu])",
                        n_areas);
            continue;
        }
        for (size_t k = 0; k < n_areas && !twice; k++)
            twice = strcmp(d->areas[k], area) == 0;
        if (twice) {
            refuse_load(p, "descriptor", "bad descriptor: area '%s' is listed twice",
                        area);
            continue;
        }
        /* A second copy of a loaded plugin: its areas clash too, which says
           nothing more. */
        owner = rt_area_owner(rt, area);
        if (owner && owner != same_name)
            refuse_load(p, "conflict",
                        "area '%s' is already provided by %s (plugin %s %s)", area,
                        owner->path, owner->name, owner->version);
    }
    if (FGCAT_HAS_FIELD(d, fgcat_plugin, area_labels) && d->area_labels)
        check_labels(p, d);
    if (has_problems(p))
        return false;
    p->areas = fg_xcalloc(n_areas + 1, sizeof *p->areas);
    for (size_t i = 0; i < n_areas; i++)
        p->areas[i] = fg_strdup(d->areas[i]);
    return true;
}

/*
 * The ELF type of the entry symbol `addr` is, as the dynamic loader sees
 * it, when that is not a function; NULL when it is one or cannot be told.
 * Calling a variable's address would crash fgcat (or run its bytes).
 * Only a symbol of the entry's own name is judged: an alias, or the target
 * an IFUNC resolved to, is left alone.
 */
static const char *entry_not_function(void *addr)
{
#ifdef __GLIBC__ /* dladdr1 and RTLD_DL_SYMENT (an enum, not a macro) */
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    unsigned type;

    if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !info.dli_sname ||
        strcmp(info.dli_sname, FGCAT_PLUGIN_ENTRY_SYMBOL) != 0)
        return NULL;
    type = ELF64_ST_TYPE(sym->st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC)
        return fg_elf_type_name(type);
#else
    (void)addr;
#endif
    return NULL;
}

rt_plugin *rt_load_file(rt_runtime *rt, const char *path)
{
    rt_plugin *p;
    void *handle, *addr;
    fgcat_plugin_entry_fn entry;
    const fgcat_plugin *d;
    const char *type;

    if (rt->count == rt->cap) {
        size_t cap = rt->cap ? rt->cap * 2 : 8;
        rt->plugins = fg_xrealloc(rt->plugins, cap * sizeof(rt_plugin *));
        rt->cap = cap;
    }
    p = fg_xcalloc(1, sizeof *p);
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
            return finish_refusal(
                refuse_load(p, "load", "cannot load: the file name is too long"));
        handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    } else {
        handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    if (!handle) {
        const char *why = dlerror();
        return finish_refusal(refuse_load(p, "load", "cannot load: %s",
                                          why ? why : "unknown dlopen error"));
    }
    addr = dlsym(handle, FGCAT_PLUGIN_ENTRY_SYMBOL);
    if (!addr)
        return finish_refusal(refuse_load(
            p, "entry", "no entry symbol '%s' (is it exported with FGCAT_EXPORT?)",
            FGCAT_PLUGIN_ENTRY_SYMBOL));
    if ((type = entry_not_function(addr)) != NULL)
        return finish_refusal(refuse_load(
            p, "entry", "entry symbol '%s' is not a function (ELF symbol type %s)",
            FGCAT_PLUGIN_ENTRY_SYMBOL, type));
    /* POSIX says a data pointer may hold a function pointer from dlsym. */
    *(void **)(&entry) = addr;
    d = entry();
    if (!d)
        return finish_refusal(
            refuse_load(p, "entry", "%s() returned NULL", FGCAT_PLUGIN_ENTRY_SYMBOL));
    if (!check_descriptor(rt, p, d))
        return finish_refusal(p);
    p->desc = d;
    if (d->init) {
        char msg[FG_ERROR_MSG_SIZE] = "";
        int rc = d->init(rt_host_api(), &p->pstate, msg, sizeof msg);
        /* The plugin may have left it unterminated or spread over lines. */
        msg[sizeof msg - 1] = '\0';
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7F)
                *c = ' ';
        if (rc != FGCAT_OK)
            return finish_refusal(refuse_load(p, "init", "init failed (status %d): %s",
                                              rc, msg[0] ? msg : "no message"));
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
            char **grown = fg_xrealloc(names, cap * sizeof *grown);
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
