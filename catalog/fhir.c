/*
 * Offerings and requests as FHIR R4 resources (docs/fhir.md has the
 * mapping field by field): an Organization per provider (its NHS ODS code),
 * a HealthcareService per offering, a ServiceRequest per request, in a
 * Bundle; and HealthcareService resources read back into offerings.
 *
 * FHIR JSON never holds an empty string, an empty array or an empty
 * object: optional values are left out when they are empty.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define SD CAT_FHIR_BASE "/StructureDefinition/"
#define CS CAT_FHIR_BASE "/CodeSystem/"

static const char ext_price[] = SD "price";
static const char ext_duration[] = SD "duration-days";
static const char ext_capacity[] = SD "capacity";
static const char ext_attributes[] = SD "attributes";
static const char ext_withdrawn[] = SD "withdrawn-at";
static const char ext_request_status[] = SD "request-status";
static const char ext_quote[] = SD "quote";
static const char ext_contact[] = SD "requester-contact";
static const char cs_area[] = CS "area";
static const char cs_delivery[] = CS "delivery";
static const char cs_tag[] = CS "tag";
static const char cs_offering[] = CS "offering";
static const char cs_referral[] =
    "http://terminology.hl7.org/CodeSystem/service-referral-method";

#define MAX_FHIR_ENTRIES 2000000

/* ---- writing ---------------------------------------------------------- */

/* FNV-1a, 64 bits: a short stable tag for ids too long to keep whole. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void cat_fhir_id(const char *offering_id, char out[CAT_FHIR_ID_SIZE])
{
    size_t n = strlen(offering_id);
    if (n < CAT_FHIR_ID_SIZE) {
        memcpy(out, offering_id, n + 1);
    } else {
        /* 47 characters of the id, '.', 16 hex digits of its hash: 64. */
        snprintf(out, CAT_FHIR_ID_SIZE, "%.47s.%016llx", offering_id,
                 (unsigned long long)fnv1a(offering_id));
    }
    /* '/' is not allowed in a resource id; ODS codes and slugs have no '.'. */
    for (char *p = out; *p; p++)
        if (*p == '/')
            *p = '.';
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/* Sets key to a string when `s` is non-empty (FHIR has no empty strings). */
static void set_str(json_t *o, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(o, key, json_string(s));
}

/* Appends to array `key` of `o`, creating it. */
static void push(json_t *o, const char *key, json_t *v)
{
    json_t *a = json_object_get(o, key);
    if (!a) {
        a = json_array();
        json_object_set_new(o, key, a);
    }
    json_array_append_new(a, v);
}

/* Appends a simple extension whose value (of FHIR type `type`, e.g.
   "valueString") is the string `value`. */
static void push_ext(json_t *res, const char *url, const char *type, const char *value)
{
    push(res, "extension", json_pack("{s:s, s:s}", "url", url, type, value));
}

static json_t *money(json_int_t pence, const char *currency)
{
    return json_pack("{s:f, s:s}", "value", (double)pence / 100.0, "currency",
                     currency ? currency : "GBP");
}

static json_t *coding(const char *system, const char *code)
{
    return json_pack("{s:[{s:s, s:s}]}", "coding", "system", system, "code", code);
}

static json_t *ods_reference(const char *ods, const char *display)
{
    char ref[32];
    json_t *r;
    snprintf(ref, sizeof ref, "Organization/%s", ods);
    r = json_pack("{s:s, s:{s:s, s:s}}", "reference", ref, "identifier", "system",
                  CAT_FHIR_ODS_SYSTEM, "value", ods);
    set_str(r, "display", display);
    return r;
}

static void set_meta(json_t *res, const json_t *rec)
{
    char version[32];
    json_t *meta = json_object();
    snprintf(version, sizeof version, "%lld",
             (long long)json_integer_value(json_object_get(rec, "rev")));
    if (json_integer_value(json_object_get(rec, "rev")) > 0)
        set_str(meta, "versionId", version);
    if (fg_valid_timestamp(str(rec, "updated_at") ? str(rec, "updated_at") : ""))
        set_str(meta, "lastUpdated", str(rec, "updated_at"));
    if (json_object_size(meta))
        json_object_set_new(res, "meta", meta);
    else
        json_decref(meta);
}

json_t *cat_fhir_organization(const char *ods, const char *name)
{
    json_t *org = json_pack("{s:s, s:s, s:[{s:s, s:s}], s:b}", "resourceType",
                            "Organization", "id", ods, "identifier", "system",
                            CAT_FHIR_ODS_SYSTEM, "value", ods, "active", 1);
    set_str(org, "name", name);
    return org;
}

json_t *cat_fhir_service(const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const json_t *price = json_object_get(o, "price");
    const json_t *attrs = json_object_get(o, "attributes"), *v;
    char fid[CAT_FHIR_ID_SIZE];
    json_t *hs = json_object(), *price_ext, *area;
    size_t i;

    cat_fhir_id(str(o, "id") ? str(o, "id") : "", fid);
    json_object_set_new(hs, "resourceType", json_string("HealthcareService"));
    json_object_set_new(hs, "id", json_string(fid));
    set_meta(hs, o);

    price_ext =
        json_pack("{s:s, s:[{s:s, s:o}]}", "url", ext_price, "extension", "url", "amount",
                  "valueMoney",
                  money(json_integer_value(json_object_get(price, "amount_pence")),
                        str(price, "currency")));
    if (str(price, "unit"))
        push(price_ext, "extension",
             json_pack("{s:s, s:s}", "url", "unit", "valueCode", str(price, "unit")));
    push(hs, "extension", price_ext);
    if (json_is_integer(json_object_get(o, "duration_days")))
        push(hs, "extension",
             json_pack("{s:s, s:O}", "url", ext_duration, "valuePositiveInt",
                       json_object_get(o, "duration_days")));
    if (json_is_integer(json_object_get(o, "capacity")))
        push(hs, "extension",
             json_pack("{s:s, s:O}", "url", ext_capacity, "valuePositiveInt",
                       json_object_get(o, "capacity")));
    if (json_object_size(attrs)) {
        char *text = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
        if (text)
            push_ext(hs, ext_attributes, "valueString", text);
        free(text);
    }
    if (str(o, "withdrawn_at"))
        push_ext(hs, ext_withdrawn, "valueDateTime", str(o, "withdrawn_at"));

    push(hs, "identifier",
         json_pack("{s:s, s:s}", "system", CAT_FHIR_OFFERING_SYSTEM, "value",
                   str(o, "id") ? str(o, "id") : ""));
    json_object_set_new(
        hs, "active",
        json_boolean(!str(o, "status") || strcmp(str(o, "status"), "active") == 0));
    if (str(provider, "ods"))
        json_object_set_new(hs, "providedBy",
                            ods_reference(str(provider, "ods"), str(provider, "name")));
    if (str(o, "area")) {
        push(hs, "category", coding(cs_area, str(o, "area")));
        area = coding(cs_area, str(o, "area"));
        set_str(area, "text", str(o, "area"));
        push(hs, "type", area);
    }
    set_str(hs, "name", str(o, "title"));
    set_str(hs, "comment", str(o, "summary"));
    set_str(hs, "extraDetails", str(o, "description"));
    if (str(o, "contact"))
        push(hs, "telecom",
             json_pack("{s:s, s:s, s:s}", "system", "email", "value", str(o, "contact"),
                       "use", "work"));
    json_array_foreach(json_object_get(o, "regions"), i, v)
        push(hs, "coverageArea", json_pack("{s:O}", "display", v));
    if (str(o, "delivery"))
        push(hs, "characteristic", coding(cs_delivery, str(o, "delivery")));
    json_array_foreach(json_object_get(o, "tags"), i, v)
        push(hs, "characteristic", coding(cs_tag, json_string_value(v)));
    /* Requests reach the provider through fgcat (or its hub). */
    push(hs, "referralMethod",
         json_pack("{s:[{s:s, s:s, s:s}]}", "coding", "system", cs_referral, "code",
                   "elec", "display", "Secure Messaging"));
    json_object_set_new(hs, "appointmentRequired", json_false());
    return hs;
}

/* FHIR's request status for one of the life cycle (the exact one travels
   in an extension). */
static const char *request_status(const char *s)
{
    if (!s)
        return "unknown";
    if (strcmp(s, "submitted") == 0 || strcmp(s, "accepted") == 0)
        return "active";
    if (strcmp(s, "completed") == 0)
        return "completed";
    if (strcmp(s, "declined") == 0 || strcmp(s, "cancelled") == 0)
        return "revoked";
    return "unknown";
}

json_t *cat_fhir_service_request(const json_t *r)
{
    const json_t *requester = json_object_get(r, "requester");
    const json_t *quote = json_object_get(r, "quote");
    const char *req_ods = str(requester, "ods"),
               *prov = str(json_object_get(r, "provider"), "ods");
    json_t *sr = json_object(), *code;

    json_object_set_new(sr, "resourceType", json_string("ServiceRequest"));
    set_str(sr, "id", str(r, "id"));
    set_meta(sr, r);
    if (str(r, "status"))
        push_ext(sr, ext_request_status, "valueCode", str(r, "status"));
    push(sr, "extension",
         json_pack("{s:s, s:o}", "url", ext_quote, "valueMoney",
                   money(json_integer_value(json_object_get(quote, "amount_pence")),
                         str(quote, "currency"))));
    if (str(requester, "contact"))
        push_ext(sr, ext_contact, "valueString", str(requester, "contact"));
    if (str(r, "id"))
        push(sr, "identifier",
             json_pack("{s:s, s:s}", "system", CAT_FHIR_REQUEST_SYSTEM, "value",
                       str(r, "id")));
    json_object_set_new(sr, "status", json_string(request_status(str(r, "status"))));
    json_object_set_new(sr, "intent", json_string("order"));
    code = coding(cs_offering, str(r, "offering_id") ? str(r, "offering_id") : "unknown");
    set_str(code, "text", str(r, "offering_id"));
    json_object_set_new(sr, "code", code);
    json_object_set_new(sr, "quantityQuantity",
                        json_pack("{s:O}", "value", json_object_get(r, "quantity")));
    /* The people the service is for are the requesting trust's staff: the
       subject names that trust by its ODS code. */
    json_object_set_new(sr, "subject",
                        json_pack("{s:{s:s, s:s}, s:s}", "identifier", "system",
                                  CAT_FHIR_ODS_SYSTEM, "value", req_ods ? req_ods : "",
                                  "display", "staff of the requesting organisation"));
    set_str(sr, "occurrenceDateTime", str(r, "start"));
    set_str(sr, "authoredOn", str(r, "created_at"));
    if (req_ods)
        json_object_set_new(sr, "requester", ods_reference(req_ods, NULL));
    if (prov)
        push(sr, "performer", ods_reference(prov, NULL));
    if (str(r, "note"))
        push(sr, "note", json_pack("{s:s}", "text", str(r, "note")));
    return sr;
}

static json_t *entry(json_t *res, const char *base)
{
    json_t *e = json_object();
    if (base) {
        char url[512];
        snprintf(url, sizeof url, "%s/%s/%s", base,
                 json_string_value(json_object_get(res, "resourceType")),
                 json_string_value(json_object_get(res, "id")));
        json_object_set_new(e, "fullUrl", json_string(url));
    }
    json_object_set_new(e, "resource", res);
    return e;
}

/* Adds an Organization for `ods` to `orgs` (ODS -> name or null), keeping
   the first name given. */
static void note_org(json_t *orgs, const char *ods, const char *name)
{
    json_t *known;
    if (!ods)
        return;
    known = json_object_get(orgs, ods);
    if (!known || (json_is_null(known) && name))
        json_object_set_new(orgs, ods, name ? json_string(name) : json_null());
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *cat_fhir_bundle(const char *type, const json_t *offerings, const json_t *requests,
                        const char *base)
{
    json_t *bundle = json_pack("{s:s, s:s}", "resourceType", "Bundle", "type", type);
    json_t *entries = json_array(), *orgs = json_object(), *v;
    const char *ods;
    char now[FG_TIMESTAMP_SIZE];
    size_t i;

    fg_now_iso(now);
    json_object_set_new(bundle, "timestamp", json_string(now));
    json_array_foreach(offerings, i, v)
    {
        const json_t *p = json_object_get(v, "provider");
        note_org(orgs, str(p, "ods"), str(p, "name"));
    }
    json_array_foreach(requests, i, v)
    {
        note_org(orgs, str(json_object_get(v, "provider"), "ods"), NULL);
        note_org(orgs, str(json_object_get(v, "requester"), "ods"), NULL);
    }
    {
        /* Organizations first, by ODS code. */
        const char **keys = calloc(json_object_size(orgs) + 1, sizeof *keys);
        size_t n = 0;
        if (!keys)
            abort();
        json_object_foreach(orgs, ods, v) keys[n++] = ods;
        qsort(keys, n, sizeof *keys, by_string);
        for (i = 0; i < n; i++)
            json_array_append_new(
                entries,
                entry(cat_fhir_organization(
                          keys[i], json_string_value(json_object_get(orgs, keys[i]))),
                      base));
        free(keys);
    }
    json_array_foreach(offerings, i, v)
        json_array_append_new(entries, entry(cat_fhir_service(v), base));
    json_array_foreach(requests, i, v)
        json_array_append_new(entries, entry(cat_fhir_service_request(v), base));
    json_decref(orgs);
    if (json_array_size(entries))
        json_object_set_new(bundle, "entry", entries);
    else
        json_decref(entries);
    return bundle;
}

/* ---- reading ---------------------------------------------------------- */

/* The first extension of `res` with `url`; borrowed, or NULL. */
static const json_t *extension(const json_t *res, const char *url)
{
    const json_t *e;
    size_t i;
    json_array_foreach(json_object_get(res, "extension"), i,
                       e) if (json_is_string(json_object_get(e, "url")) &&
                              strcmp(json_string_value(json_object_get(e, "url")), url) ==
                                  0) return e;
    return NULL;
}

/* The first code of `system` among the codings of the CodeableConcepts in
   array `concepts`, starting at concept *from (advanced past it). */
static const char *code_in(const json_t *concepts, const char *system, size_t *from)
{
    for (size_t i = from ? *from : 0; i < json_array_size(concepts); i++) {
        const json_t *c;
        size_t j;
        json_array_foreach(json_object_get(json_array_get(concepts, i), "coding"), j, c)
        {
            if (json_is_string(json_object_get(c, "system")) &&
                strcmp(json_string_value(json_object_get(c, "system")), system) == 0 &&
                json_is_string(json_object_get(c, "code"))) {
                if (from)
                    *from = i + 1;
                return json_string_value(json_object_get(c, "code"));
            }
        }
    }
    return NULL;
}

/* Copies a string field of `from` to `key` of `to`, when present. */
static void copy_str(json_t *to, const char *key, const json_t *from, const char *field)
{
    const json_t *v = json_object_get(from, field);
    if (json_is_string(v))
        json_object_set(to, key, (json_t *)v);
}

/* The ODS code a Reference names, by identifier or "Organization/ODS". */
static const char *ref_ods(const json_t *ref)
{
    const json_t *id = json_object_get(ref, "identifier");
    const char *r = str(ref, "reference");
    if (str(id, "value"))
        return str(id, "value");
    if (r && strncmp(r, "Organization/", 13) == 0)
        return r + 13;
    return NULL;
}

/*
 * Builds the offering a HealthcareService describes (as cat_fhir_service
 * writes it), `names` giving providers' names from the Bundle's
 * Organizations.  Fields it cannot find are left out, for the offering's
 * validation to name.  New.
 */
static json_t *service_to_offering(const json_t *hs, const json_t *names,
                                   const char *where, json_t **out, fg_error *err)
{
    json_t *o = json_object(), *provider = json_object(), *price = json_object();
    json_t *regions = json_array(), *tags = json_array();
    const json_t *id, *e, *v, *meta = json_object_get(hs, "meta");
    const char *ods = ref_ods(json_object_get(hs, "providedBy")), *code;
    size_t i, from = 0;

    *out = NULL;
    json_array_foreach(json_object_get(hs, "identifier"), i,
                       id) if (str(id, "system") &&
                               strcmp(str(id, "system"), CAT_FHIR_OFFERING_SYSTEM) == 0)
        copy_str(o, "id", id, "value");
    if ((code = code_in(json_object_get(hs, "category"), cs_area, NULL)))
        json_object_set_new(o, "area", json_string(code));
    if (ods) {
        json_object_set_new(provider, "ods", json_string(ods));
        if (str(json_object_get(hs, "providedBy"), "display"))
            copy_str(provider, "name", json_object_get(hs, "providedBy"), "display");
        else if (json_is_string(json_object_get(names, ods)))
            json_object_set(provider, "name", json_object_get(names, ods));
    }
    json_object_set_new(o, "provider", provider);
    copy_str(o, "title", hs, "name");
    copy_str(o, "summary", hs, "comment");
    copy_str(o, "description", hs, "extraDetails");
    if ((code = code_in(json_object_get(hs, "characteristic"), cs_delivery, NULL)))
        json_object_set_new(o, "delivery", json_string(code));
    if ((e = extension(hs, ext_duration)))
        json_object_set(o, "duration_days", json_object_get(e, "valuePositiveInt"));
    if ((e = extension(hs, ext_capacity)))
        json_object_set(o, "capacity", json_object_get(e, "valuePositiveInt"));
    if ((e = extension(hs, ext_price))) {
        const json_t *money_v = json_object_get(extension(e, "amount"), "valueMoney");
        const json_t *value = json_object_get(money_v, "value");
        if (json_is_number(value)) {
            double pence = round(json_number_value(value) * 100.0);
            if (pence < 0 || pence > 9e15 ||
                fabs(json_number_value(value) * 100.0 - pence) > 1e-6) {
                json_decref(o);
                json_decref(price);
                json_decref(regions);
                json_decref(tags);
                fg_fail(
                    err, FG_EINVAL,
                    "%s: the price extension's amount must be pounds with at most two "
                    "decimals",
                    where);
                return NULL;
            }
            json_object_set_new(price, "amount_pence", json_integer((json_int_t)pence));
        }
        copy_str(price, "currency", money_v, "currency");
        copy_str(price, "unit", extension(e, "unit"), "valueCode");
    }
    json_object_set_new(o, "price", price);
    json_array_foreach(json_object_get(hs, "coverageArea"), i, v) if (str(v, "display"))
        json_array_append(regions, json_object_get(v, "display"));
    json_object_set_new(o, "regions", regions);
    while ((code = code_in(json_object_get(hs, "characteristic"), cs_tag, &from)))
        json_array_append_new(tags, json_string(code));
    json_object_set_new(o, "tags", tags);
    json_array_foreach(
        json_object_get(hs, "telecom"), i,
        v) if (str(v, "system") && strcmp(str(v, "system"), "email") == 0 &&
               !json_object_get(o, "contact")) copy_str(o, "contact", v, "value");
    if ((e = extension(hs, ext_attributes)) && str(e, "valueString")) {
        json_error_t jerr;
        json_t *attrs = json_loads(str(e, "valueString"), JSON_REJECT_DUPLICATES, &jerr);
        if (!attrs) {
            json_decref(o);
            fg_fail(err, FG_EINVAL, "%s: the attributes extension is not JSON: %s", where,
                    jerr.text);
            cat_error_printable(err);
            return NULL;
        }
        json_object_set_new(o, "attributes", attrs);
    }
    v = json_object_get(hs, "active");
    json_object_set_new(o, "status",
                        json_string(json_is_false(v) ? "withdrawn" : "active"));
    if (str(meta, "versionId")) {
        int64_t rev;
        if (!fg_parse_int(str(meta, "versionId"), 1, INT64_MAX / 2, &rev)) {
            json_decref(o);
            fg_fail(err, FG_EINVAL, "%s: meta.versionId must be a whole number (the rev)",
                    where);
            return NULL;
        }
        json_object_set_new(o, "rev", json_integer((json_int_t)rev));
    }
    copy_str(o, "updated_at", meta, "lastUpdated");
    if ((e = extension(hs, ext_withdrawn)))
        copy_str(o, "withdrawn_at", e, "valueDateTime");
    *out = o;
    return o;
}

bool cat_fhir_is_bundle(const char *text, size_t len)
{
    size_t i = 0;
    json_t *doc;
    bool bundle;
    while (i < len &&
           (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    if (i >= len || text[i] != '{')
        return false; /* not a JSON object: no need to parse it */
    doc = json_loadb(text, len, 0, NULL);
    bundle = str(doc, "resourceType") && strcmp(str(doc, "resourceType"), "Bundle") == 0;
    json_decref(doc);
    return bundle;
}

fg_status cat_import_fhir(cat_catalog *cat, const rt_runtime *rt, const char *text,
                          size_t len, const char *source, cat_import_report *rep,
                          fg_error *err)
{
    json_error_t jerr;
    json_t *bundle, *names = json_object(), *records = json_array(),
                    *wheres = json_array();
    const json_t *e, *entries;
    fg_status st = FG_OK;
    size_t i;

    memset(rep, 0, sizeof *rep);
    bundle = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!bundle) {
        st = fg_fail(err, FG_EINVAL, "%s: line %d, column %d: %s", source, jerr.line,
                     jerr.column, jerr.text);
        cat_error_printable(err);
        goto out;
    }
    if (!str(bundle, "resourceType") ||
        strcmp(str(bundle, "resourceType"), "Bundle") != 0) {
        st = fg_fail(err, FG_EINVAL,
                     "%s: expected a FHIR Bundle (resourceType \"Bundle\")", source);
        goto out;
    }
    entries = json_object_get(bundle, "entry");
    if (entries && !json_is_array(entries)) {
        st = fg_fail(err, FG_EINVAL, "%s: Bundle.entry must be an array", source);
        goto out;
    }
    if (json_array_size(entries) > MAX_FHIR_ENTRIES) {
        st =
            fg_fail(err, FG_EINVAL, "%s: more than %d entries", source, MAX_FHIR_ENTRIES);
        goto out;
    }
    /* Organizations first: a provider's name may come after its services. */
    json_array_foreach(entries, i, e)
    {
        const json_t *res = json_object_get(e, "resource");
        const char *type = str(res, "resourceType");
        const json_t *id;
        size_t j;
        if (!type || strcmp(type, "Organization") != 0 || !str(res, "name"))
            continue;
        json_array_foreach(json_object_get(res, "identifier"), j,
                           id) if (str(id, "system") &&
                                   strcmp(str(id, "system"), CAT_FHIR_ODS_SYSTEM) == 0 &&
                                   str(id, "value"))
            json_object_set(names, str(id, "value"), json_object_get(res, "name"));
    }
    json_array_foreach(entries, i, e)
    {
        const json_t *res = json_object_get(e, "resource");
        const char *type = str(res, "resourceType");
        char where[200];
        json_t *o;
        if (!json_is_object(res)) {
            st = fg_fail(err, FG_EINVAL, "%s: entry %zu has no resource", source, i + 1);
            goto out;
        }
        if (!type || strcmp(type, "HealthcareService") != 0)
            continue;
        snprintf(where, sizeof where, "%s: entry %zu (HealthcareService %.70s)", source,
                 i + 1,
                 str(res, "id") && !fg_has_control(str(res, "id"), false) ? str(res, "id")
                                                                          : "without id");
        if (!service_to_offering(res, names, where, &o, err)) {
            st = FG_EINVAL;
            goto out;
        }
        json_array_append_new(records, o);
        json_array_append_new(wheres, json_string(where));
    }
    st = cat_import_records(cat, rt, records, wheres, source, rep, err);
out:
    json_decref(bundle);
    json_decref(names);
    json_decref(records);
    json_decref(wheres);
    return st;
}
