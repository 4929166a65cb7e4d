/*
 * The hub's /v1/ API (docs/sync-protocol.md): health, whoami, the change
 * feed and snapshot, search (through the answer cache), single records
 * with ETags, and push.  Every call but health carries a bearer token.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define MAX_PAGE 5000
#define DEFAULT_PAGE 500

static void reply_status(hub_reply *r, const fg_error *e)
{
    switch (e->status) {
    case FG_EINVAL:
        hub_reply_error(r, 400, "bad_request", "%s", e->msg);
        break;
    case FG_ENOTFOUND:
        hub_reply_error(r, 404, "not_found", "%s", e->msg);
        break;
    case FG_EPERM:
        hub_reply_error(r, 403, "forbidden", "%s", e->msg);
        break;
    default:
        fg_log(FG_LOG_ERROR, "hub: %s", e->msg);
        hub_reply_error(r, 500, "internal", "the hub could not do this; see its log");
    }
}

void hub_reply_busy(const hub_call *call, hub_reply *r)
{
    char after[16];
    snprintf(after, sizeof after, "%u", call->cfg->lock_timeout ? call->cfg->lock_timeout : 1u);
    hub_reply_error(r, 503, "unavailable",
                    "the catalogue is busy with another write; try again in %s s", after);
    hub_reply_header(r, "Retry-After", after);
}

bool hub_lock_within(const hub_call *call, hub_reply *r)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)call->cfg->lock_timeout;
    if (pthread_mutex_timedlock(&call->srv->lock, &until) == 0)
        return true;
    hub_reply_busy(call, r);
    return false;
}

static bool int_arg(hub_call *call, hub_reply *r, const char *name, int64_t def, int64_t min,
                    int64_t max, int64_t *out)
{
    const char *v = hub_arg(call, name);
    if (!v || !*v) {
        *out = def;
        return true;
    }
    if (fg_parse_int(v, min, max, out))
        return true;
    hub_reply_error(r, 400, "bad_request", "%s must be a whole number from %lld to %lld", name,
                    (long long)min, (long long)max);
    return false;
}

/* A yes-or-no argument: 1 or true is yes; absent, empty, 0 or false no;
   anything else is refused (`r` set to 400). */
static bool flag_arg(hub_call *call, hub_reply *r, const char *name, bool *out)
{
    const char *v = hub_arg(call, name);
    *out = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    if (*out || !v || !*v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
        return true;
    hub_reply_error(r, 400, "bad_request", "%s takes 1, true, 0 or false", name);
    return false;
}

/* ---- /v1/ handlers ---------------------------------------------------- */

static void feed_reply(hub_call *call, hub_reply *r, int64_t after, int64_t limit,
                       const char *epoch)
{
    int64_t next;
    bool more;
    char cursor[CAT_EPOCH_SIZE + 24], *body = NULL, *tail = NULL;
    size_t len = 0;
    json_t *rest;
    fg_error e;
    FILE *out = open_memstream(&body, &len);
    if (!out) {
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    /* {"changes": PAGE, "next": ..., "more": ...}: the page is JSON text
       already (cat_feed_page), the rest Jansson's, spliced after it. */
    fputs("{\"changes\":", out);
    if (cat_feed_page(call->cat, after, limit, call->org, out, &next, &more, &e) != FG_OK) {
        fclose(out);
        free(body);
        reply_status(r, &e);
        return;
    }
    snprintf(cursor, sizeof cursor, "%s:%lld", epoch, (long long)next);
    rest = json_pack("{s:s, s:b, s:s}", "next", cursor, "more", more, "epoch", epoch);
    tail = rest ? json_dumps(rest, JSON_COMPACT) : NULL;
    json_decref(rest);
    if (tail)
        fprintf(out, ",%s", tail + 1);
    if (fclose(out) != 0 || !tail) {
        free(tail);
        free(body);
        hub_reply_error(r, 500, "internal", "the hub is out of memory");
        return;
    }
    free(tail);
    r->status = 200;
    r->content_type = "application/json";
    r->body = body;
    r->len = len;
}

static void api_changes(hub_call *call, hub_reply *r, bool snapshot)
{
    char epoch[CAT_EPOCH_SIZE], their_epoch[CAT_EPOCH_SIZE];
    int64_t limit, after = 0, seq, horizon;
    fg_error e;
    const char *since = hub_arg(call, "since");

    if (!int_arg(call, r, "limit", DEFAULT_PAGE, 1, MAX_PAGE, &limit))
        return;
    if (cat_feed_epoch(call->cat, epoch, &e) != FG_OK ||
        cat_feed_seq(call->cat, &seq, &e) != FG_OK ||
        cat_feed_horizon(call->cat, &horizon, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    if (snapshot) {
        const char *theirs = hub_arg(call, "epoch");
        if (!int_arg(call, r, "after", 0, 0, INT64_MAX, &after))
            return;
        /* A walk that names the epoch it began in learns when the hub
           changed epoch under it (a restore): its pages do not go together. */
        if (theirs && *theirs && strcmp(theirs, epoch) != 0) {
            hub_reply_json(r, 410, json_pack("{s:s, s:s, s:s}", "error", "resync", "reason",
                                             "epoch", "message",
                                             "the hub's feed has a new epoch; start the "
                                             "snapshot again"));
            return;
        }
    } else if (since && *since) {
        if (!cat_cursor_parse(since, their_epoch, &after)) {
            hub_reply_error(r, 400, "bad_request", "since is not a cursor this hub gave");
            return;
        }
        if (strcmp(their_epoch, epoch) != 0) {
            hub_reply_json(r, 410, json_pack("{s:s, s:s, s:s}", "error", "resync", "reason",
                                             "epoch", "message",
                                             "the hub's feed has a new epoch; take a snapshot"));
            return;
        }
        if (after > seq) {
            hub_reply_json(r, 410, json_pack("{s:s, s:s, s:s}", "error", "resync", "reason",
                                             "ahead", "message",
                                             "the cursor is ahead of the hub; take a snapshot"));
            return;
        }
        if (after < horizon) {
            hub_reply_json(r, 410,
                           json_pack("{s:s, s:s, s:s}", "error", "resync", "reason", "expired",
                                     "message",
                                     "tombstones newer than the cursor were purged; take a "
                                     "snapshot"));
            return;
        }
    }
    feed_reply(call, r, after, limit, epoch);
}

/* Answers a record with its rev as ETag, or 304 when the caller has it. */
static void record_reply(hub_call *call, hub_reply *r, json_t *rec)
{
    char etag[32];
    const char *inm = hub_lookup(call, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
    snprintf(etag, sizeof etag, "\"%lld\"",
             (long long)json_integer_value(json_object_get(rec, "rev")));
    if (inm && strcmp(inm, etag) == 0) {
        json_decref(rec);
        r->status = 304;
        r->content_type = "application/json";
    } else {
        hub_reply_json(r, 200, rec);
    }
    hub_reply_header(r, "ETag", etag);
}

static void api_offering(hub_call *call, hub_reply *r, const char *id)
{
    json_t *rec;
    fg_error e;
    if (cat_offering_get(call->cat, id, &rec, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    record_reply(call, r, rec);
}

static void api_request(hub_call *call, hub_reply *r, const char *id)
{
    json_t *rec;
    fg_error e;
    if (cat_request_get(call->cat, id, &rec, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    if (strcmp(call->org, json_string_value(json_object_get(json_object_get(rec, "requester"),
                                                            "ods"))) != 0 &&
        strcmp(call->org, json_string_value(json_object_get(json_object_get(rec, "provider"),
                                                            "ods"))) != 0) {
        /* Not visible to this caller: as if it did not exist. */
        json_decref(rec);
        hub_reply_error(r, 404, "not_found", "no request with id '%.60s'", id);
        return;
    }
    record_reply(call, r, rec);
}

static void api_search(hub_call *call, hub_reply *r)
{
    cat_query q = {.max_price_pence = -1};
    const char *price = hub_arg(call, "max_price");
    const char *facets = hub_arg(call, "facets");
    json_t *results = NULL, *counts = NULL, *out;
    char key[2048];
    int64_t seq = 0;
    bool keyed;
    fg_error e;

    q.text = hub_arg(call, "q");
    if (q.text && !*q.text)
        q.text = NULL;
    q.area = hub_arg(call, "area");
    q.provider = hub_arg(call, "provider");
    q.delivery = hub_arg(call, "delivery");
    q.region = hub_arg(call, "region");
    q.tag = hub_arg(call, "tag");
    q.facets = facets && strcmp(facets, "1") == 0;
    if (!flag_arg(call, r, "include_withdrawn", &q.include_withdrawn))
        return;
    if (!int_arg(call, r, "limit", 20, 1, 1000, &q.limit) ||
        !int_arg(call, r, "offset", 0, 0, 1000000000, &q.offset))
        return;
    if (price && *price && !fg_parse_pounds(price, &q.max_price_pence)) {
        hub_reply_error(r, 400, "bad_request", "max_price takes pounds like 1500 or 1500.50");
        return;
    }
    if (q.text && !fg_utf8_valid(q.text, strlen(q.text))) {
        hub_reply_error(r, 400, "bad_request", "q is not valid UTF-8");
        return;
    }
    /* Every value that shapes the answer, with separators no value holds
       (control characters are refused in them). */
    keyed = snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld\x1f%lld\x1f%d%d",
                     q.text ? q.text : "", q.area ? q.area : "", q.provider ? q.provider : "",
                     q.delivery ? q.delivery : "", q.region ? q.region : "",
                     q.tag ? q.tag : "", (long long)q.max_price_pence, (long long)q.limit,
                     (long long)q.offset, q.facets, q.include_withdrawn) < (int)sizeof key &&
            cat_feed_seq(call->cat, &seq, &e) == FG_OK;
    if (keyed && (r->body = hub_cache_get(call->srv->cache, key, seq, &r->len)) != NULL) {
        r->status = 200;
        r->content_type = "application/json";
        return;
    }
    if (cat_search(call->cat, &q, &results, q.facets ? &counts : NULL, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    out = json_pack("{s:o}", "results", results);
    if (counts)
        json_object_set_new(out, "facets", counts);
    hub_reply_json(r, 200, out);
    if (keyed && r->body)
        hub_cache_put(call->srv->cache, key, seq, r->body, r->len);
}

static bool good_key(const char *k)
{
    size_t n = 0;
    if (!k)
        return false;
    for (; k[n]; n++)
        if (!((k[n] >= 'A' && k[n] <= 'Z') || (k[n] >= 'a' && k[n] <= 'z') ||
              (k[n] >= '0' && k[n] <= '9') || k[n] == '-' || k[n] == '_') ||
            n >= 128)
            return false;
    return n > 0;
}

/* Whether the call's body is declared JSON; false (and `r` set to 415)
   when not.  Media types are case-insensitive (RFC 9110). */
static bool json_declared(hub_call *call, hub_reply *r)
{
    const char *type = hub_lookup(call, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (type && strncasecmp(type, "application/json", 16) == 0 &&
        (type[16] == '\0' || type[16] == ';' || type[16] == ' '))
        return true;
    hub_reply_error(r, 415, "unsupported_media_type", "%s takes application/json", call->path);
    return false;
}

/* Whether the digits of an integer literal (after its sign) are beyond
   what a 64-bit integer holds. */
static bool beyond_int64(const char *digits, size_t n, bool negative)
{
    const char *max = negative ? "9223372036854775808" : "9223372036854775807";
    while (n > 1 && *digits == '0') {
        digits++;
        n--;
    }
    return n > 19 || (n == 19 && strncmp(digits, max, 19) > 0);
}

/*
 * A copy of a JSON text whose integer literals too large for a 64-bit
 * integer are written as numbers with a fraction ("...0.0"), so that the
 * text parses and the item holding one is refused on its own (a rev, a
 * quantity or a price must be an integer in its range); NULL when the text
 * has none, or when out of memory.
 */
static char *widen_big_integers(const char *in, size_t len, size_t *out_len)
{
    char *out = NULL;
    size_t n = 0, copied = 0;
    bool string = false;

    for (size_t i = 0; i < len; i++) {
        size_t start, end;
        char c = in[i];
        if (string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                string = false;
            continue;
        }
        if (c == '"') {
            string = true;
            continue;
        }
        if (!(c == '-' || (c >= '0' && c <= '9')))
            continue;
        start = i + (c == '-');
        for (end = start; end < len && in[end] >= '0' && in[end] <= '9'; end++)
            ;
        i = end > i ? end - 1 : i;
        if (end < len && (in[end] == '.' || in[end] == 'e' || in[end] == 'E'))
            continue; /* a real number: the parser's to judge */
        if (!beyond_int64(in + start, end - start, c == '-'))
            continue;
        /* Each such literal has 19 digits or more and grows by 2. */
        if (!out && !(out = malloc(len + len / 8 + 3)))
            return NULL;
        memcpy(out + n, in + copied, end - copied);
        n += end - copied;
        out[n++] = '.';
        out[n++] = '0';
        copied = end;
    }
    if (!out)
        return NULL;
    memcpy(out + n, in + copied, len - copied);
    *out_len = n + (len - copied);
    return out;
}

/* The call's body as JSON; NULL (and `r` set to 400) when it is not.  An
   integer beyond 64 bits is read as a number with a fraction: the item
   holding it is refused, not the whole body. */
static json_t *json_body(hub_call *call, hub_reply *r)
{
    json_error_t jerr;
    size_t wide_len = 0;
    char *wide = widen_big_integers(call->body, call->body_len, &wide_len);
    json_t *body = wide ? json_loadb(wide, wide_len, JSON_REJECT_DUPLICATES, &jerr)
                        : json_loadb(call->body, call->body_len, JSON_REJECT_DUPLICATES, &jerr);
    free(wide);
    if (!body)
        hub_reply_error(r, 400, "bad_request", "body is not JSON: line %d, column %d: %s",
                        jerr.line, jerr.column, jerr.text);
    return body;
}

static void api_push(hub_call *call, hub_reply *r)
{
    const char *key = hub_lookup(call, MHD_HEADER_KIND, "Idempotency-Key");
    json_t *body, *answer = NULL, *checks = NULL;
    bool fresh = false;
    fg_error e;

    if (!json_declared(call, r))
        return;
    if (!good_key(key)) {
        hub_reply_error(r, 400, "bad_request",
                        "Idempotency-Key must be 1-128 characters of [A-Za-z0-9_-]");
        return;
    }
    if (!(body = json_body(call, r)))
        return;
    /* The plugins check the batch before the lock: one that hangs holds
       up its own push only. */
    if (cat_idempotent_get(call->cat, call->org, key, &answer, &e) == FG_OK && !answer &&
        cat_push_check(call->cat, call->cfg->rt, call->org, body, &checks, &e) == FG_OK) {
        if (!hub_lock_within(call, r)) {
            json_decref(checks);
            json_decref(body);
            return;
        }
        (void)cat_take_busy(call->cat);
        if (cat_idempotent_get(call->cat, call->org, key, &answer, &e) == FG_OK && !answer &&
            cat_push_apply_checked(call->cat, call->cfg->rt, call->org, body, checks, &answer,
                                   &e) == FG_OK)
        {
            cat_idempotent_put(call->cat, call->org, key, answer, &e);
            fresh = true; /* counted in the metrics; a replayed answer is not */
        }
        hub_unlock(call);
    }
    json_decref(checks);
    json_decref(body);
    if (cat_take_busy(call->cat)) {
        /* Another process held the catalogue's write lock: nothing of
           the batch is certain to be stored; the client sends it again. */
        json_decref(answer);
        hub_reply_busy(call, r);
        return;
    }
    if (!answer) {
        if (e.status == FG_EINVAL)
            hub_reply_error(r, 422, "invalid", "%s", e.msg);
        else
            reply_status(r, &e);
        return;
    }
    if (fresh)
        hub_metrics_push(call->srv->metrics, answer);
    hub_reply_json(r, 200, answer);
}

/* A string member of a quote's body: true when absent (NULL) or a string. */
static bool opt_string(const json_t *body, const char *name, const char **out)
{
    const json_t *v = json_object_get(body, name);
    *out = json_string_value(v);
    return !v || json_typeof(v) == JSON_NULL || json_typeof(v) == JSON_STRING;
}

/*
 * POST /v1/quote: what a request with these fields would carry as its
 * quote, priced by the hub's own plugin with every check of a new request
 * (the requester is the token's organisation); nothing is stored.
 */
static void api_quote(hub_call *call, hub_reply *r)
{
    static const char *const known[] = {"offering_id", "quantity", "start", "contact", "note"};
    json_t *body = json_declared(call, r) ? json_body(call, r) : NULL;
    cat_request_in in = {.requester_ods = call->org};
    cat_quote q;
    const char *key;
    json_t *value;
    fg_error e;
    fg_status st;

    if (!body)
        return;
    if (!json_is_object(body)) {
        hub_reply_error(r, 422, "invalid", "the body must be an object");
        goto out;
    }
    json_object_foreach(body, key, value) {
        size_t i = 0;
        while (i < sizeof known / sizeof *known && strcmp(known[i], key) != 0)
            i++;
        if (i == sizeof known / sizeof *known) {
            hub_reply_error(r, 422, "invalid", "unknown field '%.40s'", key);
            goto out;
        }
    }
    in.offering_id = json_string_value(json_object_get(body, "offering_id"));
    if (!in.offering_id || !json_is_integer(json_object_get(body, "quantity")) ||
        !opt_string(body, "start", &in.start) || !opt_string(body, "contact", &in.contact) ||
        !opt_string(body, "note", &in.note)) {
        hub_reply_error(r, 422, "invalid",
                        "a quote takes offering_id (string), quantity (integer) and, "
                        "optionally, start, contact and note (strings)");
        goto out;
    }
    in.quantity = json_integer_value(json_object_get(body, "quantity"));
    if (!call->cfg->rt) {
        hub_reply_error(r, 503, "unavailable", "this hub has no plugins to price a request");
        goto out;
    }
    /* A quote stores nothing: no lock, as for a request's checks. */
    st = cat_request_quote(call->cat, call->cfg->rt, &in, &q, &e);
    switch (st) {
    case FG_OK:
        hub_reply_json(r, 200, json_pack("{s:s, s:{s:I, s:s}}", "offering_id", in.offering_id,
                                         "quote", "amount_pence", (json_int_t)q.amount_pence,
                                         "currency", q.currency));
        break;
    case FG_EINVAL:
        hub_reply_error(r, 422, "invalid", "%s", e.msg);
        break;
    case FG_EREFUSED:
        hub_reply_error(r, 422, "refused", "%s", e.msg);
        break;
    case FG_ENOTFOUND:
        hub_reply_error(r, 404, "not_found", "%s", e.msg);
        break;
    case FG_EPLUGIN:
        fg_log(FG_LOG_WARN, "hub: quote: %s", e.msg);
        hub_reply_error(r, 503, "unavailable", "the area's plugin could not price it: %s",
                        e.msg);
        break;
    default:
        reply_status(r, &e);
    }
out:
    json_decref(body);
}

static void api_health(hub_call *call, hub_reply *r)
{
    char epoch[CAT_EPOCH_SIZE];
    int64_t seq;
    fg_error e;
    if (cat_feed_epoch(call->cat, epoch, &e) != FG_OK ||
        cat_feed_seq(call->cat, &seq, &e) != FG_OK) {
        reply_status(r, &e);
        return;
    }
    hub_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "epoch", epoch,
                                     "seq", (json_int_t)seq, "version", FGCAT_VERSION));
}

void hub_api_route(hub_call *call, hub_reply *r)
{
    const char *p = call->path + 3; /* after "/v1" */
    bool get = strcmp(call->method, "GET") == 0 || strcmp(call->method, "HEAD") == 0;

    if (strcmp(p, "/health") == 0) {
        if (get)
            api_health(call, r);
        else
            hub_reply_error(r, 405, "method_not_allowed", "use GET");
        return;
    }
    if (strcmp(p, "/metrics") == 0) { /* the operator's, by address (metrics.c) */
        if (!hub_metrics_allowed(call->cfg->metrics_from, call->client))
            hub_reply_error(r, 403, "forbidden", "the metrics are only for the addresses "
                                                 "of fgcat serve --metrics-from");
        else if (get)
            hub_metrics_answer(call, r);
        else
            hub_reply_error(r, 405, "method_not_allowed", "use GET");
        return;
    }
    if (!hub_call_bearer(call)) {
        hub_reply_error(r, 401, "unauthorized", "a valid bearer token is required");
        hub_reply_header(r, "WWW-Authenticate", "Bearer realm=\"fgcat\"");
        return;
    }
    if (strcmp(p, "/push") == 0 || strcmp(p, "/quote") == 0) {
        if (strcmp(call->method, "POST") != 0)
            hub_reply_error(r, 405, "method_not_allowed", "use POST");
        else if (p[1] == 'p')
            api_push(call, r);
        else
            api_quote(call, r);
        return;
    }
    if (!get) {
        hub_reply_error(r, 405, "method_not_allowed", "use GET");
        return;
    }
    if (strcmp(p, "/whoami") == 0)
        hub_reply_json(r, 200, json_pack("{s:s}", "ods", call->org));
    else if (strcmp(p, "/changes") == 0)
        api_changes(call, r, false);
    else if (strcmp(p, "/snapshot") == 0)
        api_changes(call, r, true);
    else if (strcmp(p, "/search") == 0)
        api_search(call, r);
    else if (strncmp(p, "/offerings/", 11) == 0 && p[11])
        api_offering(call, r, p + 11);
    else if (strncmp(p, "/requests/", 10) == 0 && p[10])
        api_request(call, r, p + 10);
    else
        hub_reply_error(r, 404, "not_found", "no such API path");
}

