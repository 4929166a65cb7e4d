/*
 * The host side of the plugin ABI: the host API table, the registrar behind
 * add_offering, and the marshalling of offerings and requests between their
 * JSON form (SPEC §4, §5) and the size-stamped C structs of plugin.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"
#include "util.h"

/* Size of fgcat_offering as ABI 1.0 defined it. */
#define OFFERING_MIN_SIZE                                                      \
    (offsetof(fgcat_offering, status) + sizeof(((fgcat_offering *)0)->status))

/* Upper bound on one plugin's registrations, so a runaway plugin cannot
   exhaust memory. */
#define MAX_OFFERINGS_PER_PLUGIN 100000

struct fgcat_registrar {
    rt_plugin *plugin;
    rt_add_fn add;
    void *ud;
    json_t *seen;     /* ids added so far, as object keys */
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

/*
 * Converts an offering a plugin added into its JSON form.  Only the shape
 * changes here; SPEC §4 validation is the catalogue's.  New, or NULL with
 * the reason in `err`.
 */
static json_t *offering_to_json(const fgcat_offering *o, fg_error *err)
{
    json_t *j, *provider, *price, *attrs;
    json_error_t jerr;

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

static int host_add_offering(fgcat_registrar *reg, const fgcat_offering *o)
{
    fg_error e;
    json_t *j;
    const char *id = "?";

    fg_error_clear(&e);
    if (!reg || !o)
        return FGCAT_ERR_INVALID;
    if (o->struct_size >= offsetof(fgcat_offering, id) + sizeof o->id && o->id &&
        fg_utf8_valid(o->id, strlen(o->id)))
        id = o->id;
    if (json_object_size(reg->seen) >= MAX_OFFERINGS_PER_PLUGIN) {
        fg_fail(&e, FG_EINVAL, "more than %d offerings", MAX_OFFERINGS_PER_PLUGIN);
        goto refused;
    }
    j = offering_to_json(o, &e);
    if (!j)
        goto refused;
    /* Offerings without a usable id fail validation on their own; only
       real ids are checked for repeats. */
    if (strcmp(id, "?") != 0 && json_object_get(reg->seen, id)) {
        json_decref(j);
        fg_fail(&e, FG_EINVAL, "added twice");
        goto refused;
    }
    json_object_set_new(reg->seen, id, json_true());
    if (reg->add(reg->ud, reg->plugin, j, &e) != FG_OK) {
        json_decref(j);
        goto refused;
    }
    json_decref(j);
    return FGCAT_OK;

refused:
    if (reg->failures++ == 0)
        fg_fail(&reg->first, FG_EREFUSED, "offering '%.100s': %s", id, e.msg);
    rt_problem_add(reg->plugin, "offering", id, "%s", e.msg);
    return FGCAT_ERR_INVALID;
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

fg_status rt_register(rt_plugin *p, rt_add_fn add, void *ud, fg_error *err)
{
    struct fgcat_registrar reg = {.plugin = p, .add = add, .ud = ud};
    int rc;

    if (p->state != RT_LOADED)
        return fg_fail(err, FG_EREFUSED, "plugin %s is not loaded", p->name);
    reg.seen = json_object();
    fg_error_clear(&reg.first);
    /* A loaded plugin's problems all come from an earlier registration. */
    p->n_problems = 0;
    p->more_problems = 0;
    rc = p->desc->register_offerings(rt_host_api(), p->pstate, &reg);
    json_decref(reg.seen);
    if (rc != FGCAT_OK)
        rt_problem_add(p, "register", NULL, "register_offerings failed (status %d)", rc);
    if (reg.failures > 1)
        return fg_fail(err, FG_EREFUSED, "%s (and %zu more refused offerings)",
                       reg.first.msg, reg.failures - 1);
    if (reg.failures == 1)
        return fg_fail(err, FG_EREFUSED, "%s", reg.first.msg);
    if (rc != FGCAT_OK)
        return fg_fail(err, FG_EREFUSED, "register_offerings failed (status %d)", rc);
    return FG_OK;
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
