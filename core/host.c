/*
 * The host side of the plugin ABI: the host API table, the registrar behind
 * add_offering, and the marshalling of offerings and requests between their
 * JSON form (SPEC §4, §5) and the size-stamped C structs of plugin.h.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rt_internal.h"
#include "runtime.h"
#include "util.h"

/* Size of fgcat_offering as ABI 1.0 defined it. */
#define OFFERING_MIN_SIZE                                                      \
    (offsetof(fgcat_offering, status) + sizeof(((fgcat_offering *)0)->status))

/* Upper bound on one plugin's registrations, so a runaway plugin cannot
   exhaust memory. */
#define MAX_OFFERINGS_PER_PLUGIN 100000

/* Largest offerings file read, from a plugin's data or the operator's
   directory (the built-in files are about 40 KB each). */
#define MAX_OFFERINGS_FILE ((size_t)16 * 1024 * 1024)

/* What the host functions of a registration hand each offering (or
   refusal) to: the collector in fgcat, or the worker's link to fgcat. */
struct fgcat_registrar {
    rt_offering_fn fn;
    void *ud;
    char data_dir[4096]; /* the plugin's data directory (data_dir) */
};

/* fgcat's side of a registration: the checks every offering shares. */
struct rt_collector {
    rt_plugin *plugin;
    rt_add_fn add;
    void *ud;
    json_t *seen;     /* ids added so far, as object keys */
    const json_t *overrides; /* the operator's offerings (rt_register) */
    fg_error first;   /* the first refusal */
    size_t failures;
};

/* --- attributes ------------------------------------------------------- */

static json_t *attr_value(const fgcat_attrs *attrs, const char *key)
{
    json_t *v;
    if (!attrs || !key)
        return NULL;
    v = json_object_get((const json_t *)attrs, key);
    return json_is_null(v) ? NULL : v;
}

static int host_attr_int(const fgcat_attrs *attrs, const char *key, int64_t *out)
{
    json_t *v = attr_value(attrs, key);
    if (!v)
        return FGCAT_ERR_NOT_FOUND;
    if (!json_is_integer(v))
        return FGCAT_ERR_TYPE;
    *out = (int64_t)json_integer_value(v);
    return FGCAT_OK;
}

static int host_attr_string(const fgcat_attrs *attrs, const char *key,
                            const char **out)
{
    json_t *v = attr_value(attrs, key);
    if (!v)
        return FGCAT_ERR_NOT_FOUND;
    if (!json_is_string(v))
        return FGCAT_ERR_TYPE;
    *out = json_string_value(v);
    return FGCAT_OK;
}

static int host_attr_bool(const fgcat_attrs *attrs, const char *key, int *out)
{
    json_t *v = attr_value(attrs, key);
    if (!v)
        return FGCAT_ERR_NOT_FOUND;
    if (!json_is_boolean(v))
        return FGCAT_ERR_TYPE;
    *out = json_is_true(v);
    return FGCAT_OK;
}

static size_t host_attr_count(const fgcat_attrs *attrs)
{
    return attrs ? json_object_size((const json_t *)attrs) : 0;
}

static const char *host_attr_key(const fgcat_attrs *attrs, size_t index)
{
    const char *key;
    json_t *value;
    size_t i = 0;
    if (!attrs)
        return NULL;
    json_object_foreach((json_t *)attrs, key, value) {
        (void)value;
        if (i++ == index)
            return key;
    }
    return NULL;
}

static void host_log(const char *plugin_name, int level, const char *message)
{
    fg_log_level lvl = level <= 0 ? FG_LOG_ERROR : level >= 3 ? FG_LOG_DEBUG
                                                              : (fg_log_level)level;
    fg_log(lvl, "plugin %s: %s", plugin_name ? plugin_name : "?",
           message ? message : "");
}

/* --- plugin → host: an added offering as JSON -------------------------- */

/* Sets obj[key] to the string `value` unless it is NULL; false when it is
   not valid UTF-8 (json_string refuses it). */
static bool put_str(json_t *obj, const char *key, const char *value, fg_error *err)
{
    json_t *s;
    if (!value)
        return true;
    s = json_string(value);
    if (!s) {
        fg_fail(err, FG_EINVAL, "field %s is not valid UTF-8", key);
        return false;
    }
    json_object_set_new(obj, key, s);
    return true;
}

static bool put_list(json_t *obj, const char *key, const char *const *items,
                     fg_error *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; items && items[i]; i++) {
        json_t *s;
        if (i >= 1000) {
            json_decref(arr);
            fg_fail(err, FG_EINVAL, "field %s has more than 1000 entries", key);
            return false;
        }
        s = json_string(items[i]);
        if (!s) {
            json_decref(arr);
            fg_fail(err, FG_EINVAL, "field %s[%zu] is not valid UTF-8", key, i);
            return false;
        }
        json_array_append_new(arr, s);
    }
    json_object_set_new(obj, key, arr);
    return true;
}

/* Only the shape changes here; validation is the catalogue's. */
json_t *rt_offering_to_json(const fgcat_offering *o, const char **id, fg_error *err)
{
    json_t *j, *provider, *price, *attrs;
    json_error_t jerr;

    *id = "?";
    if (o->struct_size >= offsetof(fgcat_offering, id) + sizeof o->id && o->id &&
        fg_utf8_valid(o->id, strlen(o->id)))
        *id = o->id;
    if (o->struct_size < OFFERING_MIN_SIZE) {
        fg_fail(err, FG_EINVAL, "struct_size %zu is smaller than the %zu bytes of ABI %d.0",
                o->struct_size, (size_t)OFFERING_MIN_SIZE, FGCAT_ABI_MAJOR);
        return NULL;
    }
    j = json_object();
    provider = json_object();
    price = json_object();
    json_object_set_new(j, "provider", provider);
    json_object_set_new(j, "price", price);
    if (!put_str(j, "id", o->id, err) || !put_str(j, "area", o->area, err) ||
        !put_str(provider, "ods", o->provider_ods, err) ||
        !put_str(provider, "name", o->provider_name, err) ||
        !put_str(j, "title", o->title, err) || !put_str(j, "summary", o->summary, err) ||
        !put_str(j, "description", o->description ? o->description : "", err) ||
        !put_str(j, "delivery", o->delivery, err) ||
        !put_str(price, "currency", o->currency ? o->currency : "GBP", err) ||
        !put_str(price, "unit", o->price_unit, err) ||
        !put_list(j, "regions", o->regions, err) || !put_list(j, "tags", o->tags, err) ||
        !put_str(j, "contact", o->contact, err))
        goto fail;
    json_object_set_new(j, "duration_days", o->duration_days
                                                ? json_integer(o->duration_days)
                                                : json_null());
    json_object_set_new(j, "capacity",
                        o->capacity ? json_integer(o->capacity) : json_null());
    json_object_set_new(price, "amount_pence", json_integer(o->price_pence));

    attrs = json_loads(o->attributes_json ? o->attributes_json : "{}",
                       JSON_REJECT_DUPLICATES, &jerr);
    if (!attrs) {
        fg_fail(err, FG_EINVAL, "attributes_json is not valid JSON: %s at column %d",
                jerr.text, jerr.column);
        goto fail;
    }
    json_object_set_new(j, "attributes", attrs);
    json_object_set_new(j, "status", json_string("active"));
    return j;
fail:
    json_decref(j);
    return NULL;
}

/* Records one refusal: the first becomes the registration's error. */
static void reg_refuse(rt_collector *reg, const char *source, const char *id,
                       const char *msg)
{
    if (reg->failures++ == 0) {
        if (source && id)
            fg_fail(&reg->first, FG_EREFUSED, "%.300s: offering '%.100s': %s", source, id,
                    msg);
        else if (source)
            fg_fail(&reg->first, FG_EREFUSED, "%.300s: %s", source, msg);
        else if (id)
            fg_fail(&reg->first, FG_EREFUSED, "offering '%.100s': %s", id, msg);
        else
            fg_fail(&reg->first, FG_EREFUSED, "%s", msg);
    }
    if (source)
        rt_problem_add(reg->plugin, "offering", id, "%.300s: %s", source, msg);
    else
        rt_problem_add(reg->plugin, "offering", id, "%s", msg);
}

/*
 * Hands one offering in JSON form (borrowed) to the registrar's add
 * function, after the checks every registration shares: the plugin's
 * limit and ids added twice.  `id` is the offering's id when it has a
 * usable one, else NULL.  An id the operator overrides is skipped (marked
 * seen): the override is added after the plugin's registration.
 */
static int reg_add_json(rt_collector *reg, json_t *j, const char *id, const char *source,
                        bool from_override)
{
    fg_error e;

    fg_error_clear(&e);
    if (json_object_size(reg->seen) >= MAX_OFFERINGS_PER_PLUGIN) {
        fg_fail(&e, FG_EINVAL, "more than %d offerings", MAX_OFFERINGS_PER_PLUGIN);
        goto refused;
    }
    /* Offerings without a usable id fail validation on their own; only
       real ids are checked for repeats. */
    if (id && json_object_get(reg->seen, id)) {
        fg_fail(&e, FG_EINVAL, "added twice");
        goto refused;
    }
    if (id)
        json_object_set_new(reg->seen, id, json_true());
    if (id && !from_override && json_object_get(reg->overrides, id))
        return FGCAT_OK;
    if (reg->add(reg->ud, reg->plugin, j, &e) != FG_OK)
        goto refused;
    return FGCAT_OK;

refused:
    reg_refuse(reg, source, id ? id : "?", e.msg);
    return FGCAT_ERR_INVALID;
}

/* Reports a refusal (of an offering, or of a whole text when `id` is
   NULL) to the registrar's receiver. */
static int reg_reject(fgcat_registrar *reg, const char *source, const char *id,
                      const char *msg)
{
    reg->fn(reg->ud, id, source, NULL, msg);
    return FGCAT_ERR_INVALID;
}

static int host_add_offering(fgcat_registrar *reg, const fgcat_offering *o)
{
    fg_error e;
    json_t *j;
    const char *id;
    int rc;

    if (!reg || !o)
        return FGCAT_ERR_INVALID;
    fg_error_clear(&e);
    j = rt_offering_to_json(o, &id, &e);
    if (!j)
        return reg_reject(reg, NULL, id, e.msg);
    rc = reg->fn(reg->ud, strcmp(id, "?") != 0 ? id : NULL, NULL, j, NULL);
    json_decref(j);
    return rc;
}

/* The id of an offering object when it is a usable string, else NULL. */
static const char *json_id(const json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    return id && *id ? id : NULL;
}

/*
 * Adds one element of an offerings text: an object, made a registration
 * (status "active"; rev and dates dropped).  Borrowed.
 */
static int add_element(fgcat_registrar *reg, json_t *elem, size_t index, bool is_array,
                       const char *source)
{
    json_t *copy;
    const json_t *status;
    const char *id;
    char where[64];
    int rc;

    if (!json_is_object(elem)) {
        snprintf(where, sizeof where, "element [%zu] is not an offering object", index);
        return reg_reject(reg, source, NULL,
                          is_array ? where
                                   : "the text is not an offering object or an array of them");
    }
    id = json_id(elem);
    status = json_object_get(elem, "status");
    if (status && !(json_is_string(status) && strcmp(json_string_value(status), "active") == 0)) {
        return reg_reject(reg, source, id ? id : "?",
                          "field status must be \"active\" (leave an offering out to "
                          "withdraw it)");
    }
    copy = json_deep_copy(elem);
    if (!copy)
        abort();
    json_object_del(copy, "rev");
    json_object_del(copy, "updated_at");
    json_object_del(copy, "withdrawn_at");
    json_object_set_new(copy, "status", json_string("active"));
    rc = reg->fn(reg->ud, id, source, copy, NULL);
    json_decref(copy);
    return rc;
}

/* Parses offerings text: one object or an array.  New, or NULL with the
   reason recorded against `source`. */
static json_t *parse_offerings(fgcat_registrar *reg, const char *text, size_t len,
                               const char *source)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    char msg[FG_ERROR_MSG_SIZE];

    if (!doc) {
        snprintf(msg, sizeof msg, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        reg_reject(reg, source, NULL, msg);
        return NULL;
    }
    if (!json_is_array(doc) && !json_is_object(doc)) {
        json_decref(doc);
        reg_reject(reg, source, NULL, "the text is not an offering object or an array of them");
        return NULL;
    }
    return doc;
}

/* Adds every offering of a parsed document (an object or an array). */
static int add_document(fgcat_registrar *reg, json_t *doc, const char *source)
{
    int result = FGCAT_OK;
    size_t i;
    json_t *elem;

    if (json_is_object(doc))
        return add_element(reg, doc, 0, false, source);
    json_array_foreach(doc, i, elem) {
        int rc = add_element(reg, elem, i, true, source);
        if (rc != FGCAT_OK && result == FGCAT_OK)
            result = rc;
    }
    return result;
}

static int host_add_offerings_json(fgcat_registrar *reg, const char *json_text,
                                   const char *source)
{
    json_t *doc;
    int rc;

    if (!reg)
        return FGCAT_ERR_INVALID;
    if (!source || !fg_utf8_valid(source, strlen(source)) || fg_has_control(source, false))
        source = "JSON text";
    if (!json_text) {
        return reg_reject(reg, source, NULL, "no text was given");
    }
    doc = parse_offerings(reg, json_text, strlen(json_text), source);
    if (!doc)
        return FGCAT_ERR_INVALID;
    rc = add_document(reg, doc, source);
    json_decref(doc);
    return rc;
}

/*
 * Reads a whole file of at most MAX_OFFERINGS_FILE bytes.  New (*text,
 * NUL-terminated, caller frees), or a status with the reason in `err`.
 */
static fg_status read_text_file(const char *path, char **text, size_t *len, fg_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n;

    *text = NULL;
    *len = 0;
    if (!f)
        return fg_fail(err, FG_ENOTFOUND, "%s: %s", path, strerror(errno));
    buf = malloc(MAX_OFFERINGS_FILE + 1);
    if (!buf)
        abort();
    n = fread(buf, 1, MAX_OFFERINGS_FILE + 1, f);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return fg_fail(err, FG_EIO, "%s: cannot read it", path);
    }
    fclose(f);
    if (n > MAX_OFFERINGS_FILE) {
        free(buf);
        return fg_fail(err, FG_EINVAL, "%s: larger than %zu bytes", path, MAX_OFFERINGS_FILE);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return FG_OK;
}

static int host_add_offerings_file(fgcat_registrar *reg, const char *name)
{
    char path[sizeof reg->data_dir + 256];
    fg_error e;
    char *text;
    size_t len;
    json_t *doc;
    int rc;

    if (!reg)
        return FGCAT_ERR_INVALID;
    if (!name || !*name || strchr(name, '/') || strlen(name) > 255 ||
        strcmp(name, "..") == 0 || !fg_utf8_valid(name, strlen(name))) {
        return reg_reject(reg, reg->data_dir, NULL,
                          "add_offerings_file takes a plain file name of at most 255 bytes");
    }
    snprintf(path, sizeof path, "%s/%s", reg->data_dir, name);
    fg_error_clear(&e);
    if (read_text_file(path, &text, &len, &e) != FG_OK) {
        return reg_reject(reg, NULL, NULL, e.msg);
    }
    doc = parse_offerings(reg, text, len, path);
    free(text);
    if (!doc)
        return FGCAT_ERR_INVALID;
    rc = add_document(reg, doc, path);
    json_decref(doc);
    return rc;
}

static const char *host_data_dir(const fgcat_registrar *reg)
{
    return reg ? reg->data_dir : NULL;
}

rt_collector *rt_collector_new(rt_plugin *p, const json_t *overrides, rt_add_fn add,
                               void *ud)
{
    rt_collector *c = fg_xcalloc(1, sizeof *c);
    size_t kept = 0;

    c->plugin = p;
    c->add = add;
    c->ud = ud;
    c->overrides = overrides;
    c->seen = json_object();
    fg_error_clear(&c->first);
    /* A loaded plugin's problems come from an earlier registration, and
       its output (kept: `plugins check` reports it). */
    for (size_t i = 0; i < p->n_problems; i++)
        if (strcmp(p->problems[i].what, "output") == 0)
            p->problems[kept++] = p->problems[i];
    p->n_problems = kept;
    p->more_problems = 0;
    return c;
}

int rt_collector_add(rt_collector *c, const char *id, const char *source, json_t *j,
                     const char *why)
{
    if (!j) {
        reg_refuse(c, source, id, why ? why : "not an offering");
        return FGCAT_ERR_INVALID;
    }
    return reg_add_json(c, j, id, source, false);
}

/* Receives the operator's offerings: they replace the plugin's own. */
static int add_override_one(void *ud, const char *id, const char *source, json_t *j,
                            const char *why)
{
    rt_collector *c = ud;
    if (!j) {
        reg_refuse(c, source, id, why ? why : "not an offering");
        return FGCAT_ERR_INVALID;
    }
    return reg_add_json(c, j, id, source, true);
}

/* True when `area` is one of `p`'s areas. */
static bool plugin_has_area(const rt_plugin *p, const char *area)
{
    for (char **a = p->areas; area && a && *a; a++)
        if (strcmp(*a, area) == 0)
            return true;
    return false;
}

/* Adds the operator's offerings of `c`'s plugin's areas, after the
   plugin's own; they are operator data, handled in fgcat. */
static void add_overrides(rt_collector *c)
{
    struct fgcat_registrar reg = {.fn = add_override_one, .ud = c};
    const char *id;
    json_t *entry;

    json_object_foreach((json_t *)c->overrides, id, entry) {
        json_t *o = json_object_get(entry, "offering");
        const char *source = json_string_value(json_object_get(entry, "source"));
        if (!plugin_has_area(c->plugin, json_string_value(json_object_get(o, "area"))))
            continue;
        json_object_del(c->seen, id); /* the plugin's own is replaced */
        add_element(&reg, o, 0, false, source);
    }
}

fg_status rt_collector_finish(rt_collector *c, int rc, fg_error *err)
{
    rt_plugin *p = c->plugin;
    size_t failures;
    fg_error first;

    if (rc == FGCAT_OK && c->overrides)
        add_overrides(c);
    failures = c->failures;
    first = c->first;
    json_decref(c->seen);
    free(c);
    if (rc != FGCAT_OK)
        rt_problem_add(p, "register", NULL, "register_offerings failed (status %d)", rc);
    if (failures > 1)
        return fg_fail(err, FG_EREFUSED, "%s (and %zu more refused offerings)", first.msg,
                       failures - 1);
    if (failures == 1)
        return fg_fail(err, FG_EREFUSED, "%s", first.msg);
    if (rc != FGCAT_OK)
        return fg_fail(err, FG_EREFUSED, "register_offerings failed (status %d)", rc);
    return FG_OK;
}

void rt_collector_abandon(rt_collector *c)
{
    fg_error ignored;
    c->overrides = NULL;
    rt_collector_finish(c, FGCAT_OK, &ignored);
}

static int collect_one(void *ud, const char *id, const char *source, json_t *offering,
                       const char *why)
{
    return rt_collector_add(ud, id, source, offering, why);
}

static const fgcat_host_api host_api = {
    .struct_size = sizeof(fgcat_host_api),
    .abi_major = FGCAT_ABI_MAJOR,
    .abi_minor = FGCAT_ABI_MINOR,
    .host_version = FGCAT_VERSION,
    .add_offering = host_add_offering,
    .attr_int = host_attr_int,
    .attr_string = host_attr_string,
    .attr_bool = host_attr_bool,
    .attr_count = host_attr_count,
    .attr_key = host_attr_key,
    .log = host_log,
    .add_offerings_json = host_add_offerings_json,
    .add_offerings_file = host_add_offerings_file,
    .data_dir = host_data_dir,
};

const fgcat_host_api *rt_host_api(void)
{
    return &host_api;
}

/* Keeps a plugin's message to one printable line. */
static void tidy_message(char *msg, size_t size)
{
    msg[size - 1] = '\0';
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';
}

/*
 * Sets reg->data_dir from the plugin's path: the file's real path (a
 * symlink on the plugin path leads to the data beside the file it names)
 * without ".so".
 */
static void set_data_dir(fgcat_registrar *reg, const char *found)
{
    char *real = realpath(found, NULL);
    const char *path = real ? real : found;
    size_t len = strlen(path);
    if (len > 3 && strcmp(path + len - 3, ".so") == 0)
        len -= 3;
    if (len >= sizeof reg->data_dir)
        len = sizeof reg->data_dir - 1; /* then simply not found */
    memcpy(reg->data_dir, path, len);
    reg->data_dir[len] = '\0';
    free(real);
}

int rt_direct_register(rt_plugin *p, rt_offering_fn fn, void *ud)
{
    struct fgcat_registrar reg = {.fn = fn, .ud = ud};
    set_data_dir(&reg, p->path);
    return p->desc->register_offerings(rt_host_api(), p->pstate, &reg);
}

fg_status rt_register(rt_plugin *p, const json_t *overrides, rt_add_fn add, void *ud,
                      fg_error *err)
{
    rt_collector *c;

    if (p->state != RT_LOADED)
        return fg_fail(err, FG_EREFUSED, "plugin %s is not loaded", p->name);
    if (p->worker)
        return rt_worker_register(p, overrides, add, ud, err);
    c = rt_collector_new(p, overrides, add, ud);
    return rt_collector_finish(c, rt_direct_register(p, collect_one, c), err);
}

/* --- the operator's offerings directory --------------------------------- */

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds one parsed element of `path` to `out`; false with the reason. */
static bool collect_override(json_t *out, json_t *elem, size_t index, bool is_array,
                             const char *path, fg_error *err)
{
    const char *id, *area;
    json_t *prev;

    if (!json_is_object(elem)) {
        if (is_array)
            fg_fail(err, FG_EINVAL, "%s: element [%zu] is not an offering object", path,
                    index);
        else
            fg_fail(err, FG_EINVAL, "%s: not an offering object or an array of them", path);
        return false;
    }
    id = json_id(elem);
    area = json_string_value(json_object_get(elem, "area"));
    if (!id || !fg_utf8_valid(id, strlen(id))) {
        fg_fail(err, FG_EINVAL, "%s: element [%zu]: field id is required", path, index);
        return false;
    }
    if (!area) {
        fg_fail(err, FG_EINVAL, "%s: offering '%.100s': field area is required", path, id);
        return false;
    }
    if ((prev = json_object_get(out, id)) != NULL) {
        fg_fail(err, FG_EINVAL, "%s: offering '%.100s' is also in %s", path, id,
                json_string_value(json_object_get(prev, "source")));
        return false;
    }
    json_object_set_new(out, id, json_pack("{s:O, s:s}", "offering", elem, "source", path));
    return true;
}

/* Reads one file of the directory into `out`. */
static fg_status collect_file(json_t *out, const char *path, fg_error *err)
{
    json_error_t jerr;
    json_t *doc, *elem;
    char *text;
    size_t len, i;
    fg_status st;

    if ((st = read_text_file(path, &text, &len, err)) != FG_OK)
        return st;
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!doc)
        return fg_fail(err, FG_EINVAL, "%s: line %d, column %d: %s", path, jerr.line,
                       jerr.column, jerr.text);
    st = FG_OK;
    if (json_is_array(doc)) {
        json_array_foreach(doc, i, elem) {
            if (!collect_override(out, elem, i, true, path, err)) {
                st = FG_EINVAL;
                break;
            }
        }
    } else if (!collect_override(out, doc, 0, false, path, err)) {
        st = FG_EINVAL;
    }
    json_decref(doc);
    return st;
}

fg_status rt_read_offerings_dir(const char *dir, json_t **out, fg_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    fg_status st = FG_OK;

    *out = NULL;
    if (!d)
        return fg_fail(err, FG_EIO, "offerings directory %s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            char **grown = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
            if (!grown)
                abort();
            names = grown;
        }
        names[n++] = fg_strdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_strings);
    *out = json_object();
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        if (st == FG_OK) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            st = collect_file(*out, path, err);
        }
        free(names[i]);
    }
    free(names);
    if (st != FG_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

/* --- host → plugin: views of JSON records ------------------------------ */

typedef struct offering_view {
    fgcat_offering o;
    const char **lists; /* regions then tags, each NULL-terminated */
} offering_view;

static const char *str_at(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int64_t int_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* Builds a borrowed C view of a validated offering; free with view_close. */
static void view_open(offering_view *v, json_t *j)
{
    json_t *provider = json_object_get(j, "provider");
    json_t *price = json_object_get(j, "price");
    json_t *regions = json_object_get(j, "regions");
    json_t *tags = json_object_get(j, "tags");
    size_t nr = json_array_size(regions), nt = json_array_size(tags);
    size_t k = 0;

    memset(v, 0, sizeof *v);
    v->lists = fg_xcalloc(nr + nt + 2, sizeof *v->lists);
    for (size_t i = 0; i < nr; i++)
        v->lists[k++] = json_string_value(json_array_get(regions, i));
    v->lists[k++] = NULL;
    for (size_t i = 0; i < nt; i++)
        v->lists[k++] = json_string_value(json_array_get(tags, i));
    v->lists[k] = NULL;

    v->o.struct_size = sizeof v->o;
    v->o.id = str_at(j, "id");
    v->o.area = str_at(j, "area");
    v->o.provider_ods = str_at(provider, "ods");
    v->o.provider_name = str_at(provider, "name");
    v->o.title = str_at(j, "title");
    v->o.summary = str_at(j, "summary");
    v->o.description = str_at(j, "description");
    v->o.delivery = str_at(j, "delivery");
    v->o.duration_days = int_at(j, "duration_days");
    v->o.capacity = int_at(j, "capacity");
    v->o.price_pence = int_at(price, "amount_pence");
    v->o.currency = str_at(price, "currency");
    v->o.price_unit = str_at(price, "unit");
    v->o.regions = v->lists;
    v->o.tags = v->lists + nr + 1;
    v->o.contact = str_at(j, "contact");
    v->o.attributes_json = NULL;
    v->o.attributes = (const fgcat_attrs *)json_object_get(j, "attributes");
    v->o.status = str_at(j, "status");
}

static void view_close(offering_view *v)
{
    free(v->lists);
}

fg_status rt_validate_offering(rt_plugin *p, json_t *offering, fg_error *err)
{
    offering_view v;
    char msg[FG_ERROR_MSG_SIZE] = "";
    int rc;

    if (p->state != RT_LOADED)
        return fg_fail(err, FG_EREFUSED, "plugin %s is not loaded", p->name);
    if (p->worker)
        return rt_worker_validate(p, offering, err);
    if (!p->desc->validate_offering)
        return FG_OK;
    view_open(&v, offering);
    rc = p->desc->validate_offering(rt_host_api(), p->pstate, &v.o, msg, sizeof msg);
    view_close(&v);
    if (rc == FGCAT_OK)
        return FG_OK;
    tidy_message(msg, sizeof msg);
    return fg_fail(err, FG_EINVAL, "%s", msg[0] ? msg : "refused by its area's plugin");
}

fg_status rt_quote(rt_plugin *p, json_t *offering, const rt_request *req,
                   int64_t *amount_pence, char currency[4], fg_error *err)
{
    offering_view v;
    fgcat_request r;
    fgcat_quote q;
    char today[FG_DATE_SIZE];
    char msg[FG_ERROR_MSG_SIZE] = "";
    int64_t day_now, day_start;
    int rc;

    if (p->state != RT_LOADED)
        return fg_fail(err, FG_EREFUSED, "plugin %s is not loaded", p->name);
    if (p->worker)
        return rt_worker_quote(p, offering, req, amount_pence, currency, err);
    fg_today(today);
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.requester_ods = req->requester_ods;
    r.contact = req->contact;
    r.quantity = req->quantity;
    r.start = req->start;
    r.today = today;
    r.note = req->note;
    if (req->start && fg_parse_date(req->start, &day_start) &&
        fg_parse_date(today, &day_now))
        r.lead_days = day_start - day_now;

    view_open(&v, offering);
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    snprintf(q.currency, sizeof q.currency, "%s", v.o.currency ? v.o.currency : "GBP");
    if (__builtin_mul_overflow(v.o.price_pence, req->quantity, &q.amount_pence)) {
        view_close(&v);
        return fg_fail(err, FG_EREFUSED, "quantity %lld is too large to price",
                       (long long)req->quantity);
    }
    rc = p->desc->quote_request(rt_host_api(), p->pstate, &v.o, &r, &q, msg, sizeof msg);
    view_close(&v);
    tidy_message(msg, sizeof msg);
    if (rc == FGCAT_ERR_REFUSED || rc == FGCAT_ERR_INVALID)
        return fg_fail(err, FG_EREFUSED, "%s", msg[0] ? msg : "refused by its area's plugin");
    if (rc != FGCAT_OK)
        return fg_fail(err, FG_EPLUGIN, "plugin %s failed to quote (status %d)%s%s",
                       p->name, rc, msg[0] ? ": " : "", msg);
    q.currency[3] = '\0';
    if (q.amount_pence < 0 || strlen(q.currency) != 3 || q.currency[0] < 'A' ||
        q.currency[0] > 'Z' || q.currency[1] < 'A' || q.currency[1] > 'Z' ||
        q.currency[2] < 'A' || q.currency[2] > 'Z')
        return fg_fail(err, FG_EPLUGIN, "plugin %s returned an invalid quote", p->name);
    *amount_pence = q.amount_pence;
    memcpy(currency, q.currency, 4);
    return FG_OK;
}
