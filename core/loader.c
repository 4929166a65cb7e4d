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
#include "rt_internal.h"
#include "runtime.h"
#include "util.h"

#define RT_MAX_AREAS 16

rt_runtime *rt_create(void)
{
    rt_runtime *rt = fg_xcalloc(1, sizeof(rt_runtime));
    rt->timeout_ms = RT_DEFAULT_TIMEOUT_S * 1000;
    return rt;
}

void rt_set_timeout(rt_runtime *rt, int seconds)
{
    rt->timeout_ms = seconds * 1000;
}

int rt_timeout(const rt_runtime *rt)
{
    return rt->timeout_ms / 1000;
}

void rt_set_restart(rt_runtime *rt, bool restart)
{
    rt->restart = restart;
    if (restart)
        rt_start_all(rt);
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
    json_decref(p->labels);
    free(p->problems);
    free(p);
}

void rt_free(rt_runtime *rt)
{
    if (!rt)
        return;
    for (size_t i = 0; i < rt->count; i++) {
        rt_plugin *p = rt->plugins[i];
        if (p->worker)
            rt_worker_stop(p);
        else if (p->initialised && p->desc->shutdown)
            p->desc->shutdown(rt_host_api(), p->pstate);
        plugin_free(p);
    }
    free(rt->plugins);
    free(rt->worker_exe);
    json_decref(rt->cache);
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
    /* A failed plugin keeps its state and reason: what happened to its
       worker. */
    if (p->state == RT_FAILED) {
        fg_log(FG_LOG_WARN, "plugin %s failed: %s", p->path, p->reason);
        return;
    }
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
rt_plugin *rt_refuse_load(rt_plugin *p, const char *what, const char *fmt, ...)
{
    char msg[FG_ERROR_MSG_SIZE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The first refusal is the reason (what the plugin printed, listed
       too, refuses nothing). */
    if (!p->reason[0]) {
        p->state = RT_REFUSED;
        snprintf(p->reason, sizeof p->reason, "%s", msg);
    }
    rt_problem_add(p, what, NULL, "%s", msg);
    return p;
}

rt_plugin *rt_finish_refusal(rt_plugin *p)
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
        rt_refuse_load(p, "descriptor",
                       "bad descriptor: area_labels '%s' attributes[%zu] has struct_size "
                       "%zu, smaller than the %zu bytes of ABI 1.1",
                       area, i, l->struct_size, (size_t)ATTR_LABEL_MIN_SIZE);
        return;
    }
    if (!good_text(l->key, 64) || !*l->key)
        rt_refuse_load(p, "descriptor",
                       "bad descriptor: area_labels '%s' attributes[%zu] needs a key of "
                       "1-64 printable characters",
                       area, i);
    else if (!good_text(l->label, 80) || !*l->label)
        rt_refuse_load(p, "descriptor",
                       "bad descriptor: the label of attribute %s of area '%s' must be "
                       "1-80 printable characters",
                       l->key, area);
    else if ((l->unit && !good_text(l->unit, 40)) ||
             (l->description && !good_text(l->description, 500)))
        rt_refuse_load(p, "descriptor",
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
            rt_refuse_load(p, "descriptor", "bad descriptor: more than %d area_labels",
                           RT_MAX_AREAS);
            return;
        }
        if (l->struct_size < AREA_LABEL_MIN_SIZE) {
            rt_refuse_load(p, "descriptor",
                           "bad descriptor: area_labels[%zu] has struct_size %zu, smaller "
                           "than the %zu bytes of ABI 1.1",
                           i, l->struct_size, (size_t)AREA_LABEL_MIN_SIZE);
            continue;
        }
        if (!has_area(d, l->area)) {
            rt_refuse_load(p, "descriptor",
                           "bad descriptor: area_labels[%zu] does not name one of the "
                           "plugin's areas",
                           i);
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (d->area_labels[k]->struct_size >= AREA_LABEL_MIN_SIZE &&
                d->area_labels[k]->area && strcmp(d->area_labels[k]->area, l->area) == 0) {
                rt_refuse_load(p, "descriptor",
                               "bad descriptor: area '%s' is labelled twice", l->area);
                break;
            }
        if (!good_text(l->label, 80) || !*l->label ||
            (l->description && !good_text(l->description, 500)))
            rt_refuse_load(p, "descriptor",
                           "bad descriptor: the label of area '%s' must be 1-80 and its "
                           "description at most 500 printable characters",
                           l->area);
        for (size_t k = 0; l->attributes && l->attributes[k]; k++) {
            if (k >= RT_MAX_ATTR_LABELS) {
                rt_refuse_load(p, "descriptor",
                               "bad descriptor: area '%s' labels more than %d attributes",
                               l->area, RT_MAX_ATTR_LABELS);
                break;
            }
            check_attr_label(p, l->area, k, l->attributes[k]);
        }
    }
}

/* Sets obj[key] to the string `value` unless it is NULL. */
static void set_text(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

/* The descriptor's labels (checked by check_labels) as p->labels holds
   them; new, or NULL when there are none. */
static json_t *labels_json(const fgcat_plugin *d)
{
    json_t *out;
    if (!FGCAT_HAS_FIELD(d, fgcat_plugin, area_labels) || !d->area_labels)
        return NULL;
    out = json_object();
    for (size_t i = 0; d->area_labels[i]; i++) {
        const fgcat_area_label *l = d->area_labels[i];
        json_t *area = json_object(), *attrs = json_object();
        set_text(area, "label", l->label);
        set_text(area, "description", l->description);
        for (size_t k = 0; l->attributes && l->attributes[k]; k++) {
            json_t *attr = json_object();
            set_text(attr, "label", l->attributes[k]->label);
            set_text(attr, "unit", l->attributes[k]->unit);
            set_text(attr, "description", l->attributes[k]->description);
            json_object_set_new(attrs, l->attributes[k]->key, attr);
        }
        json_object_set_new(area, "attributes", attrs);
        json_object_set_new(out, l->area, area);
    }
    return out;
}

/* The labels of `area` in a loaded plugin, or NULL. */
static json_t *area_labels(const rt_plugin *p, const char *area)
{
    json_t *l = json_object_get(p->labels, area);
    return json_is_string(json_object_get(l, "label")) ? l : NULL;
}

bool rt_area_label(const rt_runtime *rt, const char *area, const char **label,
                   const char **description)
{
    rt_plugin *p = rt_area_owner(rt, area);
    json_t *l = p ? area_labels(p, area) : NULL;
    if (!l)
        return false;
    *label = json_string_value(json_object_get(l, "label"));
    *description = json_string_value(json_object_get(l, "description"));
    return true;
}

bool rt_attr_label(const rt_runtime *rt, const char *area, const char *key,
                   const char **label, const char **unit, const char **description)
{
    rt_plugin *p = rt_area_owner(rt, area);
    json_t *l = p ? area_labels(p, area) : NULL;
    json_t *a = json_object_get(json_object_get(l, "attributes"), key);
    if (!json_is_string(json_object_get(a, "label")))
        return false;
    *label = json_string_value(json_object_get(a, "label"));
    *unit = json_string_value(json_object_get(a, "unit"));
    *description = json_string_value(json_object_get(a, "description"));
    return true;
}

/*
 * Checks the descriptor's versions, size, strings and areas, and copies what
 * `fgcat plugins` shows.  Records every problem it can see: it stops early
 * only where reading on is unsafe (another ABI major: the layout is
 * unknown; a struct_size below ABI 1.0's: the fields may not exist) or
 * pointless (no areas).  Returns false (plugin refused) when it found any.
 * Clashes with other plugins are rt_check_conflicts' business: the worker
 * that reads a descriptor sees no other plugin.
 */
static bool check_descriptor(rt_plugin *p, const fgcat_plugin *d)
{
    size_t n_areas = 0;

    p->abi_major = d->abi_major;
    p->abi_minor = d->abi_minor;
    if (d->abi_major != FGCAT_ABI_MAJOR) {
        rt_refuse_load(p, "abi",
                    "built for plugin ABI %u.%u, this fgcat provides ABI %d.%d "
                    "(major versions differ)",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
        return false;
    }
    /* A newer minor only appends: its ABI 1.0 fields can still be checked. */
    if (d->abi_minor > FGCAT_ABI_MINOR)
        rt_refuse_load(p, "abi",
                    "built for plugin ABI %u.%u, newer than this fgcat's ABI %d.%d",
                    (unsigned)d->abi_major, (unsigned)d->abi_minor, FGCAT_ABI_MAJOR,
                    FGCAT_ABI_MINOR);
    if (d->struct_size < RT_PLUGIN_MIN_SIZE) {
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: struct_size %zu is smaller than the %zu bytes "
                    "of ABI %d.0",
                    d->struct_size, (size_t)RT_PLUGIN_MIN_SIZE, FGCAT_ABI_MAJOR);
        return false;
    }
    p->desc = d;
    if (!d->name || !fg_valid_slug(d->name, 40)) {
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: name must be 1-40 characters of [a-z0-9-]");
    } else {
        free(p->name);
        p->name = fg_strdup(d->name);
    }
    if (!good_text(d->version, 40) || !*d->version) {
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: version must be 1-40 printable characters");
    } else {
        free(p->version);
        p->version = fg_strdup(d->version);
    }
    if (d->description && !good_text(d->description, 200)) {
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: description must be at most 200 printable "
                    "characters");
    } else {
        free(p->description);
        p->description = fg_strdup(d->description ? d->description : "");
    }
    if (!d->register_offerings)
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: the register_offerings callback is missing");
    if (!d->quote_request)
        rt_refuse_load(p, "descriptor",
                    "bad descriptor: the quote_request callback is missing");
    if (!d->areas || !d->areas[0]) {
        rt_refuse_load(p, "descriptor", "bad descriptor: it names no service area");
        return false;
    }
    for (; d->areas[n_areas]; n_areas++) {
        const char *area = d->areas[n_areas];
        bool twice = false;
        if (n_areas >= RT_MAX_AREAS) {
            rt_refuse_load(p, "descriptor", "bad descriptor: more than %d areas",
                        RT_MAX_AREAS);
            break;
        }
        if (!fg_valid_slug(area, 40)) {
            rt_refuse_load(p, "descriptor",
                        "bad descriptor: area names must be 1-40 characters of "
                        "[a-z0-9-] (areas[%zu])",
                        n_areas);
            continue;
        }
        for (size_t k = 0; k < n_areas && !twice; k++)
            twice = strcmp(d->areas[k], area) == 0;
        if (twice)
            rt_refuse_load(p, "descriptor", "bad descriptor: area '%s' is listed twice",
                        area);
    }
    if (FGCAT_HAS_FIELD(d, fgcat_plugin, area_labels) && d->area_labels)
        check_labels(p, d);
    if (has_problems(p))
        return false;
    p->areas = fg_xcalloc(n_areas + 1, sizeof *p->areas);
    for (size_t i = 0; i < n_areas; i++)
        p->areas[i] = fg_strdup(d->areas[i]);
    p->labels = labels_json(d);
    return true;
}

bool rt_check_conflicts(rt_runtime *rt, rt_plugin *p)
{
    rt_plugin *same_name = NULL;
    bool ok = true;

    for (size_t i = 0; i < rt->count; i++) {
        rt_plugin *o = rt->plugins[i];
        if (o != p && o->state == RT_LOADED && strcmp(o->name, p->name) == 0) {
            rt_refuse_load(p, "conflict", "plugin name '%s' is already used by %s", p->name,
                        o->path);
            same_name = o;
            ok = false;
            break;
        }
    }
    for (char **a = p->areas; a && *a; a++) {
        /* A second copy of a loaded plugin: its areas clash too, which says
           nothing more. */
        rt_plugin *owner = rt_area_owner(rt, *a);
        if (owner && owner != p && owner != same_name) {
            rt_refuse_load(p, "conflict",
                        "area '%s' is already provided by %s (plugin %s %s)", *a,
                        owner->path, owner->name, owner->version);
            ok = false;
        }
    }
    return ok;
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

rt_plugin *rt_record_new(rt_runtime *rt, const char *path)
{
    rt_plugin *p;

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
    return p;
}

void rt_direct_open(rt_runtime *rt, rt_plugin *p)
{
    void *handle, *addr;
    fgcat_plugin_entry_fn entry;
    const fgcat_plugin *d;
    const char *type;

    (void)rt;
    /* dlopen looks a name without a slash up on the system's library path;
       a plugin is a file, so "my-area.so" means the one in the current
       directory. */
    if (!strchr(p->path, '/')) {
        char local[4096];
        if ((size_t)snprintf(local, sizeof local, "./%s", p->path) >= sizeof local) {
            rt_refuse_load(p, "load", "cannot load: the file name is too long");
            return;
        }
        handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    } else {
        handle = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
    }
    if (!handle) {
        const char *why = dlerror();
        rt_refuse_load(p, "load", "cannot load: %s", why ? why : "unknown dlopen error");
        return;
    }
    addr = dlsym(handle, FGCAT_PLUGIN_ENTRY_SYMBOL);
    if (!addr) {
        rt_refuse_load(p, "entry", "no entry symbol '%s' (is it exported with FGCAT_EXPORT?)",
                       FGCAT_PLUGIN_ENTRY_SYMBOL);
        return;
    }
    if ((type = entry_not_function(addr)) != NULL) {
        rt_refuse_load(p, "entry", "entry symbol '%s' is not a function (ELF symbol type %s)",
                       FGCAT_PLUGIN_ENTRY_SYMBOL, type);
        return;
    }
    /* POSIX says a data pointer may hold a function pointer from dlsym. */
    *(void **)(&entry) = addr;
    d = entry();
    if (!d) {
        rt_refuse_load(p, "entry", "%s() returned NULL", FGCAT_PLUGIN_ENTRY_SYMBOL);
        return;
    }
    if (check_descriptor(p, d))
        p->state = RT_LOADED;
}

bool rt_direct_init(rt_plugin *p)
{
    const fgcat_plugin *d = p->desc;
    if (d->init) {
        char msg[FG_ERROR_MSG_SIZE] = "";
        int rc = d->init(rt_host_api(), &p->pstate, msg, sizeof msg);
        /* The plugin may have left it unterminated or spread over lines. */
        msg[sizeof msg - 1] = '\0';
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7F)
                *c = ' ';
        if (rc != FGCAT_OK) {
            rt_refuse_load(p, "init", "init failed (status %d): %s", rc,
                           msg[0] ? msg : "no message");
            return false;
        }
    }
    p->initialised = true;
    return true;
}

rt_plugin *rt_load_file(rt_runtime *rt, const char *path)
{
    rt_plugin *p = rt_record_new(rt, path);

    if (!p)
        return NULL;
    if (rt->direct) {
        rt_direct_open(rt, p);
        if (p->state != RT_LOADED || !rt_check_conflicts(rt, p) || !rt_direct_init(p))
            return rt_finish_refusal(p);
        return p;
    }
    rt_worker_start(rt, p);
    rt_worker_finish(rt, p);
    return p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the "*.so" files of one directory, in name order, to `rt`'s list
   of records, and starts the workers of those the descriptor cache does
   not know. */
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
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) < sizeof path) {
            rt_plugin *p = rt_record_new(rt, path);
            if (p)
                rt_worker_prepare(rt, p);
        }
        free(names[i]);
    }
    free(names);
}

/*
 * Every worker loading needs is started first, then each plugin's loading
 * completes in order (conflicts are judged in load order): the workers
 * start in parallel.
 */
void rt_load_path(rt_runtime *rt, const char *dirs)
{
    char *copy = fg_strdup(dirs);
    char *rest = copy;
    size_t first = rt->count;
    while (rest) {
        char *colon = strchr(rest, ':');
        if (colon)
            *colon = '\0';
        if (*rest)
            load_dir(rt, rest);
        rest = colon ? colon + 1 : NULL;
    }
    free(copy);
    for (size_t i = first; i < rt->count; i++)
        rt_worker_finish(rt, rt->plugins[i]);
}
