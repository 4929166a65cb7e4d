/*
 * Requests (SPEC §5): creation with the area plugin's validation and quote,
 * the life cycle with who may do what, capacity that holds when many
 * processes accept at once, and the append-only history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "internal.h"
#include "util.h"

#define MAX_QUANTITY 1000000
#define MAX_NOTE 2000
#define MAX_REASON 500

static const char *const status_names[] = {"submitted", "accepted", "declined",
                                           "cancelled", "completed", NULL};

static const struct {
    const char *name;   /* as typed */
    const char *verb;   /* in messages */
    const char *from[3]; /* states it may leave, NULL-terminated */
    const char *to;
    bool by_provider;   /* else by the requester */
} actions[] = {
    [CAT_ACCEPT] = {"accept", "accept", {"submitted", NULL}, "accepted", true},
    [CAT_DECLINE] = {"decline", "decline", {"submitted", NULL}, "declined", true},
    [CAT_COMPLETE] = {"complete", "complete", {"accepted", NULL}, "completed", true},
    [CAT_CANCEL] = {"cancel", "cancel", {"submitted", "accepted", NULL}, "cancelled",
                    false},
};

bool cat_action_parse(const char *name, cat_action *out)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(name, actions[i].name) == 0) {
            *out = (cat_action)i;
            return true;
        }
    }
    return false;
}

/* What may follow `status`, as a phrase for messages. */
static const char *allowed_from(const char *status)
{
    if (strcmp(status, "submitted") == 0)
        return "the provider may accept or decline it, the requester may cancel it";
    if (strcmp(status, "accepted") == 0)
        return "the provider may complete it, the requester may cancel it";
    return "it is final: nothing can follow";
}

static const char sql_offering_for_request[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM " WHERE o.id = ?1";
static const char sql_insert_request[] =
    "INSERT INTO request(id, offering_id, provider_ods, requester_ods, contact,"
    " quantity, start, note, status, quote_pence, currency, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'submitted', ?9, ?10, ?11, ?11)";
static const char sql_insert_event[] =
    "INSERT INTO request_event(request, seq, status, at, by_ods, reason, person)"
    " SELECT rowid, (SELECT coalesce(max(seq), 0) + 1 FROM request_event"
    "                WHERE request = request.rowid), ?2, ?3, ?4, ?5, ?6"
    " FROM request WHERE id = ?1";
static const char sql_get_request[] =
    "SELECT rowid, id, offering_id, provider_ods, requester_ods, contact, quantity,"
    " start, note, status, quote_pence, currency, rev, created_at, updated_at"
    " FROM request WHERE id = ?1";
static const char sql_events[] =
    "SELECT status, at, by_ods, reason, person FROM request_event WHERE request = ?1"
    " ORDER BY seq";
static const char sql_list[] =
    "SELECT id FROM request"
    " WHERE (?1 IS NULL OR requester_ods = ?1 OR provider_ods = ?1)"
    "   AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR offering_id = ?3)"
    " ORDER BY created_at DESC, rowid DESC";
static const char sql_count_accepted[] =
    "SELECT count(*) FROM request WHERE offering_id = ?1 AND status = 'accepted'";
static const char sql_set_status[] =
    "UPDATE request SET status = ?2, updated_at = ?3, rev = rev + 1 WHERE id = ?1";

/* Checks optional free text: at most `max` bytes, valid UTF-8, no control
   characters other than newlines and tabs. */
static fg_status check_text(const char *what, const char *s, size_t max, fg_error *err)
{
    if (!s)
        return FG_OK;
    if (strlen(s) > max)
        return fg_fail(err, FG_EINVAL, "%s is %zu bytes, more than the %zu allowed", what,
                       strlen(s), max);
    if (!fg_utf8_valid(s, strlen(s)) || fg_has_control(s, true))
        return fg_fail(err, FG_EINVAL, "%s must be UTF-8 text without control characters",
                       what);
    return FG_OK;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Appends one history event inside the caller's transaction, and queues
   its notifications. */
static fg_status add_event(cat_catalog *cat, const char *id, const char *status,
                           const char *at, const char *by, const char *person,
                           const char *reason, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_insert_event, err);
    int rc;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    bind_opt(st, 5, reason);
    bind_opt(st, 6, person);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "recording request history");
    /* The move's e-mails commit with it (notify.c). */
    return cat_notify_queue_locked(cat, id, err);
}

/* Reads the offering a request is for. *out is new. */
static fg_status load_offering(cat_catalog *cat, const char *id, json_t **out,
                               fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_offering_for_request, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = cat_offering_from_stmt(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return fg_fail(err, FG_ENOTFOUND, "no offering with id '%.100s'", id);
    if (rc != SQLITE_ROW || !*out)
        return cat_db_fail(cat, err, "reading an offering");
    return FG_OK;
}

/*
 * Checks a request and has its area plugin price it, storing nothing.
 * *offering is the offering it names (new, for the caller) when FG_OK.
 */
static fg_status check_and_quote(cat_catalog *cat, const rt_runtime *rt,
                                 const cat_request_in *in, json_t **offering,
                                 cat_quote *quote, fg_error *err)
{
    const char *area, *provider, *status;
    rt_plugin *plugin;
    rt_request rq;
    int64_t day;
    fg_error perr;
    fg_status rc;

    *offering = NULL;
    if (!fg_valid_ods(in->requester_ods))
        return fg_fail(err, FG_EINVAL, "--org must be an ODS code of 3-5 characters "
                                       "[A-Z0-9], not '%.20s'",
                       in->requester_ods ? in->requester_ods : "");
    if (in->quantity < 1 || in->quantity > MAX_QUANTITY)
        return fg_fail(err, FG_EINVAL, "quantity must be between 1 and %d", MAX_QUANTITY);
    if (in->start && !fg_parse_date(in->start, &day))
        return fg_fail(err, FG_EINVAL, "start must be a date like 2027-03-01, not '%.20s'",
                       in->start);
    if (in->contact && !fg_valid_email(in->contact))
        return fg_fail(err, FG_EINVAL, "contact must be an e-mail address, not '%.80s'",
                       in->contact);
    if ((rc = check_text("note", in->note, MAX_NOTE, err)) != FG_OK ||
        (rc = cat_person_may(cat, in->person, in->requester_ods, false, err)) != FG_OK)
        return rc;

    if ((rc = load_offering(cat, in->offering_id, offering, err)) != FG_OK)
        return rc;
    area = json_string_value(json_object_get(*offering, "area"));
    provider = json_string_value(json_object_get(json_object_get(*offering, "provider"), "ods"));
    status = json_string_value(json_object_get(*offering, "status"));
    if (strcmp(status, "withdrawn") == 0) {
        rc = fg_fail(err, FG_EREFUSED, "offering %s was withdrawn on %.10s; it takes no new "
                                       "requests",
                     in->offering_id,
                     json_string_value(json_object_get(*offering, "withdrawn_at")));
        goto fail;
    }
    if (strcmp(provider, in->requester_ods) == 0) {
        rc = fg_fail(err, FG_EREFUSED, "%s provides %s and cannot request its own offering",
                     provider, in->offering_id);
        goto fail;
    }
    plugin = rt ? rt_area_owner(rt, area) : NULL;
    if (!plugin) {
        rc = fg_fail(err, FG_EREFUSED, "no loaded plugin provides area %s, so the request "
                                       "cannot be checked or quoted",
                     area);
        goto fail;
    }
    rq.requester_ods = in->requester_ods;
    rq.contact = in->contact;
    rq.quantity = in->quantity;
    rq.start = in->start;
    rq.note = in->note;
    if ((rc = rt_quote(plugin, *offering, &rq, &quote->amount_pence, quote->currency,
                       &perr)) != FG_OK) {
        if (rc == FG_EREFUSED)
            rc = fg_fail(err, FG_EREFUSED, "request refused by the %s plugin: %s",
                         plugin->name, perr.msg);
        else if (err)
            *err = perr;
        goto fail;
    }
    return FG_OK;
fail:
    json_decref(*offering);
    *offering = NULL;
    return rc;
}

fg_status cat_request_quote(cat_catalog *cat, const rt_runtime *rt, const cat_request_in *in,
                            cat_quote *quote, fg_error *err)
{
    json_t *offering;
    fg_status rc = check_and_quote(cat, rt, in, &offering, quote, err);

    json_decref(offering);
    return rc;
}

fg_status cat_request_create(cat_catalog *cat, const rt_runtime *rt,
                             const cat_request_in *in, json_t **out, fg_error *err)
{
    json_t *offering = NULL;
    const char *provider;
    cat_quote quote = {0};
    char id[37], now[FG_TIMESTAMP_SIZE];
    uuid_t uu;
    sqlite3_stmt *st;
    fg_status rc;

    *out = NULL;
    if ((rc = check_and_quote(cat, rt, in, &offering, &quote, err)) != FG_OK)
        return rc;
    provider = json_string_value(json_object_get(json_object_get(offering, "provider"), "ods"));

    uuid_generate_random(uu);
    uuid_unparse_lower(uu, id);
    fg_now_iso(now);
    if ((rc = cat_begin(cat, err)) != FG_OK)
        goto out;
    if (!(st = cat_stmt(cat, sql_insert_request, err))) {
        rc = FG_EDB;
        goto fail;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->offering_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, provider, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->requester_ods, -1, SQLITE_STATIC);
    bind_opt(st, 5, in->contact);
    sqlite3_bind_int64(st, 6, in->quantity);
    bind_opt(st, 7, in->start);
    bind_opt(st, 8, in->note);
    sqlite3_bind_int64(st, 9, quote.amount_pence);
    sqlite3_bind_text(st, 10, quote.currency, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = cat_db_fail(cat, err, "storing a request");
        sqlite3_reset(st);
        goto fail;
    }
    sqlite3_reset(st);
    if ((rc = add_event(cat, id, "submitted", now, in->requester_ods, in->person, NULL, err)) !=
            FG_OK ||
        (rc = cat_commit(cat, err)) != FG_OK)
        goto fail;
    rc = cat_request_get(cat, id, out, err);
    goto out;
fail:
    cat_rollback(cat);
out:
    json_decref(offering);
    return rc;
}

static json_t *opt_string(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, col));
}

fg_status cat_request_get(cat_catalog *cat, const char *id, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_get_request, err);
    sqlite3_int64 rowid;
    json_t *r, *history, *created, *updated;
    int rc;

    *out = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return fg_fail(err, FG_ENOTFOUND, "no request with id '%.60s'", id);
    }
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "reading a request");
#define COL(i) ((const char *)sqlite3_column_text(st, i))
    rowid = sqlite3_column_int64(st, 0);
    r = json_object();
    json_object_set_new(r, "id", json_string(COL(1)));
    json_object_set_new(r, "offering_id", json_string(COL(2)));
    json_object_set_new(r, "provider", json_pack("{s:s}", "ods", COL(3)));
    json_object_set_new(r, "requester",
                        json_pack("{s:s, s:o}", "ods", COL(4), "contact", opt_string(st, 5)));
    json_object_set_new(r, "quantity", json_integer(sqlite3_column_int64(st, 6)));
    json_object_set_new(r, "start", opt_string(st, 7));
    json_object_set_new(r, "note", opt_string(st, 8));
    json_object_set_new(r, "status", json_string(COL(9)));
    json_object_set_new(r, "quote", json_pack("{s:I, s:s}", "amount_pence",
                                              (json_int_t)sqlite3_column_int64(st, 10),
                                              "currency", COL(11)));
    json_object_set_new(r, "rev", json_integer(sqlite3_column_int64(st, 12)));
    created = json_string(COL(13));
    updated = json_string(COL(14));
#undef COL
    sqlite3_reset(st);

    if (!(st = cat_stmt(cat, sql_events, err))) {
        json_decref(r);
        json_decref(created);
        json_decref(updated);
        return FG_EDB;
    }
    sqlite3_bind_int64(st, 1, rowid);
    history = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *e = json_pack("{s:s, s:s, s:s}", "status", sqlite3_column_text(st, 0), "at",
                              sqlite3_column_text(st, 1), "by", sqlite3_column_text(st, 2));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            json_object_set_new(e, "reason", opt_string(st, 3));
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            json_object_set_new(e, "person", opt_string(st, 4));
        json_array_append_new(history, e);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(history);
        json_decref(r);
        json_decref(created);
        json_decref(updated);
        return cat_db_fail(cat, err, "reading request history");
    }
    /* history sits before the time stamps, as SPEC §5 shows it. */
    json_object_set_new(r, "history", history);
    json_object_set_new(r, "created_at", created);
    json_object_set_new(r, "updated_at", updated);
    *out = r;
    return FG_OK;
}

fg_status cat_request_list(cat_catalog *cat, const cat_request_filter *f, json_t **out,
                           fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_list, err);
    json_t *ids, *arr, *id;
    size_t i;
    int rc;

    *out = NULL;
    if (f->status) {
        bool known = false;
        for (const char *const *n = status_names; *n; n++)
            known = known || strcmp(*n, f->status) == 0;
        if (!known)
            return fg_fail(err, FG_EINVAL, "status must be submitted, accepted, declined, "
                                           "cancelled or completed, not '%.20s'",
                           f->status);
    }
    if (!st)
        return FG_EDB;
    bind_opt(st, 1, f->org);
    bind_opt(st, 2, f->status);
    bind_opt(st, 3, f->offering_id);
    /* Collect ids first: cat_request_get reuses cached statements. */
    ids = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(ids);
        return cat_db_fail(cat, err, "listing requests");
    }
    arr = json_array();
    json_array_foreach(ids, i, id) {
        json_t *r;
        fg_status s = cat_request_get(cat, json_string_value(id), &r, err);
        if (s != FG_OK) {
            json_decref(ids);
            json_decref(arr);
            return s;
        }
        json_array_append_new(arr, r);
    }
    json_decref(ids);
    *out = arr;
    return FG_OK;
}

/* Refuses acceptance when the offering is withdrawn or full.  Runs inside
   the transition's write transaction, so the count cannot go stale. */
static fg_status check_capacity(cat_catalog *cat, const char *offering_id, fg_error *err)
{
    json_t *offering = NULL, *cap;
    sqlite3_stmt *st;
    int64_t accepted;
    fg_status rc;

    if ((rc = load_offering(cat, offering_id, &offering, err)) != FG_OK) {
        if (rc == FG_ENOTFOUND)
            rc = fg_fail(err, FG_EREFUSED, "offering %s is no longer in this catalogue; "
                                           "the request cannot be accepted",
                         offering_id);
        return rc;
    }
    if (strcmp(json_string_value(json_object_get(offering, "status")), "withdrawn") == 0) {
        rc = fg_fail(err, FG_EREFUSED, "offering %s was withdrawn on %.10s; its requests "
                                       "can be declined or cancelled, not accepted",
                     offering_id,
                     json_string_value(json_object_get(offering, "withdrawn_at")));
        goto out;
    }
    cap = json_object_get(offering, "capacity");
    if (!json_is_integer(cap)) {
        rc = FG_OK;
        goto out;
    }
    if (!(st = cat_stmt(cat, sql_count_accepted, err))) {
        rc = FG_EDB;
        goto out;
    }
    sqlite3_bind_text(st, 1, offering_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = cat_db_fail(cat, err, "counting accepted requests");
        sqlite3_reset(st);
        goto out;
    }
    accepted = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (accepted >= json_integer_value(cap))
        rc = fg_fail(err, FG_EREFUSED, "offering %s is at capacity: %lld of %lld places are "
                                       "taken by accepted requests; complete or cancel one "
                                       "first",
                     offering_id, (long long)accepted, (long long)json_integer_value(cap));
    else
        rc = FG_OK;
out:
    json_decref(offering);
    return rc;
}

bool cat_action_for_status(const char *to, cat_action *out)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].to, to) == 0) {
            *out = (cat_action)i;
            return true;
        }
    }
    return false;
}

fg_status cat_request_move_locked(cat_catalog *cat, const char *id, cat_action action,
                                  const char *org, const char *person, const char *reason,
                                  const char *at, fg_error *err)
{
    json_t *req = NULL;
    const char *status, *provider, *requester, *who;
    sqlite3_stmt *st;
    bool from_ok = false;
    fg_status rc;

    if ((unsigned)action >= sizeof actions / sizeof actions[0])
        return fg_fail(err, FG_EINVAL, "unknown request action");
    if ((rc = cat_request_get(cat, id, &req, err)) != FG_OK)
        return rc;
    status = json_string_value(json_object_get(req, "status"));
    provider = json_string_value(json_object_get(json_object_get(req, "provider"), "ods"));
    requester = json_string_value(json_object_get(json_object_get(req, "requester"), "ods"));
    who = actions[action].by_provider ? provider : requester;
    if (strcmp(org, who) != 0) {
        rc = fg_fail(err, FG_EPERM, "only the %s (%s) may %s request %s; %s is %s",
                     actions[action].by_provider ? "provider" : "requester", who,
                     actions[action].verb, id, org,
                     strcmp(org, provider) == 0    ? "its provider"
                     : strcmp(org, requester) == 0 ? "its requester"
                                                   : "neither its provider nor its requester");
        goto out;
    }
    if ((rc = cat_person_may(cat, person, org, actions[action].by_provider, err)) != FG_OK)
        goto out;
    for (const char *const *f = actions[action].from; *f; f++)
        if (strcmp(*f, status) == 0)
            from_ok = true;
    if (!from_ok) {
        rc = fg_fail(err, FG_EREFUSED, "request %s is %s, so it cannot be %s: %s", id,
                     status, actions[action].to, allowed_from(status));
        goto out;
    }
    if (action == CAT_ACCEPT &&
        (rc = check_capacity(cat, json_string_value(json_object_get(req, "offering_id")),
                             err)) != FG_OK)
        goto out;
    if (!(st = cat_stmt(cat, sql_set_status, err))) {
        rc = FG_EDB;
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, actions[action].to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = cat_db_fail(cat, err, "updating a request");
        sqlite3_reset(st);
        goto out;
    }
    sqlite3_reset(st);
    rc = add_event(cat, id, actions[action].to, at, org, person, reason, err);
out:
    json_decref(req);
    return rc;
}

fg_status cat_request_transition(cat_catalog *cat, const char *id, cat_action action,
                                 const char *org, const char *person, const char *reason,
                                 json_t **out, fg_error *err)
{
    char now[FG_TIMESTAMP_SIZE];
    fg_status rc;

    if (out)
        *out = NULL;
    if (!fg_valid_ods(org))
        return fg_fail(err, FG_EINVAL, "--org must be an ODS code of 3-5 characters "
                                       "[A-Z0-9], not '%.20s'",
                       org ? org : "");
    if ((rc = check_text("reason", reason, MAX_REASON, err)) != FG_OK)
        return rc;
    fg_now_iso(now);
    if ((rc = cat_begin(cat, err)) != FG_OK)
        return rc;
    if ((rc = cat_request_move_locked(cat, id, action, org, person, reason, now, err)) !=
            FG_OK ||
        (rc = cat_commit(cat, err)) != FG_OK) {
        cat_rollback(cat);
        return rc;
    }
    return out ? cat_request_get(cat, id, out, err) : FG_OK;
}

/* ---- requests as records that travel (sync) -------------------------- */

static bool valid_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* "<provider ODS code>/<slug>", as SPEC §4 forms an offering id. */
static bool valid_offering_id(const char *s)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char ods[8];
    size_t n = slash ? (size_t)(slash - s) : 0;
    if (n == 0 || n >= sizeof ods)
        return false;
    memcpy(ods, s, n);
    ods[n] = '\0';
    return fg_valid_ods(ods) && fg_valid_slug(slash + 1, 64);
}

static const char *str_field(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

fg_status cat_request_check(const json_t *r, fg_error *err)
{
    const json_t *requester = json_object_get(r, "requester");
    const json_t *provider = json_object_get(r, "provider");
    const json_t *quote = json_object_get(r, "quote");
    const json_t *history = json_object_get(r, "history"), *e;
    const json_t *v;
    const char *id = str_field(r, "id");
    const char *status = str_field(r, "status");
    int64_t day;
    size_t i;

    if (!json_is_object(r))
        return fg_fail(err, FG_EINVAL, "a request must be a JSON object");
    if (!valid_uuid(id))
        return fg_fail(err, FG_EINVAL, "request field id must be a lower-case UUID");
    if (!valid_offering_id(str_field(r, "offering_id")))
        return fg_fail(err, FG_EINVAL, "request %s: field offering_id is missing or bad", id);
    if (!fg_valid_ods(str_field(requester, "ods")) || !fg_valid_ods(str_field(provider, "ods")))
        return fg_fail(err, FG_EINVAL, "request %s: requester.ods and provider.ods must be "
                                       "ODS codes",
                       id);
    v = json_object_get(requester, "contact");
    if (v && !json_is_null(v) && (!json_is_string(v) || !fg_valid_email(json_string_value(v))))
        return fg_fail(err, FG_EINVAL, "request %s: requester.contact must be an e-mail "
                                       "address or null",
                       id);
    v = json_object_get(r, "quantity");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > MAX_QUANTITY)
        return fg_fail(err, FG_EINVAL, "request %s: field quantity must be 1-%d", id,
                       MAX_QUANTITY);
    v = json_object_get(r, "start");
    if (v && !json_is_null(v) && !fg_parse_date(json_string_value(v), &day))
        return fg_fail(err, FG_EINVAL, "request %s: field start must be a date or null", id);
    v = json_object_get(r, "note");
    if (v && !json_is_null(v) &&
        (!json_is_string(v) ||
         check_text("note", json_string_value(v), MAX_NOTE, err) != FG_OK))
        return fg_fail(err, FG_EINVAL, "request %s: field note must be text of at most %d "
                                       "bytes, or null",
                       id, MAX_NOTE);
    v = json_object_get(quote, "amount_pence");
    if (!json_is_integer(v) || json_integer_value(v) < 0 || !str_field(quote, "currency") ||
        strlen(str_field(quote, "currency")) != 3)
        return fg_fail(err, FG_EINVAL, "request %s: field quote must be {amount_pence, "
                                       "currency}",
                       id);
    if (!json_is_array(history) || json_array_size(history) == 0 ||
        json_array_size(history) > 100)
        return fg_fail(err, FG_EINVAL, "request %s: field history must list 1-100 moves", id);
    json_array_foreach(history, i, e) {
        const char *es = str_field(e, "status"), *reason = str_field(e, "reason");
        const json_t *person = json_object_get(e, "person");
        bool known = false;
        for (const char *const *n = status_names; es && *n; n++)
            known = known || strcmp(*n, es) == 0;
        if (!known || !fg_valid_timestamp(str_field(e, "at")) ||
            !fg_valid_ods(str_field(e, "by")) ||
            (json_object_get(e, "reason") && !json_is_null(json_object_get(e, "reason")) &&
             (!reason || check_text("reason", reason, MAX_REASON, NULL) != FG_OK)) ||
            (person && !json_is_null(person) &&
             !fg_valid_email(json_string_value(person))) ||
            (i == 0) != (strcmp(es, "submitted") == 0))
            return fg_fail(err, FG_EINVAL, "request %s: history[%zu] is not a valid move",
                           id, i);
    }
    if (strcmp(str_field(json_array_get(history, 0), "by"), str_field(requester, "ods")) != 0)
        return fg_fail(err, FG_EINVAL, "request %s: the requester must submit it", id);
    if (!status || strcmp(status, str_field(json_array_get(history, json_array_size(history) - 1),
                                            "status")) != 0)
        return fg_fail(err, FG_EINVAL, "request %s: field status must be its last move's", id);
    v = json_object_get(r, "rev");
    if (!json_is_integer(v) || (size_t)json_integer_value(v) != json_array_size(history))
        return fg_fail(err, FG_EINVAL, "request %s: field rev must equal the number of moves",
                       id);
    if (!fg_valid_timestamp(str_field(r, "created_at")) ||
        !fg_valid_timestamp(str_field(r, "updated_at")))
        return fg_fail(err, FG_EINVAL, "request %s: created_at and updated_at must be UTC "
                                       "time stamps",
                       id);
    return FG_OK;
}

static const char sql_upsert_request[] =
    "INSERT INTO request(id, offering_id, provider_ods, requester_ods, contact, quantity,"
    " start, note, status, quote_pence, currency, rev, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    /* A request already here takes every field of the version stored
       (a pulled one is the hub's, which is the authority). */
    " ON CONFLICT(id) DO UPDATE SET offering_id = excluded.offering_id,"
    " provider_ods = excluded.provider_ods, requester_ods = excluded.requester_ods,"
    " contact = excluded.contact, quantity = excluded.quantity, start = excluded.start,"
    " note = excluded.note, status = excluded.status, quote_pence = excluded.quote_pence,"
    " currency = excluded.currency, rev = excluded.rev, created_at = excluded.created_at,"
    " updated_at = excluded.updated_at";
static const char sql_put_event[] =
    "INSERT OR REPLACE INTO request_event(request, seq, status, at, by_ods, reason, person)"
    " SELECT rowid, ?2, ?3, ?4, ?5, ?6, ?7 FROM request WHERE id = ?1";
static const char sql_trim_events[] =
    "DELETE FROM request_event WHERE seq > ?2"
    " AND request = (SELECT rowid FROM request WHERE id = ?1)";

fg_status cat_request_store_locked(cat_catalog *cat, const json_t *r, size_t first_event,
                                   fg_error *err)
{
    const json_t *history = json_object_get(r, "history"), *e;
    const json_t *requester = json_object_get(r, "requester");
    const json_t *start = json_object_get(r, "start"), *note = json_object_get(r, "note");
    const json_t *contact = json_object_get(requester, "contact");
    const char *id = str_field(r, "id");
    sqlite3_stmt *st;
    size_t i;
    int rc;

    if (!(st = cat_stmt(cat, sql_upsert_request, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, str_field(r, "offering_id"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, str_field(json_object_get(r, "provider"), "ods"), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 4, str_field(requester, "ods"), -1, SQLITE_STATIC);
    bind_opt(st, 5, json_string_value(contact));
    sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(r, "quantity")));
    bind_opt(st, 7, json_string_value(start));
    bind_opt(st, 8, json_string_value(note));
    sqlite3_bind_text(st, 9, str_field(r, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10,
                       json_integer_value(json_object_get(json_object_get(r, "quote"),
                                                          "amount_pence")));
    sqlite3_bind_text(st, 11, str_field(json_object_get(r, "quote"), "currency"), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, json_integer_value(json_object_get(r, "rev")));
    sqlite3_bind_text(st, 13, str_field(r, "created_at"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, str_field(r, "updated_at"), -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "storing a request");
    json_array_foreach(history, i, e) {
        if (i < first_event)
            continue;
        if (!(st = cat_stmt(cat, sql_put_event, err)))
            return FG_EDB;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
        sqlite3_bind_text(st, 3, str_field(e, "status"), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, str_field(e, "at"), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, str_field(e, "by"), -1, SQLITE_STATIC);
        bind_opt(st, 6, str_field(e, "reason"));
        bind_opt(st, 7, str_field(e, "person"));
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return cat_db_fail(cat, err, "storing request history");
    }
    if (!(st = cat_stmt(cat, sql_trim_events, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)json_array_size(history));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "storing request history");
}
