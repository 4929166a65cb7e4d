/*
 * The hub's FHIR R4 reads (docs/fhir.md): /fhir/metadata, HealthcareService
 * search and read, Organization read.  Read-only; the same visibility as
 * the /v1/ API (a member's bearer token; offerings are visible to every
 * member, requests are not served here).  Answers are application/fhir+json,
 * failures an OperationOutcome.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define FHIR_TYPE "application/fhir+json"
#define DEFAULT_COUNT 100
#define MAX_COUNT 1000
#define MAX_OFFSET 100000000

static void reply_fhir(hub_reply *r, unsigned status, json_t *resource)
{
    r->status = status;
    r->content_type = FHIR_TYPE;
    r->body = json_dumps(resource, JSON_COMPACT | JSON_REAL_PRECISION(15));
    r->len = r->body ? strlen(r->body) : 0;
    json_decref(resource);
}

/* An OperationOutcome with one issue of FHIR's `code` (not-found,
   invalid, security, not-supported, exception). */
static void outcome(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void outcome(hub_reply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[FG_ERROR_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fg_utf8_scrub(msg);
    reply_fhir(r, status,
               json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "resourceType", "OperationOutcome",
                         "issue", "severity", "error", "code", code, "diagnostics", msg));
}

static void outcome_status(hub_reply *r, const fg_error *e)
{
    if (e->status == FG_ENOTFOUND) {
        outcome(r, 404, "not-found", "%s", e->msg);
    } else if (e->status == FG_EINVAL) {
        outcome(r, 400, "invalid", "%s", e->msg);
    } else {
        fg_log(FG_LOG_ERROR, "hub: %s", e->msg);
        outcome(r, 500, "exception", "the hub could not do this; see its log");
    }
}

/* The base URL of this hub's FHIR endpoints, as the caller reached it. */
static void base_url(const hub_call *call, char *out, size_t size)
{
    const char *host = hub_lookup(call, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    bool ok = host && *host && strlen(host) < 200;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
             (*p >= '0' && *p <= '9') || strchr(".-:[]", *p);
    snprintf(out, size, "%s://%s/fhir", call->cfg->tls_cert ? "https" : "http",
             ok ? host : "localhost");
}

static json_t *capability_statement(const char *base)
{
    char date[FG_TIMESTAMP_SIZE];
    json_t *search = json_pack(
        "[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s},"
        " {s:s, s:s, s:s}]",
        "name", "_id", "type", "token", "documentation", "the HealthcareService id",
        "name", "identifier", "type", "token", "documentation",
        "the offering id, system " CAT_FHIR_OFFERING_SYSTEM, "name", "organization",
        "type", "reference", "documentation", "the provider: Organization/ODS or ODS",
        "name", "active", "type", "token", "documentation",
        "true: offered now; false: withdrawn", "name", "_lastUpdated", "type", "date",
        "documentation", "gt, ge or lt a UTC time (incremental polling)");
    fg_now_iso(date);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:[s],"
        " s:[{s:s, s:{s:b, s:s}, s:[{s:s, s:[{s:s}, {s:s}], s:o, s:s},"
        " {s:s, s:[{s:s}]}]}]}",
        "resourceType", "CapabilityStatement", "status", "active", "date", date, "kind",
        "instance", "publisher", "fgcat", "software", "name", "fgcat", "version",
        FGCAT_VERSION, "implementation", "description",
        "fgcat hub: the foundation group's shared-services catalogue", "url", base,
        "fhirVersion", "4.0.1", "format", "json", "rest", "mode", "server", "security",
        "cors", 0, "description",
        "Every read but this one needs a member's token: Authorization: Bearer TOKEN",
        "resource", "type", "HealthcareService", "interaction", "code", "read", "code",
        "search-type", "searchParam", search, "documentation",
        "one per offering; _count pages (default 100, at most 1000), next links carry "
        "_offset",
        "type", "Organization", "interaction", "code", "read");
}

/* Parses a _lastUpdated value (after its prefix) into a UTC time stamp:
   "2026-11-22T10:00:00Z", with fractions of a second or "+00:00" (which
   may arrive as " 00:00"), or a date (its midnight). */
static bool parse_instant(const char *v, char out[FG_TIMESTAMP_SIZE])
{
    size_t n = strlen(v);
    const char *rest;
    int64_t days;
    char date[FG_DATE_SIZE];
    if (n == 10) {
        if (!fg_parse_date(v, &days))
            return false;
        snprintf(out, FG_TIMESTAMP_SIZE, "%sT00:00:00Z", v);
        return true;
    }
    if (n < 19)
        return false;
    snprintf(out, FG_TIMESTAMP_SIZE, "%.19sZ", v);
    snprintf(date, sizeof date, "%.10s", v);
    if (!fg_valid_timestamp(out) || !fg_parse_date(date, &days))
        return false;
    rest = v + 19;
    if (*rest == '.') {
        rest++;
        if (!(*rest >= '0' && *rest <= '9'))
            return false;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    return strcmp(rest, "Z") == 0 || strcmp(rest, "+00:00") == 0 ||
           strcmp(rest, " 00:00") == 0 || strcmp(rest, "-00:00") == 0;
}

/* Reads a whole number argument in [min, max]; false after a 400. */
static bool count_arg(hub_call *call, hub_reply *r, const char *name, int64_t def,
                      int64_t min, int64_t max, int64_t *out)
{
    const char *v = hub_arg(call, name);
    *out = def;
    if (!v || !*v || fg_parse_int(v, min, max, out))
        return true;
    outcome(r, 400, "invalid", "%s must be a whole number from %lld to %lld", name,
            (long long)min, (long long)max);
    return false;
}

/* Appends "&name=value" (URL-encoded) to the link being built. */
static void link_arg(FILE *f, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    fprintf(f, "&%s=", name);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~:", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* The URL of a page of this search: every argument given, and _offset. */
static char *page_link(hub_call *call, const char *base, int64_t count, int64_t offset)
{
    static const char *const args[] = {"_id", "identifier", "organization", "active",
                                       "_lastUpdated"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, "%s/HealthcareService?_count=%lld", base, (long long)count);
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        link_arg(f, args[i], hub_arg(call, args[i]));
    if (offset)
        fprintf(f, "&_offset=%lld", (long long)offset);
    if (fclose(f) != 0)
        abort();
    return buf;
}

static json_t *make_link(const char *relation, char *url)
{
    json_t *l = json_pack("{s:s, s:s}", "relation", relation, "url", url);
    free(url);
    return l;
}

static void search_services(hub_call *call, hub_reply *r, const char *base)
{
    cat_fhir_query q = {.active = -1};
    const char *id = hub_arg(call, "_id"), *identifier = hub_arg(call, "identifier");
    const char *org = hub_arg(call, "organization"), *active = hub_arg(call, "active");
    const char *updated = hub_arg(call, "_lastUpdated");
    char from_id[128] = "", stamp[FG_TIMESTAMP_SIZE];
    json_t *found = NULL, *bundle, *entries, *o;
    int64_t total = 0;
    bool none = false;
    size_t i;
    fg_error e;

    if (!count_arg(call, r, "_count", DEFAULT_COUNT, 1, MAX_COUNT, &q.count) ||
        !count_arg(call, r, "_offset", 0, 0, MAX_OFFSET, &q.offset))
        return;
    if (id && *id) {
        fg_status st = cat_fhir_offering_id(call->cat, id, from_id, sizeof from_id, &e);
        if (st == FG_ENOTFOUND)
            none = true;
        else if (st != FG_OK) {
            outcome_status(r, &e);
            return;
        }
        q.offering_id = from_id;
    }
    if (identifier && *identifier) {
        const char *bar = strchr(identifier, '|');
        const char *value = bar ? bar + 1 : identifier;
        if (bar && bar != identifier &&
            (strncmp(identifier, CAT_FHIR_OFFERING_SYSTEM, (size_t)(bar - identifier)) !=
                 0 ||
             strlen(CAT_FHIR_OFFERING_SYSTEM) != (size_t)(bar - identifier)))
            none = true; /* another system names none of ours */
        if (q.offering_id && strcmp(q.offering_id, value) != 0)
            none = true;
        q.offering_id = value;
    }
    if (org && *org) {
        q.provider = strncmp(org, "Organization/", 13) == 0 ? org + 13 : org;
        if (!fg_valid_ods(q.provider)) {
            outcome(
                r, 400, "invalid",
                "organization must be Organization/ODS or an ODS code (3-5 of A-Z0-9)");
            return;
        }
    }
    if (active && *active) {
        if (strcmp(active, "true") != 0 && strcmp(active, "false") != 0) {
            outcome(r, 400, "invalid", "active must be true or false");
            return;
        }
        q.active = strcmp(active, "true") == 0;
    }
    if (updated && *updated) {
        if (!parse_instant(strlen(updated) > 2 ? updated + 2 : updated, stamp) ||
            (strncmp(updated, "gt", 2) != 0 && strncmp(updated, "ge", 2) != 0 &&
             strncmp(updated, "lt", 2) != 0)) {
            outcome(r, 400, "invalid",
                    "_lastUpdated takes gt, ge or lt and a UTC time, like "
                    "gt2026-11-22T10:00:00Z");
            return;
        }
        if (strncmp(updated, "gt", 2) == 0)
            q.updated_after = stamp;
        else if (strncmp(updated, "ge", 2) == 0)
            q.updated_from = stamp;
        else
            q.updated_before = stamp;
    }
    if (!none && cat_fhir_search(call->cat, &q, &found, &total, &e) != FG_OK) {
        outcome_status(r, &e);
        return;
    }

    bundle = json_pack("{s:s, s:s, s:I}", "resourceType", "Bundle", "type", "searchset",
                       "total", (json_int_t)total);
    {
        json_t *links = json_array();
        json_array_append_new(
            links, make_link("self", page_link(call, base, q.count, q.offset)));
        if (q.offset + (int64_t)json_array_size(found) < total)
            json_array_append_new(
                links,
                make_link("next", page_link(call, base, q.count,
                                            q.offset + (int64_t)json_array_size(found))));
        json_object_set_new(bundle, "link", links);
    }
    entries = json_array();
    json_array_foreach(found, i, o)
    {
        json_t *hs = cat_fhir_service(o);
        char url[512];
        snprintf(url, sizeof url, "%s/HealthcareService/%s", base,
                 json_string_value(json_object_get(hs, "id")));
        json_array_append_new(entries,
                              json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", url, "resource",
                                        hs, "search", "mode", "match"));
    }
    json_decref(found);
    if (json_array_size(entries))
        json_object_set_new(bundle, "entry", entries);
    else
        json_decref(entries);
    reply_fhir(r, 200, bundle);
}

static void read_service(hub_call *call, hub_reply *r, const char *fid)
{
    char id[128];
    json_t *o;
    fg_error e;
    if (cat_fhir_offering_id(call->cat, fid, id, sizeof id, &e) != FG_OK ||
        cat_offering_get(call->cat, id, &o, &e) != FG_OK) {
        if (e.status == FG_ENOTFOUND)
            outcome(r, 404, "not-found", "no HealthcareService with id '%.70s'", fid);
        else
            outcome_status(r, &e);
        return;
    }
    reply_fhir(r, 200, cat_fhir_service(o));
    json_decref(o);
}

static void read_organization(hub_call *call, hub_reply *r, const char *ods)
{
    char *name = NULL;
    fg_error e;
    if (!fg_valid_ods(ods)) {
        outcome(r, 404, "not-found", "no Organization with id '%.20s'", ods);
        return;
    }
    if (cat_provider_name(call->cat, ods, &name, &e) != FG_OK) {
        outcome_status(r, &e);
        return;
    }
    reply_fhir(r, 200, cat_fhir_organization(ods, name));
    free(name);
}

bool hub_fhir_route(hub_call *call, hub_reply *r)
{
    const char *p = call->path + 5; /* after "/fhir" */
    char base[300];

    if (strcmp(call->path, "/fhir") != 0 && strncmp(call->path, "/fhir/", 6) != 0)
        return false;
    if (strcmp(call->method, "GET") != 0 && strcmp(call->method, "HEAD") != 0) {
        outcome(r, 405, "not-supported", "the FHIR endpoints are read-only: use GET");
        return true;
    }
    base_url(call, base, sizeof base);
    if (strcmp(p, "/metadata") == 0) {
        reply_fhir(r, 200, capability_statement(base));
        return true;
    }
    if (!hub_call_bearer(call)) {
        outcome(r, 401, "security", "a valid bearer token is required");
        hub_reply_header(r, "WWW-Authenticate", "Bearer realm=\"fgcat\"");
        return true;
    }
    if (strcmp(p, "/HealthcareService") == 0)
        search_services(call, r, base);
    else if (strncmp(p, "/HealthcareService/", 19) == 0 && p[19])
        read_service(call, r, p + 19);
    else if (strncmp(p, "/Organization/", 14) == 0 && p[14])
        read_organization(call, r, p + 14);
    else
        outcome(r, 404, "not-supported",
                "no such FHIR path: this hub serves metadata, HealthcareService and "
                "Organization/ODS");
    return true;
}
