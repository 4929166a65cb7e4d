/*
 * Notifications: the queue of e-mails that requests' moves send to the
 * people of this catalogue (docs/notifications.md).  Messages are made
 * and queued in the move's own transaction; the hub's sender
 * (hub/notify.c) takes the due ones, sends them without holding a
 * transaction, and records each outcome here.  Nothing is ever deleted.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util.h"

static const char sql_any_person[] = "SELECT EXISTS (SELECT 1 FROM person)";
/* The request, its offering and its latest move; the submitter is the
   person of the first move. */
static const char sql_move[] =
    "SELECT r.offering_id, coalesce(o.title, r.offering_id),"
    " coalesce(t.provider_name, r.provider_ods), r.provider_ods, r.requester_ods,"
    " r.quantity, e.status, e.by_ods, e.person, e.reason,"
    " (SELECT f.person FROM request_event f WHERE f.request = r.rowid AND f.seq = 1)"
    " FROM request r JOIN request_event e ON e.request = r.rowid"
    " LEFT JOIN offering o ON o.id = r.offering_id"
    " LEFT JOIN offering_text t ON t.rowid = o.rowid"
    " WHERE r.id = ?1 ORDER BY e.seq DESC LIMIT 1";
static const char sql_recipients[] =
    "SELECT email FROM person"
    " WHERE (?3 AND ods = ?1 AND role IN ('approver', 'admin')) OR (?4 AND email = ?2)"
    " ORDER BY email";
static const char sql_insert[] =
    "INSERT INTO notification(request, event, recipient, subject, body, created_at, next_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char sql_due[] =
    "SELECT id, recipient, subject, body, attempts FROM notification"
    " WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_at <= ?1"
    " ORDER BY next_at, id LIMIT ?2";
static const char sql_sent[] =
    "UPDATE notification SET sent_at = ?2, last_error = NULL WHERE id = ?1";
static const char sql_failed[] =
    "UPDATE notification SET attempts = attempts + 1, last_error = ?2,"
    " next_at = ?3,"
    " gave_up_at = CASE WHEN CAST(strftime('%s', ?4) AS INTEGER)"
    "                        - CAST(strftime('%s', created_at) AS INTEGER) >= ?5"
    "                   THEN ?4 END"
    " WHERE id = ?1";
static const char sql_attempts[] = "SELECT attempts FROM notification WHERE id = ?1";
static const char sql_counts[] =
    "SELECT count(*) FILTER (WHERE sent_at IS NULL AND gave_up_at IS NULL AND attempts = 0),"
    " count(*) FILTER (WHERE sent_at IS NULL AND gave_up_at IS NULL AND attempts > 0),"
    " count(*) FILTER (WHERE sent_at IS NOT NULL),"
    " count(*) FILTER (WHERE gave_up_at IS NOT NULL)"
    " FROM notification";
static const char sql_problems[] =
    "SELECT id, request, event, recipient, attempts, next_at, last_error, created_at,"
    " gave_up_at IS NOT NULL FROM notification"
    " WHERE sent_at IS NULL AND (attempts > 0 OR gave_up_at IS NOT NULL)"
    " ORDER BY id LIMIT 200";
static const char sql_retry[] =
    "UPDATE notification SET next_at = ?1, gave_up_at = NULL"
    " WHERE sent_at IS NULL AND (attempts > 0 OR gave_up_at IS NOT NULL)";

/* A new string formatted as printf; aborts on OOM like fg_xmalloc. */
static char *format_new(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format_new(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = fg_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* The columns of sql_move, borrowed from the statement's current row. */
typedef struct move_row {
    const char *offering_id, *title, *provider_name, *provider, *requester, *status, *by,
        *person, *reason, *submitter;
    int64_t quantity;
} move_row;

/* The message's body: what moved, between whom, and where to see it. */
static char *make_body(const char *id, const move_row *m, const char *hub_url)
{
    char *reason = m->reason ? format_new("Reason: %s\n", m->reason) : fg_strdup("");
    char *by = m->person ? format_new("%s (%s)", m->by, m->person) : fg_strdup(m->by);
    char *link = hub_url ? format_new("See the request: %s/requests/%s\n", hub_url, id)
                         : fg_strdup("The hub's address is not configured here, so this "
                                     "message has no link:\nfind the request by its id on "
                                     "the hub's pages or with `fgcat request show`.\n");
    char *body = format_new(
        "Request %s is now %s.\n"
        "\n"
        "Offering: %s (%s)\n"
        "Provider: %s (%s)\n"
        "Requester: %s\n"
        "Quantity: %lld\n"
        "Status: %s\n"
        "%s"
        "By: %s\n"
        "\n"
        "%s"
        "\n"
        "You receive this as a person of your organisation on this fgcat hub.\n",
        id, m->status, m->title, m->offering_id, m->provider_name, m->provider, m->requester,
        (long long)m->quantity, m->status, reason, by, link);
    free(reason);
    free(by);
    free(link);
    return body;
}

/* Queues one message per recipient of the row's move. */
static fg_status queue_move(cat_catalog *cat, const char *id, const move_row *m,
                            fg_error *err)
{
    sqlite3_stmt *rs = cat_stmt(cat, sql_recipients, err), *ins;
    bool submitted = strcmp(m->status, "submitted") == 0;
    bool cancelled = strcmp(m->status, "cancelled") == 0;
    char *hub_url = NULL, *subject = NULL, *body = NULL, now[FG_TIMESTAMP_SIZE];
    fg_status st;
    int rc;

    if (!rs || !(ins = cat_stmt(cat, sql_insert, err)))
        return FG_EDB;
    if ((st = cat_meta_get(cat, CAT_SETTING_HUB_URL, &hub_url, err)) != FG_OK)
        return st;
    subject = format_new("Request for %s: %s", m->title, m->status);
    body = make_body(id, m, hub_url);
    fg_now_iso(now);
    sqlite3_bind_text(rs, 1, m->provider, -1, SQLITE_STATIC);
    if (m->submitter)
        sqlite3_bind_text(rs, 2, m->submitter, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(rs, 2);
    sqlite3_bind_int(rs, 3, submitted || cancelled);
    sqlite3_bind_int(rs, 4, !submitted);
    while ((rc = sqlite3_step(rs)) == SQLITE_ROW) {
        sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, m->status, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, (const char *)sqlite3_column_text(rs, 0), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, subject, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_reset(ins);
            rc = SQLITE_ERROR;
            break;
        }
        sqlite3_reset(ins);
    }
    st = rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "queueing notifications");
    sqlite3_reset(rs);
    free(hub_url);
    free(subject);
    free(body);
    return st;
}

fg_status cat_notify_queue_locked(cat_catalog *cat, const char *id, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_any_person, err);
    move_row m;
    fg_status s;
    int rc;

    if (!st)
        return FG_EDB;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return cat_db_fail(cat, err, "reading people");
    }
    rc = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (!rc)
        return FG_OK; /* no people here: nobody to tell (an ordinary node) */
    if (!(st = cat_stmt(cat, sql_move, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "reading a request's move");
    }
#define COL(i) ((const char *)sqlite3_column_text(st, i))
    m = (move_row){.offering_id = COL(0),
                   .title = COL(1),
                   .provider_name = COL(2),
                   .provider = COL(3),
                   .requester = COL(4),
                   .quantity = sqlite3_column_int64(st, 5),
                   .status = COL(6),
                   .by = COL(7),
                   .person = COL(8),
                   .reason = COL(9),
                   .submitter = COL(10)};
#undef COL
    s = queue_move(cat, id, &m, err);
    sqlite3_reset(st);
    return s;
}

fg_status cat_notify_due(cat_catalog *cat, const char *now, int limit, json_t **out,
                         fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_due, err);
    int rc;

    *out = NULL;
    if (!st)
        return FG_EDB;
    *out = json_array();
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            *out, json_pack("{sI ss ss ss sI}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                            "recipient", (const char *)sqlite3_column_text(st, 1), "subject",
                            (const char *)sqlite3_column_text(st, 2), "body",
                            (const char *)sqlite3_column_text(st, 3), "attempts",
                            (json_int_t)sqlite3_column_int64(st, 4)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "reading due notifications");
    }
    return FG_OK;
}

/* Runs the prepared, bound statement `st` (borrowed) as one write in its
   own transaction. */
static fg_status write_one(cat_catalog *cat, sqlite3_stmt *st, const char *what, fg_error *err)
{
    fg_status s;
    int rc;

    if ((s = cat_begin(cat, err)) != FG_OK) {
        sqlite3_reset(st);
        return s;
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        s = cat_db_fail(cat, err, what);
        cat_rollback(cat);
        return s;
    }
    return cat_commit(cat, err);
}

fg_status cat_notify_sent(cat_catalog *cat, int64_t id, const char *now, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_sent, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    return write_one(cat, st, "recording a sent notification", err);
}

fg_status cat_notify_failed(cat_catalog *cat, int64_t id, const char *why, int64_t now,
                            const cat_notify_backoff *b, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_attempts, err);
    char at[FG_TIMESTAMP_SIZE], next[FG_TIMESTAMP_SIZE];
    int64_t attempts = 0, wait = b->first_s > 0 ? b->first_s : 1;
    int rc;

    if (!st)
        return FG_EDB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        attempts = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading a notification");
    /* The wait doubles with each attempt already made, up to max_s. */
    for (int64_t i = 0; i < attempts && wait < b->max_s; i++)
        wait *= 2;
    if (wait > b->max_s)
        wait = b->max_s;
    fg_time_iso(now, at);
    fg_time_iso(now + wait, next);
    if (!(st = cat_stmt(cat, sql_failed, err)))
        return FG_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, next, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, b->give_up_s);
    return write_one(cat, st, "recording a failed notification", err);
}

fg_status cat_notify_status(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_counts, err);
    json_t *problems;
    char *hub_url = NULL;
    fg_status s;
    int rc;

    *out = NULL;
    if (!st)
        return FG_EDB;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cat_db_fail(cat, err, "counting notifications");
    }
    *out = json_pack("{sI sI sI sI}", "queued", (json_int_t)sqlite3_column_int64(st, 0),
                     "failing", (json_int_t)sqlite3_column_int64(st, 1), "sent",
                     (json_int_t)sqlite3_column_int64(st, 2), "given_up",
                     (json_int_t)sqlite3_column_int64(st, 3));
    sqlite3_reset(st);
    if ((s = cat_meta_get(cat, CAT_SETTING_HUB_URL, &hub_url, err)) != FG_OK)
        goto fail;
    json_object_set_new(*out, "hub_url", hub_url ? json_string(hub_url) : json_null());
    free(hub_url);
    if (!(st = cat_stmt(cat, sql_problems, err))) {
        s = FG_EDB;
        goto fail;
    }
    problems = json_array();
    json_object_set_new(*out, "problems", problems);
#define COL(i) ((const char *)sqlite3_column_text(st, i))
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            problems,
            json_pack("{sI ss ss ss sI ss ss? ss ss}", "id",
                      (json_int_t)sqlite3_column_int64(st, 0), "request", COL(1), "event",
                      COL(2), "recipient", COL(3), "attempts",
                      (json_int_t)sqlite3_column_int64(st, 4), "next_at", COL(5), "last_error",
                      COL(6), "created_at", COL(7), "state",
                      sqlite3_column_int(st, 8) ? "given up" : "failing"));
#undef COL
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        s = cat_db_fail(cat, err, "reading failing notifications");
        goto fail;
    }
    return FG_OK;
fail:
    json_decref(*out);
    *out = NULL;
    return s;
}

fg_status cat_notify_retry(cat_catalog *cat, const char *now, int *count, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_retry, err);
    fg_status s;

    *count = 0;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    if ((s = write_one(cat, st, "retrying notifications", err)) == FG_OK)
        *count = sqlite3_changes(cat_db(cat));
    return s;
}
