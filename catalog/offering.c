/*
 * Offerings: validation against SPEC §4, the canonical content form, and
 * reading and writing them in the store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

/* Maximum lengths, in bytes (UTF-8). Documented in docs/offering-format.md. */
#define MAX_ID 70
#define MAX_NAME 200
#define MAX_TITLE 200
#define MAX_SUMMARY 1000
#define MAX_DESCRIPTION 20000
#define MAX_CONTACT 254
#define MAX_REGION 60
#define MAX_REGIONS 20
#define MAX_TAG 40
#define MAX_TAGS 30
#define MAX_DURATION_DAYS 3650
#define MAX_CAPACITY 100000
#define MAX_PRICE_PENCE 1000000000000LL
#define MAX_ATTR_BYTES 8192
#define MAX_ATTR_DEPTH 8
/* 2^53 - 1: exact in every JSON reader, and far enough below INT64_MAX that
   a local change (rev + 1) can never overflow. */
#define MAX_REV 9007199254740991LL

static const char *const deliveries[] = {"on-site", "remote", "blended", NULL};
static const char *const units[] = {"fixed", "per-delegate", "per-day", "per-bed", NULL};
static const char *const statuses[] = {"active", "withdrawn", NULL};

/* Records "<where>: field <field> <what>" in err.  Used through bad(),
   which is an expression of value FG_EINVAL, so that every caller plainly
   fails (static analysers do not follow variadic calls). */
static void describe_bad(fg_error *err, const char *where, const char *field,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void describe_bad(fg_error *err, const char *where, const char *field,
                         const char *fmt, ...)
{
    char what[FG_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    fg_fail(err, FG_EINVAL, "%s%sfield %s %s", where, *where ? ": " : "", field, what);
}
#define bad(...) (describe_bad(__VA_ARGS__), FG_EINVAL)

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

fg_status cat_no_unknown_keys(const json_t *obj, const char *const *known,
                                 const char *where, const char *prefix, fg_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        (void)v;
        /* Never echo a control character: messages are one line. */
        if (!in_list(key, known))
            return fg_fail(err, FG_EINVAL, "%s%sunknown field %s%.60s", where,
                           *where ? ": " : "", prefix,
                           fg_has_control(key, false) ? "with a control character in its name"
                                                      : key);
    }
    return FG_OK;
}

/*
 * Reads text field `key` of `obj` (named `field` in messages): a string of
 * min..max bytes, without control characters (newlines allowed when
 * `multiline`).  *out is borrowed from `obj`.  With `def` non-NULL an absent
 * field reads as `def`.
 */
static fg_status text(const json_t *obj, const char *key, const char *field,
                      size_t min, size_t max, bool multiline, const char *def,
                      const char *where, const char **out, fg_error *err)
{
    json_t *v = json_object_get(obj, key);
    size_t len;
    if (!v) {
        if (def) {
            *out = def;
            return FG_OK;
        }
        return bad(err, where, field, "is missing");
    }
    if (!json_is_string(v))
        return bad(err, where, field, "must be a string");
    *out = json_string_value(v);
    len = json_string_length(v);
    if (strlen(*out) != len)
        return bad(err, where, field, "contains a NUL byte");
    if (len < min)
        return bad(err, where, field, min == 1 ? "must not be empty"
                                               : "must be at least %zu bytes", min);
    if (len > max)
        return bad(err, where, field, "is %zu bytes, longer than the maximum of %zu", len,
                   max);
    if (fg_has_control(*out, multiline))
        return bad(err, where, field, "contains a control character");
    return FG_OK;
}

static fg_status one_of(const json_t *obj, const char *key, const char *field,
                        const char *const *allowed, const char *def, const char *where,
                        const char **out, fg_error *err)
{
    fg_status st = text(obj, key, field, 1, 40, false, def, where, out, err);
    char list[200] = "";
    if (st != FG_OK)
        return st;
    if (in_list(*out, allowed))
        return FG_OK;
    for (const char *const *a = allowed; *a; a++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 a == allowed ? "" : ", ", *a);
    return bad(err, where, field, "must be one of %s (got \"%.40s\")", list, *out);
}

/* An integer in [min, max], or null (stored as JSON null) when `nullable`. */
static fg_status integer(const json_t *obj, const char *key, const char *field,
                         json_int_t min, json_int_t max, bool nullable, const char *where,
                         json_t **out, fg_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_typeof(v) == JSON_NULL) {
        if (!nullable)
            return bad(err, where, field, "is missing");
        *out = json_null();
        return FG_OK;
    }
    if (!json_is_integer(v))
        return bad(err, where, field, "must be an integer%s", nullable ? " or null" : "");
    if (json_integer_value(v) < min || json_integer_value(v) > max)
        return bad(err, where, field, "must be between %lld and %lld (got %lld)",
                   (long long)min, (long long)max, (long long)json_integer_value(v));
    *out = json_integer(json_integer_value(v));
    return FG_OK;
}

/* A list of strings each checked by `ok` (or by length when `ok` is NULL),
   without duplicates. *out is new. */
static fg_status string_list(const json_t *obj, const char *key, size_t max_items,
                             size_t max_len, bool (*ok)(const char *, size_t),
                             const char *rule, const char *where, json_t **out,
                             fg_error *err)
{
    json_t *v = json_object_get(obj, key);
    size_t i;
    json_t *item;
    char field[64];

    *out = json_array();
    if (!v)
        return FG_OK;
    if (!json_is_array(v))
        return bad(err, where, key, "must be an array of strings");
    if (json_array_size(v) > max_items)
        return bad(err, where, key, "has %zu entries, more than the maximum of %zu",
                   json_array_size(v), max_items);
    json_array_foreach(v, i, item) {
        const char *s = json_string_value(item);
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        if (!s || strlen(s) != json_string_length(item))
            return bad(err, where, field, "must be a string");
        if (ok ? !ok(s, max_len)
               : (!*s || strlen(s) > max_len || fg_has_control(s, false))) {
            /* Never echo a control character: messages are one line. */
            if (fg_has_control(s, false))
                return bad(err, where, field, "must be %s (got a control character)",
                           rule);
            return bad(err, where, field, "must be %s (got \"%.40s\")", rule, s);
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(v, k)), s) == 0)
                return bad(err, where, field, "repeats \"%.40s\"", s);
        json_array_append_new(*out, json_string(s));
    }
    return FG_OK;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy of an attribute value with object keys sorted, refusing
   nesting deeper than MAX_ATTR_DEPTH.  New, or NULL when too deep. */
static json_t *sorted_copy(const json_t *v, int depth)
{
    if (depth > MAX_ATTR_DEPTH)
        return NULL;
    if (json_is_object(v)) {
        size_t n = json_object_size(v), k = 0;
        const char **keys = fg_xcalloc(n, sizeof(const char *));
        const char *key;
        json_t *child;
        json_t *out = json_object();
        json_object_foreach((json_t *)v, key, child) {
            (void)child;
            if (k < n)
                keys[k++] = key;
        }
        qsort(keys, k, sizeof(const char *), compare_keys);
        for (size_t i = 0; i < k; i++) {
            json_t *c = sorted_copy(json_object_get(v, keys[i]), depth + 1);
            if (!c) {
                json_decref(out);
                free(keys);
                return NULL;
            }
            json_object_set_new(out, keys[i], c);
        }
        free(keys);
        return out;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *child, *out = json_array();
        json_array_foreach(v, i, child) {
            json_t *c = sorted_copy(child, depth + 1);
            if (!c) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, c);
        }
        return out;
    }
    return json_deep_copy(v);
}

static bool tag_ok(const char *s, size_t max)
{
    return fg_valid_slug(s, max);
}

/* Reads an optional time stamp into `buf` ("" when absent). */
static fg_status stamp(const json_t *in, const char *key, const char *where, char buf[21],
                       fg_error *err)
{
    json_t *v = json_object_get(in, key);
    buf[0] = '\0';
    if (!v || json_typeof(v) == JSON_NULL)
        return FG_OK;
    /* The length check refuses an embedded NUL that strlen would hide. */
    if (!json_is_string(v) || json_string_length(v) != FG_TIMESTAMP_SIZE - 1 ||
        !fg_valid_timestamp(json_string_value(v)))
        return bad(err, where, key, "must be a UTC time stamp like 2026-11-22T10:00:00Z");
    memcpy(buf, json_string_value(v), 21);
    return FG_OK;
}

fg_status cat_offering_normalize(const json_t *in, const char *where, json_t **out,
                                 cat_meta *meta, fg_error *err)
{
    static const char *const known[] = {
        "id",    "area",    "provider", "title",      "summary", "description",
        "delivery", "duration_days", "capacity", "price",   "regions", "tags",
        "contact", "attributes", "status", "rev",     "updated_at", "withdrawn_at",
        NULL};
    static const char *const provider_keys[] = {"ods", "name", NULL};
    static const char *const price_keys[] = {"amount_pence", "currency", "unit", NULL};
    const char *id, *area, *ods, *name, *title, *summary, *description, *delivery,
        *currency, *unit, *contact, *status;
    json_t *provider, *price, *attrs, *j = NULL, *duration = NULL, *capacity = NULL,
                                      *amount = NULL, *regions = NULL, *tags = NULL,
                                      *sorted_attrs = NULL, *rev = NULL;
    const char *slash;
    cat_meta m;
    fg_status st;

    *out = NULL;
    memset(&m, 0, sizeof m);
    if (!json_is_object(in))
        return fg_fail(err, FG_EINVAL, "%s%san offering must be a JSON object", where,
                       *where ? ": " : "");
    if ((st = cat_no_unknown_keys(in, known, where, "", err)) != FG_OK)
        return st;

    if ((st = text(in, "id", "id", 5, MAX_ID, false, NULL, where, &id, err)) != FG_OK)
        return st;
    slash = strchr(id, '/');
    {
        char ods_part[8] = "";
        size_t ods_len = slash ? (size_t)(slash - id) : 0;
        if (ods_len > 0 && ods_len < sizeof ods_part) {
            memcpy(ods_part, id, ods_len);
            ods_part[ods_len] = '\0';
        }
        if (!slash || !fg_valid_ods(ods_part) || !fg_valid_slug(slash + 1, 64))
            return bad(err, where, "id",
                       "must be <provider ODS code>/<slug>, slug of [a-z0-9-]{1,64} "
                       "(got \"%.80s\")",
                       id);
    }
    if ((st = text(in, "area", "area", 1, 40, false, NULL, where, &area, err)) != FG_OK)
        return st;
    if (!fg_valid_slug(area, 40))
        return bad(err, where, "area", "must be 1-40 characters of [a-z0-9-]");

    provider = json_object_get(in, "provider");
    if (!json_is_object(provider))
        return bad(err, where, "provider", "must be an object {\"ods\", \"name\"}");
    if ((st = cat_no_unknown_keys(provider, provider_keys, where, "provider.", err)) != FG_OK ||
        (st = text(provider, "ods", "provider.ods", 3, 5, false, NULL, where, &ods, err)) !=
            FG_OK)
        return st;
    if (!fg_valid_ods(ods))
        return bad(err, where, "provider.ods", "must be an ODS code of 3-5 characters "
                                               "[A-Z0-9] (got \"%s\")",
                   ods);
    if (strncmp(id, ods, strlen(ods)) != 0 || id[strlen(ods)] != '/')
        return bad(err, where, "id", "must start with the provider's ODS code \"%s/\"",
                   ods);
    if ((st = text(provider, "name", "provider.name", 1, MAX_NAME, false, NULL, where,
                   &name, err)) != FG_OK ||
        (st = text(in, "title", "title", 1, MAX_TITLE, false, NULL, where, &title, err)) !=
            FG_OK ||
        (st = text(in, "summary", "summary", 1, MAX_SUMMARY, true, NULL, where, &summary,
                   err)) != FG_OK ||
        (st = text(in, "description", "description", 0, MAX_DESCRIPTION, true, "", where,
                   &description, err)) != FG_OK ||
        (st = one_of(in, "delivery", "delivery", deliveries, NULL, where, &delivery,
                     err)) != FG_OK)
        return st;

    price = json_object_get(in, "price");
    if (!json_is_object(price))
        return bad(err, where, "price",
                   "must be an object {\"amount_pence\", \"currency\", \"unit\"}");
    if ((st = cat_no_unknown_keys(price, price_keys, where, "price.", err)) != FG_OK ||
        (st = text(price, "currency", "price.currency", 3, 3, false, "GBP", where,
                   &currency, err)) != FG_OK)
        return st;
    for (int i = 0; i < 3; i++)
        if (currency[i] < 'A' || currency[i] > 'Z')
            return bad(err, where, "price.currency",
                       "must be an ISO 4217 code like GBP (got \"%s\")", currency);
    if ((st = one_of(price, "unit", "price.unit", units, NULL, where, &unit, err)) !=
            FG_OK ||
        (st = text(in, "contact", "contact", 3, MAX_CONTACT, false, NULL, where, &contact,
                   err)) != FG_OK)
        return st;
    if (!fg_valid_email(contact))
        return bad(err, where, "contact", "must be an e-mail address (got \"%.80s\")",
                   contact);
    if ((st = one_of(in, "status", "status", statuses, "active", where, &status, err)) !=
        FG_OK)
        return st;
    if ((st = stamp(in, "updated_at", where, m.updated_at, err)) != FG_OK ||
        (st = stamp(in, "withdrawn_at", where, m.withdrawn_at, err)) != FG_OK)
        return st;

    /* From here on values are built, so failures go through `fail`. */
    if ((st = integer(price, "amount_pence", "price.amount_pence", 0, MAX_PRICE_PENCE,
                      false, where, &amount, err)) != FG_OK ||
        (st = integer(in, "duration_days", "duration_days", 1, MAX_DURATION_DAYS, true,
                      where, &duration, err)) != FG_OK ||
        (st = integer(in, "capacity", "capacity", 1, MAX_CAPACITY, true, where,
                      &capacity, err)) != FG_OK ||
        (st = string_list(in, "regions", MAX_REGIONS, MAX_REGION, NULL,
                          "1-60 printable characters", where, &regions, err)) != FG_OK ||
        (st = string_list(in, "tags", MAX_TAGS, MAX_TAG, tag_ok,
                          "1-40 characters of [a-z0-9-]", where, &tags, err)) != FG_OK)
        goto fail;
    rev = json_object_get(in, "rev");
    if (rev && !json_is_null(rev)) {
        if (!json_is_integer(rev) || json_integer_value(rev) < 1 ||
            json_integer_value(rev) > MAX_REV) {
            st = bad(err, where, "rev", "must be an integer between 1 and %lld", MAX_REV);
            goto fail;
        }
        m.rev = (int64_t)json_integer_value(rev);
    }
    attrs = json_object_get(in, "attributes");
    if (attrs && !json_is_null(attrs)) {
        char *dump;
        size_t len;
        if (!json_is_object(attrs)) {
            st = bad(err, where, "attributes", "must be an object");
            goto fail;
        }
        /* Size first: sorting is quadratic in the number of keys, so an
           oversized object is refused before it is sorted.  The compact
           size does not depend on key order. */
        dump = json_dumps(attrs, JSON_COMPACT);
        len = dump ? strlen(dump) : 0;
        free(dump);
        if (len > MAX_ATTR_BYTES) {
            st = bad(err, where, "attributes", "is %zu bytes of JSON, more than %d", len,
                     MAX_ATTR_BYTES);
            goto fail;
        }
        sorted_attrs = sorted_copy(attrs, 1);
        if (!sorted_attrs) {
            st = bad(err, where, "attributes", "is nested deeper than %d levels",
                     MAX_ATTR_DEPTH);
            goto fail;
        }
    } else {
        sorted_attrs = json_object();
    }

    j = json_object();
    json_object_set_new(j, "id", json_string(id));
    json_object_set_new(j, "area", json_string(area));
    json_object_set_new(j, "provider",
                        json_pack("{s:s, s:s}", "ods", ods, "name", name));
    json_object_set_new(j, "title", json_string(title));
    json_object_set_new(j, "summary", json_string(summary));
    json_object_set_new(j, "description", json_string(description));
    json_object_set_new(j, "delivery", json_string(delivery));
    json_object_set_new(j, "duration_days", duration);
    json_object_set_new(j, "capacity", capacity);
    json_object_set_new(j, "price", json_pack("{s:o, s:s, s:s}", "amount_pence", amount,
                                              "currency", currency, "unit", unit));
    json_object_set_new(j, "regions", regions);
    json_object_set_new(j, "tags", tags);
    json_object_set_new(j, "contact", json_string(contact));
    json_object_set_new(j, "attributes", sorted_attrs);
    json_object_set_new(j, "status", json_string(status));
    if (meta)
        *meta = m;
    *out = j;
    return FG_OK;
fail:
    json_decref(amount);
    json_decref(duration);
    json_decref(capacity);
    json_decref(regions);
    json_decref(tags);
    json_decref(sorted_attrs);
    return st;
}

fg_status cat_offering_check_area(const rt_runtime *rt, json_t *content,
                                  const char *where, fg_error *err)
{
    const char *area = json_string_value(json_object_get(content, "area"));
    rt_plugin *owner = rt_area_owner(rt, area);
    fg_error e;
    if (!owner)
        return fg_fail(err, FG_EINVAL, "%s%sfield area names \"%s\", which no loaded "
                                       "plugin provides",
                       where, *where ? ": " : "", area);
    if (rt_validate_offering(owner, content, &e) != FG_OK) {
        /* A plugin that failed (crash, overrun) says so itself. */
        if (e.status == FG_EPLUGIN)
            return fg_fail(err, FG_EPLUGIN, "%s%s%s", where, *where ? ": " : "", e.msg);
        return fg_fail(err, FG_EINVAL, "%s%srefused by the %s plugin: %s", where,
                       *where ? ": " : "", owner->name, e.msg);
    }
    return FG_OK;
}

/* ---- the store ------------------------------------------------------- */

static const char sql_find[] =
    "SELECT o.rowid, o.rev, t.content, o.withdrawn_at, o.origin" CAT_OFFERING_FROM
    " WHERE o.id = ?1";
static const char sql_insert[] =
    "INSERT INTO offering(id, area, provider_ods, title, delivery, price_pence, capacity,"
    " status, rev, updated_at, withdrawn_at, origin)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char sql_update[] =
    "UPDATE offering SET area = ?2, provider_ods = ?3, title = ?4, delivery = ?5,"
    " price_pence = ?6, capacity = ?7, status = ?8, rev = ?9, updated_at = ?10,"
    " withdrawn_at = ?11, origin = ?12 WHERE id = ?1";
static const char sql_insert_text[] =
    "INSERT INTO offering_text(rowid, title, summary, description, tags_text,"
    " provider_name, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_update_text[] =
    "UPDATE offering_text SET title = ?2, summary = ?3, description = ?4, tags_text = ?5,"
    " provider_name = ?6, content = ?7 WHERE rowid = ?1";
static const char sql_set_origin[] = "UPDATE offering SET origin = ?2 WHERE id = ?1";
static const char sql_del_tags[] = "DELETE FROM offering_tag WHERE offering = ?1";
static const char sql_add_tag[] =
    "INSERT OR IGNORE INTO offering_tag(tag, offering) VALUES (?1, ?2)";
static const char sql_del_regions[] = "DELETE FROM offering_region WHERE offering = ?1";
static const char sql_add_region[] =
    "INSERT OR IGNORE INTO offering_region(region, offering) VALUES (?1, ?2)";
/* Page cache while bulk writing (KiB, as PRAGMA cache_size takes it when
   negative): large enough that a bulk transaction's pages need not spill
   to the WAL before it commits; back to SQLite's default afterwards. */
#define BULK_CACHE_KIB 65536
#define DEFAULT_CACHE_KIB 2000

static const char sql_bulk_flag[] =
    "UPDATE counter SET value = ?1 WHERE name = 'fts_deferred'";
static const char sql_max_rowid[] = "SELECT coalesce(max(rowid), 0) FROM offering";
static const char sql_bulk_index[] =
    "INSERT INTO offering_fts(rowid, title, summary, description, tags_text, provider_name)"
    " SELECT rowid, title, summary, description, tags_text, provider_name"
    " FROM offering_text WHERE rowid > ?1";
/* New offerings (rowid above ?1) join the change feed, in rowid order, at
   the next sequence numbers (migration 7); the counter then moves past
   them (sql_feed_advance, by the number of rows written). */
static const char sql_feed_new[] =
    "INSERT INTO feed(seq, kind, key)"
    " SELECT (SELECT value FROM counter WHERE name = 'feed')"
    "        + row_number() OVER (ORDER BY rowid), 'offering', id"
    " FROM offering WHERE rowid > ?1"
    " ON CONFLICT(kind, key) DO UPDATE SET seq = excluded.seq, deleted_at = NULL";
static const char sql_feed_advance[] =
    "UPDATE counter SET value = value + ?1 WHERE name = 'feed'";
static const char sql_get[] = "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM
                              " WHERE o.id = ?1";

static void set_cache_kib(cat_catalog *cat, int kib)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
    sqlite3_exec(cat_db(cat), sql, NULL, NULL, NULL);
}

static fg_status set_bulk_flag(cat_catalog *cat, int on, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_bulk_flag, err);
    int rc;
    if (!st)
        return FG_EDB;
    sqlite3_bind_int(st, 1, on);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "setting bulk mode");
}

/* Runs a bound statement that returns no rows. */
static fg_status step_done(cat_catalog *cat, sqlite3_stmt *st, const char *what,
                           fg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, what);
}

/* Stamps the offerings added since rowid `after` into the change feed. */
static fg_status feed_new(cat_catalog *cat, sqlite3_int64 after, fg_error *err)
{
    static const char what[] = "adding offerings to the change feed";
    sqlite3_stmt *st = cat_stmt(cat, sql_feed_new, err);
    fg_status rc;
    int added;
    if (!st)
        return FG_EDB;
    sqlite3_bind_int64(st, 1, after);
    if ((rc = step_done(cat, st, what, err)) != FG_OK ||
        (added = sqlite3_changes(cat_db(cat))) == 0)
        return rc;
    if (!(st = cat_stmt(cat, sql_feed_advance, err)))
        return FG_EDB;
    sqlite3_bind_int(st, 1, added);
    return step_done(cat, st, what, err);
}

fg_status cat_bulk_begin(cat_catalog *cat, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_max_rowid, err);
    sqlite3_int64 *mark = cat_bulk_mark(cat);
    if (!st)
        return FG_EDB;
    if (*mark >= 0)
        return fg_fail(err, FG_EINTERNAL, "already in bulk mode");
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cat_db_fail(cat, err, "starting a bulk write");
    }
    *mark = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    set_cache_kib(cat, BULK_CACHE_KIB);
    return set_bulk_flag(cat, 1, err);
}

fg_status cat_bulk_end(cat_catalog *cat, fg_error *err)
{
    sqlite3_int64 *mark = cat_bulk_mark(cat);
    sqlite3_stmt *st;
    fg_status rc;
    int step;
    if (*mark < 0)
        return fg_fail(err, FG_EINTERNAL, "not in bulk mode");
    if ((rc = set_bulk_flag(cat, 0, err)) != FG_OK ||
        (rc = feed_new(cat, *mark, err)) != FG_OK)
        return rc;
    if (!(st = cat_stmt(cat, sql_bulk_index, err)))
        return FG_EDB;
    sqlite3_bind_int64(st, 1, *mark);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    *mark = -1;
    set_cache_kib(cat, DEFAULT_CACHE_KIB);
    return step == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "indexing new offerings");
}

/* Rewrites the tag and region rows of offering `rowid` (a new offering has
   none to delete). */
static fg_status put_lists(cat_catalog *cat, sqlite3_int64 rowid, json_t *content,
                           bool fresh, fg_error *err)
{
    static const struct {
        const char *key, *del, *add;
    } lists[] = {{"tags", sql_del_tags, sql_add_tag},
                 {"regions", sql_del_regions, sql_add_region}};
    for (size_t l = 0; l < 2; l++) {
        sqlite3_stmt *st;
        json_t *arr = json_object_get(content, lists[l].key), *item;
        size_t i;
        fg_status rc;
        if (!fresh) {
            if (!(st = cat_stmt(cat, lists[l].del, err)))
                return FG_EDB;
            sqlite3_bind_int64(st, 1, rowid);
            if ((rc = step_done(cat, st, "updating offering lists", err)) != FG_OK)
                return rc;
        }
        json_array_foreach(arr, i, item) {
            st = cat_stmt(cat, lists[l].add, err);
            if (!st)
                return FG_EDB;
            sqlite3_bind_text(st, 1, json_string_value(item), -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, rowid);
            if ((rc = step_done(cat, st, "updating offering lists", err)) != FG_OK)
                return rc;
        }
    }
    return FG_OK;
}

/* Tags joined by spaces, for the full-text index. New. */
static char *join_tags(json_t *tags)
{
    size_t i, n = json_array_size(tags);
    const char **words = fg_xcalloc(n, sizeof *words);
    json_t *t;
    char *out;
    json_array_foreach(tags, i, t) words[i] = json_string_value(t);
    out = fg_join(words, n);
    free(words);
    return out;
}

#define STR(obj, key) json_string_value(json_object_get(obj, key))

/* Binds the narrow row's ?1..?12 (insert and update alike). */
static void bind_row(sqlite3_stmt *st, json_t *content, int64_t rev, const char *updated_at,
                     const char *withdrawn_at, const char *origin)
{
    json_t *price = json_object_get(content, "price");
    json_t *capacity = json_object_get(content, "capacity");
    sqlite3_bind_text(st, 1, STR(content, "id"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, STR(content, "area"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, STR(json_object_get(content, "provider"), "ods"), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 4, STR(content, "title"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, STR(content, "delivery"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(price, "amount_pence")));
    if (json_is_integer(capacity))
        sqlite3_bind_int64(st, 7, json_integer_value(capacity));
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_text(st, 8, STR(content, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, rev);
    sqlite3_bind_text(st, 10, updated_at, -1, SQLITE_STATIC);
    if (withdrawn_at)
        sqlite3_bind_text(st, 11, withdrawn_at, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 11);
    sqlite3_bind_text(st, 12, origin, -1, SQLITE_STATIC);
}

/* Writes the text row of offering `rowid` (indexed for search). */
static fg_status put_text(cat_catalog *cat, sqlite3_int64 rowid, bool fresh, json_t *content,
                          const char *dump, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, fresh ? sql_insert_text : sql_update_text, err);
    char *tags_text;
    fg_status rc;
    if (!st)
        return FG_EDB;
    tags_text = join_tags(json_object_get(content, "tags"));
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, STR(content, "title"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, STR(content, "summary"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, STR(content, "description"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, tags_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, STR(json_object_get(content, "provider"), "name"), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 7, dump, -1, SQLITE_STATIC);
    rc = step_done(cat, st, "storing an offering's text", err);
    free(tags_text);
    return rc;
}

#undef STR

fg_status cat_offering_prepare(const json_t *in, const char *where, cat_prepared *out)
{
    memset(out, 0, sizeof *out);
    out->status = cat_offering_normalize(in, where, &out->content, &out->meta, &out->err);
    if (out->status == FG_OK && !(out->dump = json_dumps(out->content, JSON_COMPACT))) {
        json_decref(out->content);
        out->content = NULL;
        out->status = fg_fail(&out->err, FG_ENOMEM, "out of memory");
    }
    return out->status;
}

void cat_prepared_clear(cat_prepared *p)
{
    json_decref(p->content);
    free(p->dump);
    memset(p, 0, sizeof *p);
}

/* cat_offering_put with the canonical JSON text of `content` at hand. */
static fg_status put_dumped(cat_catalog *cat, json_t *content, const char *dump,
                            const cat_meta *meta, const char *origin, cat_put_result *result,
                            fg_error *err)
{
    const char *id = json_string_value(json_object_get(content, "id"));
    bool withdrawn =
        strcmp(json_string_value(json_object_get(content, "status")), "withdrawn") == 0;
    sqlite3_stmt *st;
    char now[FG_TIMESTAMP_SIZE];
    char old_withdrawn[21] = "";
    const char *updated_at, *withdrawn_at = NULL;
    bool exists = false, same = false, synced = false;
    sqlite3_int64 old_rowid = 0, rowid;
    int64_t old_rev = 0, rev;
    fg_status rc;

    fg_now_iso(now);
    if (!(st = cat_stmt(cat, sql_find, err))) {
        rc = FG_EDB;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        exists = true;
        old_rowid = sqlite3_column_int64(st, 0);
        old_rev = sqlite3_column_int64(st, 1);
        same = strcmp((const char *)sqlite3_column_text(st, 2), dump) == 0;
        if (sqlite3_column_type(st, 3) == SQLITE_TEXT)
            snprintf(old_withdrawn, sizeof old_withdrawn, "%s",
                     (const char *)sqlite3_column_text(st, 3));
        synced = strncmp((const char *)sqlite3_column_text(st, 4), "sync:", 5) == 0;
        break;
    case SQLITE_DONE:
        break;
    default:
        rc = cat_db_fail(cat, err, "looking up an offering");
        goto out;
    }
    sqlite3_reset(st);

    /* What arrived by sync is its provider's version: a local plugin's
       registration does not overwrite it (SPEC §6, docs/design.md). */
    if (exists && synced && strncmp(origin, "plugin:", 7) == 0) {
        *result = CAT_PUT_UNCHANGED;
        rc = FG_OK;
        goto out;
    }

    if (meta && meta->rev > 0) {
        rev = meta->rev;
        if (exists && rev == old_rev && same) {
            *result = CAT_PUT_UNCHANGED;
            rc = FG_OK;
            goto out;
        }
        if (exists && rev <= old_rev) {
            rc = fg_fail(err, FG_ECONFLICT,
                         "offering %s: rev %lld is not newer than the catalogue's rev %lld%s",
                         id, (long long)rev, (long long)old_rev,
                         rev == old_rev ? " (same rev, different content)" : "");
            goto out;
        }
    } else {
        if (exists && same) {
            *result = CAT_PUT_UNCHANGED;
            rc = FG_OK;
            if (strncmp(origin, "plugin:", 7) == 0) {
                /* A plugin claims what it registers, so a later refresh
                   may withdraw it. */
                if (!(st = cat_stmt(cat, sql_set_origin, err))) {
                    rc = FG_EDB;
                    goto out;
                }
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
                rc = step_done(cat, st, "updating an offering", err);
            }
            goto out;
        }
        rev = exists ? old_rev + 1 : 1;
    }

    if (exists && *cat_bulk_mark(cat) >= 0 && old_rowid > *cat_bulk_mark(cat)) {
        /* Its text is not indexed yet; updating it would unindex nothing. */
        rc = fg_fail(err, FG_EINTERNAL, "offering %s written twice in one bulk write", id);
        goto out;
    }
    updated_at = meta && meta->rev > 0 && meta->updated_at[0] ? meta->updated_at : now;
    if (withdrawn)
        withdrawn_at = meta && meta->withdrawn_at[0] ? meta->withdrawn_at
                       : old_withdrawn[0]            ? old_withdrawn
                                                     : now;
    if (!(st = cat_stmt(cat, exists ? sql_update : sql_insert, err))) {
        rc = FG_EDB;
        goto out;
    }
    bind_row(st, content, rev, updated_at, withdrawn_at, origin);
    if ((rc = step_done(cat, st, "storing an offering", err)) != FG_OK)
        goto out;
    rowid = exists ? old_rowid : sqlite3_last_insert_rowid(cat_db(cat));
    if ((rc = put_text(cat, rowid, !exists, content, dump, err)) != FG_OK ||
        (rc = put_lists(cat, rowid, content, !exists, err)) != FG_OK)
        goto out;
    /* A new offering has the highest rowid; in a bulk write the feed takes
       all of them when it ends. */
    if (!exists && *cat_bulk_mark(cat) < 0 && (rc = feed_new(cat, rowid - 1, err)) != FG_OK)
        goto out;
    *result = exists ? CAT_PUT_CHANGED : CAT_PUT_ADDED;
    rc = FG_OK;
out:
    return rc;
}

fg_status cat_offering_put(cat_catalog *cat, json_t *content, const cat_meta *meta,
                           const char *origin, cat_put_result *result, fg_error *err)
{
    char *dump = json_dumps(content, JSON_COMPACT);
    fg_status rc;
    if (!dump)
        return fg_fail(err, FG_ENOMEM, "out of memory");
    rc = put_dumped(cat, content, dump, meta, origin, result, err);
    free(dump);
    return rc;
}

fg_status cat_offering_put_prepared(cat_catalog *cat, const cat_prepared *p,
                                    const char *origin, cat_put_result *result,
                                    fg_error *err)
{
    return put_dumped(cat, p->content, p->dump, &p->meta, origin, result, err);
}

json_t *cat_offering_from_row(const char *content, int64_t rev, const char *status,
                              const char *updated_at, const char *withdrawn_at)
{
    json_t *j = content ? json_loads(content, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    json_object_set_new(j, "status", json_string(status ? status : "active"));
    json_object_set_new(j, "rev", json_integer(rev));
    json_object_set_new(j, "updated_at", json_string(updated_at ? updated_at : ""));
    if (withdrawn_at)
        json_object_set_new(j, "withdrawn_at", json_string(withdrawn_at));
    return j;
}

json_t *cat_offering_from_stmt(sqlite3_stmt *st, int col)
{
    return cat_offering_from_row((const char *)sqlite3_column_text(st, col),
                                 sqlite3_column_int64(st, col + 1),
                                 (const char *)sqlite3_column_text(st, col + 2),
                                 (const char *)sqlite3_column_text(st, col + 3),
                                 (const char *)sqlite3_column_text(st, col + 4));
}

/*
 * The compact JSON text of cat_offering_from_stmt's record, but the stored
 * content is used as it is, with rev, updated_at and withdrawn_at added,
 * instead of being decoded and encoded again (most of a hub's work in a
 * first pull).  The stored text ends with its status, the same as the
 * row's; text that does not (not written by this library) takes the long
 * way.
 */
char *cat_offering_text_from_stmt(sqlite3_stmt *st, int col)
{
    const char *content = (const char *)sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    const char *status = (const char *)sqlite3_column_text(st, col + 2);
    const char *updated_at = (const char *)sqlite3_column_text(st, col + 3);
    const char *withdrawn_at = (const char *)sqlite3_column_text(st, col + 4);
    json_int_t rev = (json_int_t)sqlite3_column_int64(st, col + 1);
    char tail[48] = "", *out = NULL, *meta;
    size_t t = 0, m;
    json_t *j;

    if (content && status && strlen(status) < 16)
        t = (size_t)snprintf(tail, sizeof tail, "\"status\":\"%s\"}", status);
    if (t == 0 || n <= t || content[0] != '{' || memcmp(content + n - t, tail, t) != 0) {
        j = cat_offering_from_stmt(st, col);
        out = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        return out;
    }
    j = withdrawn_at ? json_pack("{s:I, s:s, s:s}", "rev", rev, "updated_at",
                                 updated_at ? updated_at : "", "withdrawn_at", withdrawn_at)
                     : json_pack("{s:I, s:s}", "rev", rev, "updated_at",
                                 updated_at ? updated_at : "");
    meta = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!meta)
        return NULL;
    m = strlen(meta);
    out = fg_xmalloc(n + m + 1);
    /* content without its '}', then ",rev...}" from meta's "{rev...}" */
    memcpy(out, content, n - 1);
    out[n - 1] = ',';
    memcpy(out + n, meta + 1, m); /* with its terminator */
    free(meta);
    return out;
}

fg_status cat_offering_get(cat_catalog *cat, const char *id, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_get, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return fg_fail(err, FG_ENOTFOUND, "no offering with id '%.100s'", id);
    }
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "reading an offering");
    *out = cat_offering_from_stmt(st, 0);
    sqlite3_reset(st);
    if (!*out)
        return fg_fail(err, FG_EDB, "offering '%.100s' is stored corrupt", id);
    return FG_OK;
}
