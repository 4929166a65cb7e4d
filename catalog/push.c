/*
 * The hub's side of push (docs/sync-protocol.md): applying a batch of
 * pushed items for one organisation, each in its own transaction with its
 * own result, and remembering answers by idempotency key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define MAX_PUSH_ITEMS 1000
#define IDEMPOTENCY_HOURS 24

static const char sql_offering_rev[] = "SELECT rev FROM offering WHERE id = ?1";
static const char sql_request_rev[] = "SELECT rev FROM request WHERE id = ?1";
static const char sql_idem_get[] =
    "SELECT response FROM idempotency WHERE ods = ?1 AND key = ?2";
static const char sql_idem_put[] =
    "INSERT OR IGNORE INTO idempotency(ods, key, response, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char sql_idem_purge[] = "DELETE FROM idempotency WHERE created_at < ?1";

/* The stored rev of a record, 0 when absent. */
static int64_t stored_rev(cat_catalog *cat, const char *sql, const char *id)
{
    sqlite3_stmt *st = cat_stmt(cat, sql, NULL);
    int64_t rev = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        rev = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rev;
}

static json_t *result(const char *kind, const char *id, const char *status, int64_t rev,
                      const char *reason)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:I}", "kind", kind, "id", id ? id : "", "status",
                          status, "rev", (json_int_t)rev);
    if (reason && *reason)
        json_object_set_new(r, "reason", json_string(reason));
    return r;
}

/* The item status for a failed apply: a refusal of the rules is a
   conflict, a permission problem forbidden, bad input invalid, the
   failure of the area's plugin on the hub unavailable. */
static const char *status_for(fg_status st)
{
    switch (st) {
    case FG_EPLUGIN:
        return "unavailable";
    case FG_EPERM:
        return "forbidden";
    case FG_EINVAL:
        return "invalid";
    default:
        return "conflict";
    }
}

/* Logs an item the hub could not check because its area's plugin failed
   here (crashed, overran): the item's answer says so too. */
static void log_plugin_failure(const char *org, const char *kind, const char *id,
                               const char *why)
{
    fg_log(FG_LOG_WARN, "hub: push by %s: %s %.100s answered unavailable: %s", org, kind,
           id ? id : "", why);
}

/* Whether an offering id is one of `org`'s ("ORG/slug"). */
static bool org_owns_id(const char *id, const char *org)
{
    size_t n = strlen(org);
    return id && strncmp(id, org, n) == 0 && id[n] == '/';
}

/*
 * The checks of a pushed offering before its transaction, with its area's
 * plugin when `rt` is given: NULL when it passed (*content and *meta are
 * then set), otherwise its result.
 */
static json_t *offering_precheck(cat_catalog *cat, const rt_runtime *rt, const char *org,
                                 const json_t *record, const char *id, json_t **content,
                                 cat_meta *meta)
{
    const char *claimed = json_string_value(json_object_get(json_object_get(record, "provider"),
                                                            "ods"));
    rt_plugin *owner;
    fg_error e;

    *content = NULL;
    memset(meta, 0, sizeof *meta);
    /* Whose it claims to be comes first: another organisation's offering
       is forbidden, whatever else is wrong with it. */
    if ((claimed && strcmp(claimed, org) != 0) || (id && strchr(id, '/') && !org_owns_id(id, org)))
        return result("offering", id, "forbidden", stored_rev(cat, sql_offering_rev, id),
                      "an offering is written only by its provider's node");
    if (cat_offering_normalize(record, "", content, meta, &e) != FG_OK)
        return result("offering", id, "invalid", stored_rev(cat, sql_offering_rev, id), e.msg);
    if (strcmp(json_string_value(json_object_get(json_object_get(*content, "provider"), "ods")),
               org) != 0)
        return result("offering", id, "forbidden", stored_rev(cat, sql_offering_rev, id),
                      "an offering is written only by its provider's node");
    if (meta->rev < 1)
        return result("offering", id, "invalid", stored_rev(cat, sql_offering_rev, id),
                      "a pushed offering must carry its rev");
    owner = rt ? rt_area_owner(rt, json_string_value(json_object_get(*content, "area"))) : NULL;
    if (owner && cat_offering_check_area(rt, *content, "", &e) != FG_OK) {
        if (e.status == FG_EPLUGIN)
            log_plugin_failure(org, "offering", id, e.msg);
        return result("offering", id, e.status == FG_EPLUGIN ? "unavailable" : "invalid",
                      stored_rev(cat, sql_offering_rev, id), e.msg);
    }
    return NULL;
}

/* The id a pushed item names, or NULL. */
static const char *item_id(const json_t *item)
{
    const json_t *record = json_object_get(item, "record");
    return json_string_value(json_object_get(json_is_object(record) ? record : item, "id"));
}

/*
 * Applies a pushed offering.  `check` is what cat_push_check found for it
 * (its result, or true when it passed), or NULL to check it here, plugin
 * included.
 */
static json_t *push_offering(cat_catalog *cat, const rt_runtime *rt, const char *org,
                             const json_t *item, const json_t *check, fg_error *err,
                             fg_status *fatal)
{
    const json_t *record = json_object_get(item, "record");
    const char *id = item_id(item);
    json_t *content = NULL, *res;
    cat_meta meta;
    cat_put_result put;
    char origin[16];
    fg_error e;
    fg_status st;

    if (!id)
        return result("offering", "", "invalid", 0, "the item names no offering id");
    if (json_is_true(json_object_get(item, "deleted"))) {
        bool deleted = false;
        if (!org_owns_id(id, org))
            return result("offering", id, "forbidden", stored_rev(cat, sql_offering_rev, id),
                          "only the provider's node may delete its offerings");
        if ((st = cat_begin(cat, err)) != FG_OK ||
            (st = cat_offering_delete_locked(cat, id, &deleted, err)) != FG_OK ||
            (st = cat_commit(cat, err)) != FG_OK) {
            cat_rollback(cat);
            *fatal = st;
            return NULL;
        }
        return result("offering", id, deleted ? "ok" : "unchanged", 0, NULL);
    }
    if (json_is_object(check))
        return json_deep_copy(check);
    /* Checked before (the plugin included): the checks again, without it. */
    if ((res = offering_precheck(cat, check ? NULL : rt, org, record, id, &content, &meta)))
        goto out;
    snprintf(origin, sizeof origin, "push:%s", org);
    if ((st = cat_begin(cat, err)) != FG_OK) {
        *fatal = st;
        res = NULL;
        goto out;
    }
    st = cat_offering_put(cat, content, &meta, origin, &put, &e);
    if (st == FG_ECONFLICT) {
        cat_rollback(cat);
        res = result("offering", id, "conflict", stored_rev(cat, sql_offering_rev, id), e.msg);
        goto out;
    }
    if (st != FG_OK || (st = cat_commit(cat, &e)) != FG_OK) {
        cat_rollback(cat);
        if (err)
            *err = e;
        *fatal = st;
        res = NULL;
        goto out;
    }
    res = result("offering", id, put == CAT_PUT_UNCHANGED ? "unchanged" : "ok", meta.rev,
                 NULL);
out:
    json_decref(content);
    return res;
}

/* A request's fields fixed once it is submitted: a push may add moves to
   a request, never change these. */
static const char *const fixed_fields[][2] = {
    {"offering_id", NULL},   {"provider", "ods"}, {"requester", "ods"},
    {"requester", "contact"}, {"quantity", NULL}, {"start", NULL},
    {"note", NULL},          {"quote", "amount_pence"}, {"quote", "currency"},
};

/* A field of a request, or a member of one of its objects (NULL when absent). */
static const json_t *field_of(const json_t *r, const char *const path[2])
{
    const json_t *v = json_object_get(r, path[0]);
    return path[1] ? json_object_get(v, path[1]) : v;
}

/* Whether two values are the same, an absent one being null. */
static bool same_value(const json_t *a, const json_t *b)
{
    bool a_null = !a || json_typeof(a) == JSON_NULL;
    bool b_null = !b || json_typeof(b) == JSON_NULL;
    if (a_null || b_null)
        return a_null == b_null;
    return json_equal(a, b);
}

/* Two history entries are the same move: the same status, by the same
   organisation, with the same reason (or none).  Its time is the hub's
   (stamp_move), not part of what the client says. */
static bool same_move(const json_t *a, const json_t *b)
{
    static const char *const keys[] = {"status", "by"};
    for (size_t i = 0; i < 2; i++) {
        const char *x = json_string_value(json_object_get(a, keys[i]));
        const char *y = json_string_value(json_object_get(b, keys[i]));
        if (!x || !y || strcmp(x, y) != 0)
            return false;
    }
    return same_value(json_object_get(a, "reason"), json_object_get(b, "reason")) &&
           same_value(json_object_get(a, "person"), json_object_get(b, "person"));
}

/* The first fixed field (written "a" or "a.b" into `name`) in which a
   pushed request differs from the hub's; false when none does. */
static bool fixed_field_differs(const json_t *hub, const json_t *pushed, char *name,
                                size_t size)
{
    for (size_t i = 0; i < sizeof fixed_fields / sizeof *fixed_fields; i++) {
        if (!same_value(field_of(hub, fixed_fields[i]), field_of(pushed, fixed_fields[i]))) {
            snprintf(name, size, "%s%s%s", fixed_fields[i][0], fixed_fields[i][1] ? "." : "",
                     fixed_fields[i][1] ? fixed_fields[i][1] : "");
            return true;
        }
    }
    return false;
}

/*
 * A new request pushed by its requester: the offering must be here and
 * active, and when this hub has the area's plugin it must agree with the
 * request and its quote.  Stores the submission (the first move) only.
 */
/*
 * Checks a new request pushed by its requester's node against the hub's
 * offering and has the area's plugin quote it again: the hub stores only
 * what its own plugin would quote.  Runs before the push's transaction, so
 * that no plugin runs while the hub holds a write transaction.
 */
static fg_status check_pushed(cat_catalog *cat, const rt_runtime *rt, const json_t *r,
                              fg_error *err)
{
    const char *offering_id = json_string_value(json_object_get(r, "offering_id"));
    json_t *offering = NULL;
    rt_plugin *owner;
    fg_status st;

    if ((st = cat_offering_get(cat, offering_id, &offering, err)) != FG_OK)
        return st == FG_ENOTFOUND ? fg_fail(err, FG_EREFUSED, "offering %s is not on this hub",
                                            offering_id)
                                  : st;
    if (strcmp(json_string_value(json_object_get(offering, "status")), "active") != 0) {
        st = fg_fail(err, FG_EREFUSED, "offering %s is withdrawn; it takes no new requests",
                     offering_id);
        goto out;
    }
    if (strcmp(json_string_value(json_object_get(json_object_get(offering, "provider"), "ods")),
               json_string_value(json_object_get(json_object_get(r, "provider"), "ods"))) != 0) {
        st = fg_fail(err, FG_EINVAL, "field provider.ods is not the offering's provider");
        goto out;
    }
    owner = rt ? rt_area_owner(rt, json_string_value(json_object_get(offering, "area"))) : NULL;
    if (owner) {
        const json_t *requester = json_object_get(r, "requester");
        rt_request rq = {
            .requester_ods = json_string_value(json_object_get(requester, "ods")),
            .contact = json_string_value(json_object_get(requester, "contact")),
            .quantity = json_integer_value(json_object_get(r, "quantity")),
            .start = json_string_value(json_object_get(r, "start")),
            .note = json_string_value(json_object_get(r, "note")),
        };
        int64_t amount;
        char currency[4];
        fg_error e;
        const json_t *quote = json_object_get(r, "quote");
        if ((st = rt_quote(owner, offering, &rq, &amount, currency, &e)) != FG_OK) {
            /* A plugin that failed (crash, overrun) says so itself. */
            if (st == FG_EPLUGIN)
                st = fg_fail(err, st, "%s", e.msg);
            else
                st = fg_fail(err, st, "refused by the %s plugin: %s", owner->name, e.msg);
            goto out;
        }
        if (amount != json_integer_value(json_object_get(quote, "amount_pence")) ||
            strcmp(currency, json_string_value(json_object_get(quote, "currency"))) != 0) {
            st = fg_fail(err, FG_EINVAL, "quote %lld %s differs from this hub's %lld %s",
                         (long long)json_integer_value(json_object_get(quote, "amount_pence")),
                         json_string_value(json_object_get(quote, "currency")),
                         (long long)amount, currency);
            goto out;
        }
    }
out:
    json_decref(offering);
    return st;
}

/* The time of a move the hub applies: its own clock's, but never before
   the request's previous move (`last`, when there is one), so that a
   request's times only grow, even when the clock steps back. */
static void stamp_move(char at[FG_TIMESTAMP_SIZE], const char *last)
{
    fg_now_iso(at);
    if (last && strlen(last) == FG_TIMESTAMP_SIZE - 1 && strcmp(at, last) < 0)
        memcpy(at, last, FG_TIMESTAMP_SIZE);
}

/* Stores a new request that check_pushed passed, in the open transaction:
   the submission alone, at the hub's time (`at`); later moves are applied
   as moves. */
static fg_status create_pushed(cat_catalog *cat, const json_t *r, const char *at,
                               fg_error *err)
{
    json_t *first = json_deep_copy(r);
    json_t *submitted = json_deep_copy(json_array_get(json_object_get(r, "history"), 0));
    fg_status st;

    json_object_set_new(submitted, "at", json_string(at));
    json_object_set_new(first, "history", json_pack("[o]", submitted));
    json_object_set_new(first, "status", json_string("submitted"));
    json_object_set_new(first, "rev", json_integer(1));
    json_object_set_new(first, "created_at", json_string(at));
    json_object_set_new(first, "updated_at", json_string(at));
    st = cat_request_store_locked(cat, first, 0, err);
    json_decref(first);
    /* The submission's e-mails commit with it (notify.c). */
    return st == FG_OK ? cat_notify_queue_locked(cat, json_string_value(json_object_get(r, "id")),
                                                 err)
                       : st;
}

/* A pushed request holds the fields of the request format only, as a
   pushed offering does. */
static bool request_fields_known(const json_t *r, fg_error *err)
{
    static const char *const top[] = {"id",     "offering_id", "provider",   "requester",
                                      "quantity", "start",     "note",       "status",
                                      "quote",  "rev",         "history",    "created_at",
                                      "updated_at", NULL};
    static const char *const provider[] = {"ods", NULL};
    static const char *const requester[] = {"ods", "contact", NULL};
    static const char *const quote[] = {"amount_pence", "currency", NULL};
    static const char *const move[] = {"status", "at", "by", "person", "reason", NULL};
    const char *id = json_string_value(json_object_get(r, "id"));
    const json_t *history = json_object_get(r, "history"), *m;
    size_t i;
    char where[64], prefix[32];

    /* The id is named only when it can be shown on one line. */
    snprintf(where, sizeof where, "request%s%.40s", id && !fg_has_control(id, false) ? " " : "",
             id && !fg_has_control(id, false) ? id : "");
    if (cat_no_unknown_keys(r, top, where, "", err) != FG_OK ||
        cat_no_unknown_keys(json_object_get(r, "provider"), provider, where, "provider.",
                            err) != FG_OK ||
        cat_no_unknown_keys(json_object_get(r, "requester"), requester, where, "requester.",
                            err) != FG_OK ||
        cat_no_unknown_keys(json_object_get(r, "quote"), quote, where, "quote.", err) != FG_OK)
        return false;
    json_array_foreach(history, i, m) {
        snprintf(prefix, sizeof prefix, "history[%zu].", i);
        if (cat_no_unknown_keys(m, move, where, prefix, err) != FG_OK)
            return false;
    }
    return true;
}

/*
 * The checks of a pushed request before its transaction: NULL when it
 * passed, otherwise its result (NULL too, with *fatal set, when the
 * catalogue failed).  A new request of the requester's node is checked
 * and quoted by its area's plugin here (*checked then says so).
 */
static json_t *request_precheck(cat_catalog *cat, const rt_runtime *rt, const char *org,
                                const json_t *item, bool *checked, fg_error *err,
                                fg_status *fatal)
{
    const json_t *r = json_object_get(item, "record");
    const char *id = json_string_value(json_object_get(r, "id"));
    const char *requester = json_string_value(json_object_get(json_object_get(r, "requester"),
                                                              "ods"));
    const char *provider = json_string_value(json_object_get(json_object_get(r, "provider"),
                                                             "ods"));
    json_t *hub = NULL;
    fg_error e;
    fg_status st;

    *checked = false;
    /* A request of two other organisations is forbidden, whatever else is
       wrong with it. */
    if (requester && provider && strcmp(org, requester) != 0 && strcmp(org, provider) != 0)
        return result("request", id, "forbidden", 0,
                      "only its requester's and its provider's nodes may push a request");
    if (!request_fields_known(r, &e) || cat_request_check(r, &e) != FG_OK)
        return result("request", id, "invalid", id ? stored_rev(cat, sql_request_rev, id) : 0,
                      e.msg);
    if (requester && strcmp(org, requester) == 0 &&
        cat_request_get(cat, id, &hub, &e) == FG_ENOTFOUND) {
        if ((st = check_pushed(cat, rt, r, &e)) != FG_OK) {
            if (st == FG_EDB || st == FG_ENOMEM || st == FG_EIO) {
                if (err)
                    *err = e;
                *fatal = st;
                return NULL;
            }
            if (st == FG_EPLUGIN)
                log_plugin_failure(org, "request", id, e.msg);
            return result("request", id, status_for(st), 0, e.msg);
        }
        *checked = true;
    }
    json_decref(hub);
    return NULL;
}

/*
 * Applies a pushed request.  `check` is what cat_push_check found for it
 * (its result; true when a new request passed its plugin; false when it
 * needed no plugin), or NULL to check it here, plugin included.
 */
static json_t *push_request(cat_catalog *cat, const rt_runtime *rt, const char *org,
                            const json_t *item, const json_t *check, fg_error *err,
                            fg_status *fatal)
{
    const json_t *r = json_object_get(item, "record");
    const char *id = json_string_value(json_object_get(r, "id"));
    const char *requester = json_string_value(json_object_get(json_object_get(r, "requester"),
                                                              "ods"));
    const json_t *pushed = json_object_get(r, "history");
    json_t *hub = NULL, *res = NULL;
    size_t have = 0, reached = 0; /* moves the hub had, moves applied now */
    char at[FG_TIMESTAMP_SIZE], last[FG_TIMESTAMP_SIZE] = ""; /* the hub's times */
    bool checked = false;
    fg_error e;
    fg_status st;

    if (json_is_object(check))
        return json_deep_copy(check);
    /* A new request is quoted by the area's plugin first, outside the
       transaction: here, or before the hub's lock (cat_push_check). */
    if ((res = request_precheck(cat, check ? NULL : rt, org, item, &checked, err, fatal)) ||
        *fatal != FG_OK)
        return res;
    if (check)
        checked = json_is_true(check);
    json_decref(hub);
    hub = NULL;
    if ((st = cat_begin(cat, err)) != FG_OK) {
        *fatal = st;
        return NULL;
    }
    st = cat_request_get(cat, id, &hub, &e);
    if (st == FG_ENOTFOUND) {
        if (strcmp(org, requester) != 0) {
            st = fg_fail(&e, FG_EPERM, "a new request is pushed by its requester's node");
            goto refused;
        }
        /* Not checked above only when the hub could not read it then, or
           when another push stored it meanwhile; no plugin runs in the
           transaction. */
        if (!checked) {
            st = fg_fail(&e, FG_EREFUSED, "the hub could not check the new request; push it "
                                          "again");
            goto refused;
        }
        stamp_move(at, NULL);
        if ((st = cat_person_may(cat,
                                 json_string_value(json_object_get(
                                     json_array_get(pushed, 0), "person")),
                                 org, false, &e)) != FG_OK ||
            (st = create_pushed(cat, r, at, &e)) != FG_OK)
            goto refused;
        memcpy(last, at, sizeof last);
        have = reached = 1;
    } else if (st != FG_OK) {
        goto fatal;
    } else {
        const json_t *h = json_object_get(hub, "history");
        const char *prev = json_string_value(json_object_get(json_array_get(
                                                                  h, json_array_size(h) - 1),
                                                              "at"));
        char field[32];
        have = json_array_size(h);
        if (prev && strlen(prev) < sizeof last)
            memcpy(last, prev, strlen(prev) + 1);
        if (fixed_field_differs(hub, r, field, sizeof field)) {
            st = fg_fail(&e, FG_EREFUSED, "field %s differs from the hub's; it is fixed once "
                                          "the request is submitted",
                         field);
            goto refused;
        }
        for (size_t i = 0; i < have && i < json_array_size(pushed); i++) {
            if (!same_move(json_array_get(h, i), json_array_get(pushed, i))) {
                st = fg_fail(&e, FG_EREFUSED, "history differs from the hub's at move %zu",
                             i + 1);
                goto refused;
            }
        }
        if (json_array_size(pushed) <= have) {
            cat_rollback(cat);
            res = result("request", id, "unchanged", (int64_t)have, NULL);
            goto out;
        }
    }
    /* Moves apply in order; where one cannot, the hub keeps the ones
       before it (they stand on their own) and says how far it got. */
    for (size_t i = have; i < json_array_size(pushed); i++) {
        const json_t *m = json_array_get(pushed, i);
        const char *by = json_string_value(json_object_get(m, "by"));
        const char *to = json_string_value(json_object_get(m, "status"));
        cat_action action;
        if (strcmp(by, org) != 0) {
            st = fg_fail(&e, FG_EREFUSED, "move %zu (%s by %s) must be pushed by %s's node",
                         i + 1, to, by, by);
            goto refused;
        }
        if (!cat_action_for_status(to, &action)) {
            st = fg_fail(&e, FG_EINVAL, "move %zu has no transition to %s", i + 1, to);
            goto refused;
        }
        stamp_move(at, last[0] ? last : NULL);
        st = cat_request_move_locked(cat, id, action, org,
                                     json_string_value(json_object_get(m, "person")),
                                     json_string_value(json_object_get(m, "reason")), at, &e);
        if (st != FG_OK)
            goto refused;
        memcpy(last, at, sizeof last);
        reached = i + 1;
    }
    if ((st = cat_commit(cat, &e)) != FG_OK)
        goto fatal;
    res = result("request", id, "ok", (int64_t)json_array_size(pushed), NULL);
    goto out;
refused:
    if (st == FG_EDB || st == FG_ENOMEM || st == FG_EIO)
        goto fatal;
    if (reached > 0) {
        fg_error c;
        if (cat_commit(cat, &c) != FG_OK) {
            e = c;
            st = c.status;
            goto fatal;
        }
    } else {
        cat_rollback(cat);
    }
    res = result("request", id, status_for(st), stored_rev(cat, sql_request_rev, id), e.msg);
    goto out;
fatal:
    cat_rollback(cat);
    if (err)
        *err = e;
    *fatal = st;
out:
    json_decref(hub);
    return res;
}

/* A batch's shape, as cat_push_check and cat_push_apply take it. */
static fg_status batch_items(const json_t *body, const json_t **items, fg_error *err)
{
    *items = json_object_get(body, "items");
    if (!json_is_object(body) || !json_is_array(*items))
        return fg_fail(err, FG_EINVAL, "the body must be {\"items\": [...]}");
    if (json_array_size(*items) > MAX_PUSH_ITEMS)
        return fg_fail(err, FG_EINVAL, "at most %d items per push", MAX_PUSH_ITEMS);
    return FG_OK;
}

fg_status cat_push_check(cat_catalog *cat, const rt_runtime *rt, const char *org,
                         const json_t *body, json_t **checks, fg_error *err)
{
    const json_t *items, *item;
    size_t i;
    fg_status st;

    *checks = NULL;
    if ((st = batch_items(body, &items, err)) != FG_OK)
        return st;
    *checks = json_array();
    json_array_foreach(items, i, item) {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        const char *id = item_id(item);
        fg_status fatal = FG_OK;
        json_t *res = NULL;
        bool checked = false;

        if (kind && strcmp(kind, "offering") == 0 && id &&
            !json_is_true(json_object_get(item, "deleted"))) {
            json_t *content;
            cat_meta meta;
            res = offering_precheck(cat, rt, org, json_object_get(item, "record"), id,
                                    &content, &meta);
            json_decref(content);
            checked = true;
        } else if (kind && strcmp(kind, "request") == 0) {
            res = request_precheck(cat, rt, org, item, &checked, err, &fatal);
        }
        if (fatal != FG_OK) {
            json_decref(*checks);
            *checks = NULL;
            return fatal;
        }
        json_array_append_new(*checks, res ? res : json_boolean(checked));
    }
    return FG_OK;
}

fg_status cat_push_apply_checked(cat_catalog *cat, const rt_runtime *rt, const char *org,
                                 const json_t *body, const json_t *checks, json_t **results,
                                 fg_error *err)
{
    const json_t *items, *item;
    json_t *out;
    size_t i;
    fg_status st;

    *results = NULL;
    if ((st = batch_items(body, &items, err)) != FG_OK)
        return st;
    if (checks && json_array_size(checks) != json_array_size(items))
        return fg_fail(err, FG_EINTERNAL, "the push's checks do not match its items");
    out = json_array();
    json_array_foreach(items, i, item) {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        const json_t *check = checks ? json_array_get(checks, i) : NULL;
        fg_status fatal = FG_OK;
        json_t *r;
        if (kind && strcmp(kind, "offering") == 0)
            r = push_offering(cat, rt, org, item, check, err, &fatal);
        else if (kind && strcmp(kind, "request") == 0)
            r = push_request(cat, rt, org, item, check, err, &fatal);
        else
            r = result(kind ? kind : "", "", "invalid", 0,
                       "kind must be \"offering\" or \"request\"");
        if (fatal != FG_OK) {
            json_decref(out);
            return fatal;
        }
        json_array_append_new(out, r);
    }
    *results = json_pack("{s:o}", "results", out);
    return FG_OK;
}

fg_status cat_push_apply(cat_catalog *cat, const rt_runtime *rt, const char *org,
                         const json_t *body, json_t **results, fg_error *err)
{
    return cat_push_apply_checked(cat, rt, org, body, NULL, results, err);
}

fg_status cat_idempotent_get(cat_catalog *cat, const char *org, const char *key,
                             json_t **response, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_idem_get, err);
    int rc;
    *response = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *response = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? FG_OK
                                                 : cat_db_fail(cat, err, "reading a push");
}

fg_status cat_idempotent_put(cat_catalog *cat, const char *org, const char *key,
                             const json_t *response, fg_error *err)
{
    sqlite3_stmt *st;
    char now[FG_TIMESTAMP_SIZE], *text = json_dumps(response, JSON_COMPACT);
    int rc;
    if (!text)
        return fg_fail(err, FG_ENOMEM, "out of memory");
    fg_now_iso(now);
    if (!(st = cat_stmt(cat, sql_idem_put, err))) {
        free(text);
        return FG_EDB;
    }
    sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(text);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "recording a push");
}

fg_status cat_idempotent_purge(cat_catalog *cat, fg_error *err)
{
    sqlite3_stmt *st;
    char cutoff[FG_TIMESTAMP_SIZE];
    int rc;
    fg_time_iso((int64_t)time(NULL) - (int64_t)IDEMPOTENCY_HOURS * 3600, cutoff);
    if (!(st = cat_stmt(cat, sql_idem_purge, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "purging push records");
}
