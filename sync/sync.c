/*
 * The sync client: remotes, the state-based outbox (what changed locally
 * since the hub last agreed), push, and the paged pull with its cursor.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include "sync.h"

#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define PUSH_BATCH 200
#define MAX_ANSWER ((size_t)64 * 1024 * 1024)
#define MAX_TOKEN_FILE 512
#define MAX_PUSH_ROUNDS 100000

/* ---- SQL ------------------------------------------------------------- */

static const char sql_add_remote[] =
    "INSERT INTO remote(name, url, token_file, added_at, ca_file)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_remove_remote[] = "DELETE FROM remote WHERE name = ?1";
static const char sql_get_remote[] =
    "SELECT url, token_file, org, cursor, ca_file FROM remote WHERE name = ?1";
static const char sql_list_remotes[] =
    "SELECT name, url, token_file, org, cursor, last_success, last_error, last_error_at,"
    " ca_file FROM remote ORDER BY name";
static const char sql_set_org[] = "UPDATE remote SET org = ?2 WHERE name = ?1";
static const char sql_set_cursor[] = "UPDATE remote SET cursor = ?2 WHERE name = ?1";
/* A success clears the error of an earlier run. */
static const char sql_set_success[] = "UPDATE remote SET last_success = ?2, last_error = NULL,"
                                      " last_error_at = NULL WHERE name = ?1";
static const char sql_set_error[] =
    "UPDATE remote SET last_error = ?2, last_error_at = ?3 WHERE name = ?1";

/* What to push: records the remote's organisation owns whose local rev is
   past what the hub agreed and past any rev it refused. */
#define NOT_AGREED(rev)                                                        \
    " AND (s.rev IS NULL OR " rev " > s.rev)"                                  \
    " AND (s.refused_rev IS NULL OR " rev " > s.refused_rev)"
/* A request holds something of the organisation's when it made it or made
   a move in it; one merely made to it (not yet answered) is the
   requester's to push, e.g. again after a resync. */
#define REQUEST_OF(org)                                                        \
    " (r.requester_ods = " org " OR (r.provider_ods = " org                    \
    "  AND EXISTS (SELECT 1 FROM request_event e"                              \
    "              WHERE e.request = r.rowid AND e.by_ods = " org ")))"
static const char sql_pending_offerings[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM
    " LEFT JOIN sync_state s ON s.remote = ?1 AND s.kind = 'offering' AND s.key = o.id"
    " WHERE o.provider_ods = ?2" NOT_AGREED("o.rev") " ORDER BY o.rowid LIMIT ?3";
static const char sql_pending_tombstones[] =
    "SELECT f.key FROM feed f INDEXED BY feed_tombstones"
    " WHERE f.deleted_at IS NOT NULL AND f.kind = 'offering' AND f.key LIKE ?2 || '/%'"
    "   AND EXISTS (SELECT 1 FROM sync_state s WHERE s.remote = ?1"
    "               AND s.kind = 'offering' AND s.key = f.key AND s.refused_rev IS NULL)"
    " ORDER BY f.seq LIMIT ?3";
/* A request goes to every remote whose hub carries its offering (its
   authority is the provider, not the origin of the local copy). */
static const char sql_pending_requests[] =
    "SELECT r.id FROM request r"
    " JOIN sync_carried c ON c.remote = ?1 AND c.offering = r.offering_id"
    " LEFT JOIN sync_state s ON s.remote = ?1 AND s.kind = 'request' AND s.key = r.id"
    " WHERE" REQUEST_OF("?2") NOT_AGREED("r.rev")
    " ORDER BY r.rowid LIMIT ?3";
static const char sql_count_pending[] =
    "SELECT (SELECT count(*) FROM offering o"
    "        LEFT JOIN sync_state s ON s.remote = ?1 AND s.kind = 'offering'"
    "                               AND s.key = o.id"
    "        WHERE o.provider_ods = ?2" NOT_AGREED("o.rev") ")"
    " + (SELECT count(*) FROM request r"
    "        JOIN sync_carried c ON c.remote = ?1 AND c.offering = r.offering_id"
    "        LEFT JOIN sync_state s ON s.remote = ?1 AND s.kind = 'request'"
    "                               AND s.key = r.id"
    "        WHERE" REQUEST_OF("?2") NOT_AGREED("r.rev") ")";
/* The moves of the remote's organisation in requests, by where each
   stands with that remote: the submission counts as a request, later
   moves as moves.  A move no remote carries the offering of, and that no
   hub took, is undeliverable; one only another remote carries is that
   remote's (NULL, not counted). */
static const char sql_move_states[] =
    "SELECT e.seq = 1,"
    "  CASE WHEN s.rev >= e.seq THEN 'delivered'"
    "       WHEN s.refused_rev >= e.seq THEN 'refused'"
    "       WHEN EXISTS (SELECT 1 FROM sync_carried c WHERE c.remote = ?1"
    "                    AND c.offering = r.offering_id) THEN 'waiting'"
    "       WHEN NOT EXISTS (SELECT 1 FROM sync_carried c WHERE c.offering = r.offering_id)"
    "        AND NOT EXISTS (SELECT 1 FROM sync_state a WHERE a.kind = 'request'"
    "                        AND a.key = r.id AND a.rev >= e.seq) THEN 'undeliverable'"
    "  END, count(*)"
    " FROM request_event e JOIN request r ON r.rowid = e.request"
    " LEFT JOIN sync_state s ON s.remote = ?1 AND s.kind = 'request' AND s.key = r.id"
    " WHERE e.by_ods = ?2 GROUP BY 1, 2";
/* Requests of an organisation (?1; NULL: of any remote's) with something
   to deliver that no remote's hub carries the offering of. */
static const char sql_undeliverable[] =
    "SELECT r.id, r.offering_id FROM request r"
    " WHERE (CASE WHEN ?1 IS NULL"
    "   THEN EXISTS (SELECT 1 FROM remote m WHERE m.org IS NOT NULL AND" REQUEST_OF("m.org") ")"
    "   ELSE" REQUEST_OF("?1") " END)"
    "   AND NOT EXISTS (SELECT 1 FROM sync_carried c WHERE c.offering = r.offering_id)"
    "   AND NOT EXISTS (SELECT 1 FROM sync_state s WHERE s.kind = 'request'"
    "                   AND s.key = r.id AND s.rev >= r.rev)"
    " ORDER BY r.rowid";
/* Where one request stands with each remote that carries its offering. */
static const char sql_delivery[] =
    "SELECT c.remote, CASE WHEN s.rev >= r.rev THEN 'delivered'"
    "                      WHEN s.refused_rev >= r.rev THEN 'refused' ELSE 'waiting' END,"
    "       s.rev, s.refused_status, s.refused_reason"
    " FROM request r JOIN sync_carried c ON c.offering = r.offering_id"
    " LEFT JOIN sync_state s ON s.remote = c.remote AND s.kind = 'request' AND s.key = r.id"
    " WHERE r.id = ?1 ORDER BY c.remote";
static const char sql_count_remotes[] = "SELECT count(*) FROM remote";
static const char sql_offering_of_request[] = "SELECT offering_id FROM request WHERE id = ?1";
/* Which offerings each remote's hub carries. */
static const char sql_carry[] =
    "INSERT OR IGNORE INTO sync_carried(remote, offering) VALUES (?1, ?2)";
static const char sql_uncarry[] = "DELETE FROM sync_carried WHERE remote = ?1 AND offering = ?2";
static const char sql_uncarry_unseen[] =
    "DELETE FROM sync_carried WHERE remote = ?1 AND offering NOT IN"
    " (SELECT key FROM sync_seen WHERE remote = ?1 AND kind = 'offering')";
static const char sql_refused[] =
    "SELECT kind, key, refused_rev, refused_status, refused_reason FROM sync_state"
    " WHERE remote = ?1 AND refused_rev IS NOT NULL ORDER BY kind, key";
static const char sql_agreed[] =
    "INSERT INTO sync_state(remote, kind, key, rev) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(remote, kind, key) DO UPDATE SET rev = excluded.rev,"
    " refused_rev = NULL, refused_status = NULL, refused_reason = NULL";
static const char sql_pulled[] =
    "INSERT INTO sync_state(remote, kind, key, rev) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(remote, kind, key) DO UPDATE SET rev = excluded.rev";
static const char sql_refuse[] =
    "INSERT INTO sync_state(remote, kind, key, rev, refused_rev, refused_status,"
    " refused_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT(remote, kind, key) DO UPDATE SET refused_rev = excluded.refused_rev,"
    " refused_status = excluded.refused_status, refused_reason = excluded.refused_reason,"
    " rev = CASE WHEN excluded.rev > 0 THEN excluded.rev ELSE sync_state.rev END";
static const char sql_forget[] =
    "DELETE FROM sync_state WHERE remote = ?1 AND kind = ?2 AND key = ?3";
/* Forgets what the hub was believed to have, except the deletions of this
   node's offerings still to be pushed (their tombstone needs the row). */
static const char sql_forget_all[] =
    "DELETE FROM sync_state WHERE remote = ?1 AND NOT (kind = 'offering' AND key IN"
    " (SELECT key FROM feed WHERE kind = 'offering' AND deleted_at IS NOT NULL))";
static const char sql_unrefuse[] =
    "UPDATE sync_state SET refused_rev = NULL, refused_status = NULL,"
    " refused_reason = NULL WHERE remote = ?1 AND kind = ?2 AND key = ?3";
static const char sql_agreed_of[] =
    "SELECT rev FROM sync_state WHERE remote = ?1 AND kind = ?2 AND key = ?3";
static const char sql_state_of[] =
    "SELECT refused_rev FROM sync_state WHERE remote = ?1 AND kind = ?2 AND key = ?3";
static const char sql_origin_of[] = "SELECT origin FROM offering WHERE id = ?1";
static const char sql_tombstone_of[] =
    "SELECT 1 FROM feed WHERE kind = 'offering' AND key = ?1 AND deleted_at IS NOT NULL";
static const char sql_local_request_rev[] = "SELECT rev FROM request WHERE id = ?1";
static const char sql_seen[] =
    "INSERT OR IGNORE INTO sync_seen(remote, kind, key) VALUES (?1, ?2, ?3)";
static const char sql_clear_seen[] = "DELETE FROM sync_seen WHERE remote = ?1";
static const char sql_unseen[] =
    "SELECT id FROM offering WHERE origin = 'sync:' || ?1"
    " AND id NOT IN (SELECT key FROM sync_seen WHERE remote = ?1 AND kind = 'offering')";

/* ---- small helpers ---------------------------------------------------- */

static fg_status exec_bound(cat_catalog *cat, const char *sql, const char *a, const char *b,
                            const char *c, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql, err);
    int rc;
    if (!st)
        return FG_EDB;
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    if (c)
        sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "updating sync state");
}

static fg_status set_state(cat_catalog *cat, const char *sql, const char *remote,
                           const char *kind, const char *key, int64_t rev, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql, err);
    int rc;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rev);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "updating sync state");
}

static bool valid_remote_name(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_') ||
            n >= 40)
            return false;
    return n > 0;
}

/* Reads the token from its file: the first line, trimmed.  A file others
   may read is read all the same, with a warning: the token is a secret. */
static fg_status read_token(const char *path, char *buf, size_t size, fg_error *err)
{
    FILE *f = fopen(path, "r");
    struct stat sb;
    bool shared;
    size_t n;
    if (!f)
        return fg_fail(err, FG_EIO, "cannot read token file '%s': %s", path, strerror(errno));
    shared = fstat(fileno(f), &sb) == 0 && (sb.st_mode & (S_IRGRP | S_IROTH));
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    /* A token cut short (a NUL in the file, or a file larger than any
       token) would only earn a 401 later: say what is wrong now. */
    if (n == size - 1 || memchr(buf, '\0', n))
        return fg_fail(err, FG_EINVAL, "token file '%s' is not a token (%s)", path,
                       n == size - 1 ? "too large" : "it holds a NUL byte");
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = '\0';
    n = strlen(buf);
    if (n == 0 || fg_has_control(buf, false) || strchr(buf, ' '))
        return fg_fail(err, FG_EINVAL, "token file '%s' holds no token", path);
    if (shared)
        fg_log(FG_LOG_WARN, "token file '%s' can be read by others (mode %04o); chmod 600 it",
               path, (unsigned)(sb.st_mode & 07777));
    return FG_OK;
}

/* ---- remotes ---------------------------------------------------------- */

/* The absolute form of `path` (an existing file), which stays true
   whatever directory a later sync runs in (a systemd unit runs in /).
   New, or NULL with the reason in `err`. */
static char *absolute_file(const char *what, const char *path, fg_error *err)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        fg_fail(err, FG_EIO, "cannot read %s '%s': %s", what, path, strerror(errno));
    else if (!fg_utf8_valid(abs, strlen(abs))) {
        fg_fail(err, FG_EINVAL, "the %s name must be UTF-8", what);
        free(abs);
        abs = NULL;
    }
    return abs;
}

fg_status sync_remote_add(cat_catalog *cat, const char *name, const char *url,
                          const char *token_file, const char *ca_file, fg_error *err)
{
    char token[MAX_TOKEN_FILE], now[FG_TIMESTAMP_SIZE];
    char *token_abs = NULL, *ca_abs = NULL;
    sqlite3_stmt *st;
    fg_status rc;
    int step;

    /* Remotes are shown as JSON (remote list, sync status): UTF-8 only. */
    if (!fg_utf8_valid(url, strlen(url)) || !fg_utf8_valid(token_file, strlen(token_file)))
        return fg_fail(err, FG_EINVAL, "the URL and the token file name must be UTF-8");
    if (!valid_remote_name(name))
        return fg_fail(err, FG_EINVAL, "remote name must be 1-40 characters of [a-z0-9_-], "
                                       "not '%.40s'",
                       name);
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strlen(url) > 1000 || fg_has_control(url, false) || strchr(url, ' '))
        return fg_fail(err, FG_EINVAL, "remote URL must start with http:// or https://, not "
                                       "'%.60s'",
                       url);
    if ((rc = read_token(token_file, token, sizeof token, err)) != FG_OK)
        return rc;
    memset(token, 0, sizeof token);
    if (!(token_abs = absolute_file("token file", token_file, err)))
        return err ? err->status : FG_EIO;
    if (ca_file) {
        FILE *f = fopen(ca_file, "r");
        if (!f) {
            rc = fg_fail(err, FG_EIO, "cannot read CA file '%s': %s", ca_file,
                         strerror(errno));
            goto out;
        }
        fclose(f);
        if (!(ca_abs = absolute_file("CA file", ca_file, err))) {
            rc = err ? err->status : FG_EIO;
            goto out;
        }
    }
    fg_now_iso(now);
    if (!(st = cat_stmt(cat, sql_add_remote, err))) {
        rc = FG_EDB;
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token_abs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    if (ca_abs)
        sqlite3_bind_text(st, 5, ca_abs, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY || (step & 0xff) == SQLITE_CONSTRAINT)
        rc = fg_fail(err, FG_EINVAL, "remote '%s' already exists", name);
    else
        rc = step == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "adding a remote");
out:
    free(token_abs);
    free(ca_abs);
    return rc;
}

fg_status sync_remote_remove(cat_catalog *cat, const char *name, fg_error *err)
{
    fg_status rc;
    if ((rc = cat_begin(cat, err)) != FG_OK)
        return rc;
    if ((rc = exec_bound(cat, sql_remove_remote, name, NULL, NULL, err)) != FG_OK) {
        cat_rollback(cat);
        return rc;
    }
    if (sqlite3_changes(cat_db(cat)) == 0) {
        cat_rollback(cat);
        return fg_fail(err, FG_ENOTFOUND, "no remote named '%.40s'", name);
    }
    return cat_commit(cat, err);
}

static json_t *col_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, i));
}

fg_status sync_remote_names(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_list_remotes, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    *out = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(*out, col_or_null(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "listing remotes");
    }
    return FG_OK;
}

/* Number of records waiting to be pushed to `remote` for `org`. */
static int64_t count_pending(cat_catalog *cat, const char *remote, const char *org)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_count_pending, NULL);
    int64_t n = 0;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, remote, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

/* Adds to remote entry `r` its "requests" and "moves" objects: how many
   of the organisation's submissions and later moves are waiting,
   delivered, refused and undeliverable. */
static fg_status add_move_counts(cat_catalog *cat, json_t *r, const char *name,
                                 const char *org, fg_error *err)
{
    static const char *const states[] = {"waiting", "delivered", "refused", "undeliverable"};
    sqlite3_stmt *st = cat_stmt(cat, sql_move_states, err);
    json_t *req = json_object(), *mov = json_object();
    int rc;
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        json_object_set_new(req, states[i], json_integer(0));
        json_object_set_new(mov, states[i], json_integer(0));
    }
    json_object_set_new(r, "requests", req);
    json_object_set_new(r, "moves", mov);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            json_object_set_new(sqlite3_column_int(st, 0) ? req : mov,
                                (const char *)sqlite3_column_text(st, 1),
                                json_integer(sqlite3_column_int64(st, 2)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? FG_OK : cat_db_fail(cat, err, "counting requests' moves");
}

fg_status sync_status(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_list_remotes, err);
    json_t *list, *r, *undeliverable;
    size_t i;
    fg_status fs;
    int rc;

    *out = NULL;
    if (!st)
        return FG_EDB;
    list = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
                            col_or_null(st, 0), "url", col_or_null(st, 1), "token_file",
                            col_or_null(st, 2), "org", col_or_null(st, 3), "cursor",
                            col_or_null(st, 4), "last_success", col_or_null(st, 5),
                            "last_error", col_or_null(st, 6), "last_error_at",
                            col_or_null(st, 7), "ca_file", col_or_null(st, 8)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        return cat_db_fail(cat, err, "listing remotes");
    }
    json_array_foreach(list, i, r) {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *org = json_string_value(json_object_get(r, "org"));
        json_t *refused = json_array();
        json_object_set_new(r, "pending",
                            org ? json_integer(count_pending(cat, name, org)) : json_null());
        if (!(st = cat_stmt(cat, sql_refused, err))) {
            json_decref(refused);
            json_decref(list);
            return FG_EDB;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(
                refused, json_pack("{s:o, s:o, s:I, s:o, s:o}", "kind", col_or_null(st, 0),
                                   "id", col_or_null(st, 1), "rev",
                                   (json_int_t)sqlite3_column_int64(st, 2), "status",
                                   col_or_null(st, 3), "reason", col_or_null(st, 4)));
        sqlite3_reset(st);
        json_object_set_new(r, "refused", refused);
        undeliverable = NULL;
        if (org && ((fs = add_move_counts(cat, r, name, org, err)) != FG_OK ||
                    (fs = sync_undeliverable(cat, org, &undeliverable, err)) != FG_OK)) {
            json_decref(list);
            return fs;
        }
        json_object_set_new(r, "undeliverable", undeliverable ? undeliverable : json_array());
    }
    *out = list;
    return FG_OK;
}

fg_status sync_undeliverable(cat_catalog *cat, const char *org, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_undeliverable, err);
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    if (org)
        sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    *out = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(*out, json_pack("{s:o, s:o}", "id", col_or_null(st, 0),
                                              "offering_id", col_or_null(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "listing undeliverable requests");
    }
    return FG_OK;
}

fg_status sync_request_delivery(cat_catalog *cat, const char *id, json_t **out,
                                fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_count_remotes, err);
    json_t *to;
    int64_t remotes = 0;
    int rc;

    *out = NULL;
    if (!st)
        return FG_EDB;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        remotes = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "counting remotes");
    if (!(st = cat_stmt(cat, sql_offering_of_request, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *out = json_pack("{s:I, s:o, s:[]}", "remotes", (json_int_t)remotes, "offering_id",
                     rc == SQLITE_ROW ? col_or_null(st, 0) : json_null(), "to");
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        json_decref(*out);
        *out = NULL;
        return rc == SQLITE_DONE ? fg_fail(err, FG_ENOTFOUND, "no request '%.40s'", id)
                                 : cat_db_fail(cat, err, "reading a request");
    }
    if (!(st = cat_stmt(cat, sql_delivery, err))) {
        json_decref(*out);
        *out = NULL;
        return FG_EDB;
    }
    to = json_object_get(*out, "to");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            to, json_pack("{s:o, s:o, s:I, s:o, s:o}", "remote", col_or_null(st, 0), "state",
                          col_or_null(st, 1), "rev", (json_int_t)sqlite3_column_int64(st, 2),
                          "status", col_or_null(st, 3), "reason", col_or_null(st, 4)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return cat_db_fail(cat, err, "reading a request's delivery");
    }
    return FG_OK;
}

/* ---- one run ---------------------------------------------------------- */

typedef struct run {
    cat_catalog *cat;
    const char *name;
    char origin[64];
    char org[8];
    char *cursor;
    char *ca_file; /* the remote's own CA certificates, or NULL */
    sync_http *http;
    sync_http *prefetch_http; /* a second handle for fetching ahead */
    const sync_options *opts;
    sync_report *rep;
} run;

static bool stopping(const run *r)
{
    return r->opts->stop && *r->opts->stop;
}

static void progress(run *r, const char *phase, size_t done)
{
    if (r->opts->progress) {
        sync_progress p = {.remote = r->name, .phase = phase, .done = done};
        r->opts->progress(&p, r->opts->ud);
    }
}

/* Turns an unexpected HTTP answer into an error. */
static fg_status http_refusal(const char *what, long status, json_t *body, fg_error *err)
{
    const char *msg = json_string_value(json_object_get(body, "message"));
    fg_status st = status == 401 || status == 403 ? FG_EPERM : FG_ENET;
    fg_fail(err, st, "%s: the hub answered %ld%s%s", what, status, msg ? ": " : "",
            msg ? msg : "");
    json_decref(body);
    return st;
}

static fg_status learn_org(run *r, fg_error *err)
{
    long status;
    json_t *body;
    const char *ods;
    fg_status st;
    if (r->org[0])
        return FG_OK;
    if ((st = sync_http_call(r->http, "GET", "/v1/whoami", NULL, NULL, &status, &body,
                             err)) != FG_OK)
        return st;
    if (status != 200)
        return http_refusal("whoami", status, body, err);
    ods = json_string_value(json_object_get(body, "ods"));
    if (!fg_valid_ods(ods)) {
        json_decref(body);
        return fg_fail(err, FG_ENET, "whoami: the hub named no organisation");
    }
    snprintf(r->org, sizeof r->org, "%s", ods);
    json_decref(body);
    return exec_bound(r->cat, sql_set_org, r->name, r->org, NULL, err);
}

/* Collects up to PUSH_BATCH pending items. New array. */
static fg_status collect_batch(run *r, json_t **items, fg_error *err)
{
    static const char *const sqls[] = {sql_pending_offerings, sql_pending_tombstones,
                                       sql_pending_requests};
    json_t *out = json_array(), *ids = json_array(), *id;
    size_t i;

    for (size_t q = 0; q < 3 && json_array_size(out) + json_array_size(ids) < PUSH_BATCH; q++) {
        sqlite3_stmt *st = cat_stmt(r->cat, sqls[q], err);
        int rc;
        if (!st)
            goto fail;
        sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->org, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)(PUSH_BATCH - json_array_size(out) -
                                                   json_array_size(ids)));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (q == 0) {
                json_t *rec = cat_offering_from_stmt(st, 0);
                if (rec)
                    json_array_append_new(out, json_pack("{s:s, s:o}", "kind", "offering",
                                                         "record", rec));
            } else if (q == 1) {
                json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "kind", "offering",
                                                     "id", sqlite3_column_text(st, 0),
                                                     "deleted", 1));
            } else {
                json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
            }
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            cat_db_fail(r->cat, err, "listing what to push");
            goto fail;
        }
    }
    json_array_foreach(ids, i, id) {
        json_t *rec;
        if (cat_request_get(r->cat, json_string_value(id), &rec, err) != FG_OK)
            goto fail;
        json_array_append_new(out, json_pack("{s:s, s:o}", "kind", "request", "record", rec));
    }
    json_decref(ids);
    *items = out;
    return FG_OK;
fail:
    json_decref(out);
    json_decref(ids);
    return err ? err->status : FG_EDB;
}

/* The local rev an item carried. */
static int64_t item_rev(const json_t *item)
{
    return json_integer_value(json_object_get(json_object_get(item, "record"), "rev"));
}

/* Records the hub's answer to one batch, in one transaction. */
static fg_status record_results(run *r, const json_t *items, const json_t *results,
                                fg_error *err)
{
    size_t i;
    const json_t *res;
    fg_status st;

    if (!json_is_array(results) || json_array_size(results) != json_array_size(items))
        return fg_fail(err, FG_ENET, "push: the hub's answer does not match the batch");
    if ((st = cat_begin(r->cat, err)) != FG_OK)
        return st;
    json_array_foreach(results, i, res) {
        const json_t *item = json_array_get(items, i);
        const char *kind = json_string_value(json_object_get(item, "kind"));
        const json_t *rec = json_object_get(item, "record");
        const char *id = json_string_value(json_object_get(rec ? rec : item, "id"));
        const char *status = json_string_value(json_object_get(res, "status"));
        bool tombstone = json_is_true(json_object_get(item, "deleted"));
        if (!status || !kind || !id) {
            st = fg_fail(err, FG_ENET, "push: the hub's answer is malformed");
            goto fail;
        }
        if (strcmp(status, "ok") == 0 || strcmp(status, "unchanged") == 0) {
            if (strcmp(status, "ok") == 0)
                r->rep->pushed++;
            else
                r->rep->unchanged++;
            st = tombstone ? exec_bound(r->cat, sql_forget, r->name, kind, id, err)
                           : set_state(r->cat, sql_agreed, r->name, kind, id, item_rev(item),
                                       err);
            /* The hub now carries the offering (or, for a tombstone, not). */
            if (st == FG_OK && strcmp(kind, "offering") == 0)
                st = exec_bound(r->cat, tombstone ? sql_uncarry : sql_carry, r->name, id, NULL,
                                err);
        } else {
            sqlite3_stmt *q = cat_stmt(r->cat, sql_refuse, err);
            int rc;
            r->rep->refused++;
            fg_log(FG_LOG_WARN, "sync %s: %s %s refused (%s): %s", r->name, kind, id, status,
                   json_string_value(json_object_get(res, "reason")));
            if (!q) {
                st = FG_EDB;
                goto fail;
            }
            sqlite3_bind_text(q, 1, r->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 4, json_integer_value(json_object_get(res, "rev")));
            sqlite3_bind_int64(q, 5, tombstone ? 1 : item_rev(item));
            sqlite3_bind_text(q, 6, status, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 7,
                              json_string_value(json_object_get(res, "reason"))
                                  ? json_string_value(json_object_get(res, "reason"))
                                  : "",
                              -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(q);
            sqlite3_reset(q);
            st = rc == SQLITE_DONE ? FG_OK : cat_db_fail(r->cat, err, "recording a refusal");
            /* Refused, but the hub has a version of the offering. */
            if (st == FG_OK && strcmp(kind, "offering") == 0 && !tombstone &&
                json_integer_value(json_object_get(res, "rev")) > 0)
                st = exec_bound(r->cat, sql_carry, r->name, id, NULL, err);
        }
        if (st != FG_OK)
            goto fail;
    }
    return cat_commit(r->cat, err);
fail:
    cat_rollback(r->cat);
    return st;
}

/* Pushes every pending item, a batch at a time. */
static fg_status push_all(run *r, fg_error *err)
{
    size_t done = 0;
    for (int round = 0; round < MAX_PUSH_ROUNDS && !stopping(r); round++) {
        json_t *items = NULL, *answer = NULL, *body;
        char key[37];
        uuid_t uu;
        long status;
        fg_status st;

        if ((st = collect_batch(r, &items, err)) != FG_OK)
            return st;
        if (json_array_size(items) == 0) {
            json_decref(items);
            return FG_OK;
        }
        uuid_generate_random(uu);
        uuid_unparse_lower(uu, key);
        body = json_pack("{s:O}", "items", items);
        st = sync_http_call(r->http, "POST", "/v1/push", key, body, &status, &answer, err);
        json_decref(body);
        if (st == FG_OK && status != 200)
            st = http_refusal("push", status, answer, err);
        else if (st == FG_OK) {
            st = record_results(r, items, json_object_get(answer, "results"), err);
            json_decref(answer);
        }
        done += json_array_size(items);
        json_decref(items);
        if (st != FG_OK)
            return st;
        progress(r, "push", done);
    }
    return FG_OK;
}

static int64_t local_request_rev(cat_catalog *cat, const char *id)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_local_request_rev, NULL);
    int64_t rev = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        rev = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rev;
}

/* One number from the sync state of a record (`missing` when there is no
   row; a NULL column reads 0). */
static int64_t state_value(run *r, const char *sql, const char *kind, const char *id,
                           int64_t missing)
{
    sqlite3_stmt *st = cat_stmt(r->cat, sql, NULL);
    int64_t v = missing;
    if (!st)
        return missing;
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return v;
}

/* True when the local offering `id` came from this remote. */
static bool from_here(run *r, const char *id)
{
    sqlite3_stmt *st = cat_stmt(r->cat, sql_origin_of, NULL);
    bool yes = false;
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        yes = strcmp((const char *)sqlite3_column_text(st, 0), r->origin) == 0;
    sqlite3_reset(st);
    return yes;
}

/* True when `id` is an offering of this node's organisation that this
   node deleted (its tombstone is in the local feed). */
static bool deleted_here(run *r, const char *id)
{
    size_t n = strlen(r->org);
    sqlite3_stmt *st;
    bool yes;
    if (n == 0 || strncmp(id, r->org, n) != 0 || id[n] != '/' ||
        !(st = cat_stmt(r->cat, sql_tombstone_of, NULL)))
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

/* Applies one change of a page inside the page's transaction.  `prep` is
   the change's offering record already prepared, or NULL. */
static fg_status apply_change(run *r, const json_t *c, cat_prepared *prep, bool snapshot,
                              fg_error *err)
{
    const char *kind = json_string_value(json_object_get(c, "kind"));
    const char *id = json_string_value(json_object_get(c, "id"));
    const json_t *rec = json_object_get(c, "record");
    fg_error e;
    fg_status st;

    if (!kind || !id)
        return fg_fail(err, FG_ENET, "pull: a change names no kind or id");
    if (snapshot && (st = exec_bound(r->cat, sql_seen, r->name, kind, id, err)) != FG_OK)
        return st;
    if (strcmp(kind, "offering") == 0 && json_is_true(json_object_get(c, "deleted"))) {
        bool deleted = false;
        if (from_here(r, id) &&
            (st = cat_offering_delete_locked(r->cat, id, &deleted, err)) != FG_OK)
            return st;
        r->rep->deleted += deleted;
        if ((st = exec_bound(r->cat, sql_uncarry, r->name, id, NULL, err)) != FG_OK)
            return st;
        return exec_bound(r->cat, sql_forget, r->name, kind, id, err);
    }
    if (strcmp(kind, "offering") == 0) {
        cat_prepared here;
        cat_put_result res;
        int64_t rev;
        /* Listed by the hub: requests for it go there, whatever becomes of
           the local copy. */
        if ((st = exec_bound(r->cat, sql_carry, r->name, id, NULL, err)) != FG_OK)
            return st;
        if (!prep) {
            cat_offering_prepare(rec, "", &here);
            prep = &here;
        }
        rev = prep->meta.rev;
        if (prep->status != FG_OK || rev < 1) {
            fg_log(FG_LOG_WARN, "sync %s: offering %s skipped: %s", r->name, id,
                   prep->status == FG_OK ? "no rev" : prep->err.msg);
            st = FG_OK;
        } else if (deleted_here(r, id)) {
            /* Ours, deleted here, and the hub has not heard (a hub restored
               from an older backup): it stays deleted and its tombstone
               goes again. */
            st = set_state(r->cat, sql_pulled, r->name, kind, id, rev, err);
        } else {
            st = cat_offering_put_prepared(r->cat, prep, r->origin, &res, &e);
            if (st == FG_OK && res != CAT_PUT_UNCHANGED)
                r->rep->pulled++;
            /* FG_ECONFLICT: ours is newer, or they diverged; ours stays. */
            if (st == FG_OK || st == FG_ECONFLICT)
                st = set_state(r->cat, sql_pulled, r->name, kind, id, rev, err);
            else if (err)
                *err = e;
        }
        if (prep == &here)
            cat_prepared_clear(&here);
        return st;
    }
    if (strcmp(kind, "request") == 0) {
        int64_t hub_rev = json_integer_value(json_object_get(rec, "rev"));
        int64_t mine = local_request_rev(r->cat, id);
        if (cat_request_check(rec, &e) != FG_OK) {
            fg_log(FG_LOG_WARN, "sync %s: request %s skipped: %s", r->name, id, e.msg);
            return FG_OK;
        }
        /* The hub's version moved on since it refused something of ours:
           the refusal may no longer hold (the move it waited for is
           there now), so the local moves are pending again. */
        if (hub_rev != state_value(r, sql_agreed_of, kind, id, -1) &&
            (st = exec_bound(r->cat, sql_unrefuse, r->name, kind, id, err)) != FG_OK)
            return st;
        /* Local moves not yet pushed stay; moves the hub refused give way. */
        if (mine > hub_rev && state_value(r, sql_state_of, kind, id, 0) < mine)
            return set_state(r->cat, sql_pulled, r->name, kind, id, hub_rev, err);
        if (mine != hub_rev)
            r->rep->pulled++;
        if ((st = cat_request_store_locked(r->cat, rec, 0, err)) != FG_OK)
            return st;
        return set_state(r->cat, sql_pulled, r->name, kind, id, hub_rev, err);
    }
    fg_log(FG_LOG_WARN, "sync %s: change of unknown kind '%.20s' skipped", r->name, kind);
    return FG_OK;
}

/* Applies a page and moves the cursor, in one transaction.  `prep` holds
   a prepared offering per change, or is NULL. */
static fg_status apply_page(run *r, const json_t *page, cat_prepared *prep, bool snapshot,
                            const char *cursor, fg_error *err)
{
    const json_t *changes = json_object_get(page, "changes"), *c;
    json_t *seen = NULL;
    size_t i;
    fg_status st;

    if (!json_is_array(changes) || !cursor)
        return fg_fail(err, FG_ENET, "pull: the hub's page is malformed");
    if ((st = cat_begin(r->cat, err)) != FG_OK)
        return st;
    /* The protocol lists each record once per page, and bulk mode relies
       on it: a page that repeats one is refused whole. */
    if ((st = cat_bulk_begin(r->cat, err)) != FG_OK)
        goto fail;
    seen = json_object();
    json_array_foreach(changes, i, c) {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *id = json_string_value(json_object_get(c, "id"));
        char key[160];
        snprintf(key, sizeof key, "%.20s %.120s", kind ? kind : "", id ? id : "");
        if (json_object_get(seen, key)) {
            st = fg_fail(err, FG_ENET, "pull: the hub's page lists %s twice", key);
            goto fail;
        }
        json_object_set_new(seen, key, json_true());
        if ((st = apply_change(r, c, prep ? &prep[i] : NULL, snapshot, err)) != FG_OK)
            goto fail;
    }
    json_decref(seen);
    seen = NULL;
    if ((st = cat_bulk_end(r->cat, err)) != FG_OK ||
        (st = exec_bound(r->cat, sql_set_cursor, r->name, cursor, NULL, err)) != FG_OK)
        goto fail;
    return cat_commit(r->cat, err);
fail:
    json_decref(seen);
    cat_rollback(r->cat);
    return st;
}

/*
 * Ends a snapshot: records from this hub that it no longer lists are
 * dropped, what the hub was believed to have is forgotten (so everything
 * owned is pushed again), and the incremental cursor takes over.
 */
static fg_status finish_snapshot(run *r, const char *cursor, fg_error *err)
{
    sqlite3_stmt *st;
    json_t *gone = json_array(), *id;
    size_t i;
    fg_status rc;
    int step;

    if ((rc = cat_begin(r->cat, err)) != FG_OK) {
        json_decref(gone);
        return rc;
    }
    if (!(st = cat_stmt(r->cat, sql_unseen, err))) {
        rc = FG_EDB;
        goto fail;
    }
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(gone, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        rc = cat_db_fail(r->cat, err, "finishing a snapshot");
        goto fail;
    }
    json_array_foreach(gone, i, id) {
        bool deleted;
        if ((rc = cat_offering_delete_locked(r->cat, json_string_value(id), &deleted, err)) !=
            FG_OK)
            goto fail;
        r->rep->deleted += deleted;
    }
    if ((rc = exec_bound(r->cat, sql_uncarry_unseen, r->name, NULL, NULL, err)) != FG_OK ||
        (rc = exec_bound(r->cat, sql_clear_seen, r->name, NULL, NULL, err)) != FG_OK ||
        (rc = exec_bound(r->cat, sql_forget_all, r->name, NULL, NULL, err)) != FG_OK ||
        (rc = exec_bound(r->cat, sql_set_cursor, r->name, cursor, NULL, err)) != FG_OK)
        goto fail;
    json_decref(gone);
    return cat_commit(r->cat, err);
fail:
    json_decref(gone);
    cat_rollback(r->cat);
    return rc;
}

#define CURSOR_SIZE 128

/*
 * Takes one page the hub answered: checks its "next" cursor, applies its
 * changes and moves the cursor in one transaction, and ends a snapshot on
 * its last page.  On FG_OK, `next_cursor` holds where to continue, *snapshot
 * whether that is still a snapshot, and *more whether to ask again.
 */
static fg_status take_page(run *r, const json_t *page, cat_prepared *prep, bool *snapshot,
                           bool *more, char next_cursor[CURSOR_SIZE], fg_error *err)
{
    const char *next = json_string_value(json_object_get(page, "next"));
    char epoch[CAT_EPOCH_SIZE];
    int64_t seq;
    fg_status st;

    *more = json_is_true(json_object_get(page, "more"));
    if (!cat_cursor_parse(next, epoch, &seq))
        return fg_fail(err, FG_ENET, "pull: the hub's cursor is malformed");
    if (*snapshot)
        snprintf(next_cursor, CURSOR_SIZE, "snapshot:%lld", (long long)seq);
    else
        snprintf(next_cursor, CURSOR_SIZE, "%s", next);
    st = apply_page(r, page, prep, *snapshot, next_cursor, err);
    if (st == FG_OK && *snapshot && !*more) {
        st = finish_snapshot(r, next, err);
        r->rep->resynced = true;
        snprintf(next_cursor, CURSOR_SIZE, "%s", next);
        *snapshot = false;
    }
    return st;
}

/* A feed page as fetched: its JSON and, when it was fetched in the
   background, each change's offering record already prepared. */
typedef struct page_in {
    json_t *json;
    cat_prepared *prep; /* one per change, or NULL */
    size_t n;
} page_in;

static void page_free(page_in *p)
{
    for (size_t i = 0; i < p->n; i++)
        cat_prepared_clear(&p->prep[i]);
    free(p->prep);
    json_decref(p->json);
    memset(p, 0, sizeof *p);
}

/* Prepares the offering records a page carries (checking them and making
   their canonical JSON is most of the CPU of applying a page), so that the
   thread that writes the catalogue only writes.  Without memory for it the
   page is applied unprepared. */
static void page_prepare(page_in *p)
{
    const json_t *changes = json_object_get(p->json, "changes"), *c;
    size_t i, n = json_array_size(changes);
    if (n == 0 || !(p->prep = calloc(n, sizeof *p->prep)))
        return;
    p->n = n;
    json_array_foreach(changes, i, c) {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        if (kind && strcmp(kind, "offering") == 0 &&
            !json_is_true(json_object_get(c, "deleted")))
            cat_offering_prepare(json_object_get(c, "record"), "", &p->prep[i]);
    }
}

/* One GET of a feed page, run in the background while the page before it
   is applied (its own HTTP handle; Jansson objects are not shared).  The
   thread also frees the page applied before (`spent`). */
typedef struct fetch {
    sync_http *http;
    char path[512];
    long status;
    page_in page;
    page_in spent;
    fg_status st;
    fg_error err;
    pthread_t thread;
    bool running;
} fetch;

static void *fetch_main(void *arg)
{
    fetch *f = arg;
    page_free(&f->spent);
    f->st = sync_http_call(f->http, "GET", f->path, NULL, NULL, &f->status, &f->page.json,
                           &f->err);
    if (f->st == FG_OK && f->status == 200)
        page_prepare(&f->page);
    return NULL;
}

/* The path of the page after `cursor` ("snapshot:N" walks a snapshot). */
static void page_path(const run *r, const char *cursor, char *path, size_t size)
{
    if (strncmp(cursor, "snapshot:", 9) == 0) {
        snprintf(path, size, "/v1/snapshot?after=%s&limit=%d", cursor + 9, r->opts->page);
    } else {
        /* Percent-encode the opaque cursor (RFC 3986: all but unreserved). */
        char esc[3 * CURSOR_SIZE + 1];
        size_t o = 0;
        for (const unsigned char *c = (const unsigned char *)cursor;
             *c && o + 4 <= sizeof esc; c++) {
            if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' || *c == '~')
                esc[o++] = (char)*c;
            else
                o += (size_t)snprintf(esc + o, sizeof esc - o, "%%%02X", *c);
        }
        esc[o] = '\0';
        snprintf(path, size, "/v1/changes?since=%s&limit=%d", esc, r->opts->page);
    }
}

/* Starts fetching the page at `cursor` in the background, when there is a
   second handle (which then also frees `spent`); otherwise the next round
   fetches it in the foreground. */
static void prefetch(run *r, fetch *f, const char *cursor, page_in *spent)
{
    f->running = false;
    if (!r->prefetch_http)
        return;
    memset(f, 0, sizeof *f);
    f->http = r->prefetch_http;
    page_path(r, cursor, f->path, sizeof f->path);
    f->spent = *spent;
    memset(spent, 0, sizeof *spent);
    f->running = pthread_create(&f->thread, NULL, fetch_main, f) == 0;
    if (!f->running)
        page_free(&f->spent);
}

/* Collects a background fetch (waiting for it); false when none ran. */
static bool collect(fetch *f, long *status, page_in *page, fg_error *err, fg_status *st)
{
    if (!f->running)
        return false;
    pthread_join(f->thread, NULL);
    f->running = false;
    *status = f->status;
    *page = f->page;
    *st = f->st;
    if (f->st != FG_OK && err)
        *err = f->err;
    return true;
}

/*
 * Pulls the feed from the stored cursor; on 410, walks a snapshot.  While
 * one page is applied the next is already being fetched, parsed and
 * prepared, so the hub's work, the network and the checking overlap the
 * local writes.  Asked to stop, it applies the page in hand (and one
 * already fetched) and returns.
 */
static fg_status pull_all(run *r, fg_error *err)
{
    bool snapshot = r->cursor && strncmp(r->cursor, "snapshot:", 9) == 0;
    char *cursor = fg_strdup(r->cursor ? r->cursor : "");
    size_t done = 0;
    fetch ahead = {0};
    page_in page = {0}, spent = {0};
    fg_status st = FG_OK;
    bool last_round = false;

    while (!last_round) {
        char path[512], next_cursor[CURSOR_SIZE];
        long status;
        bool more;

        page_free(&spent);
        spent = page; /* applied last round (or empty) */
        memset(&page, 0, sizeof page);
        if (!collect(&ahead, &status, &page, err, &st)) {
            if (stopping(r))
                break;
            page_path(r, cursor, path, sizeof path);
            st = sync_http_call(r->http, "GET", path, NULL, NULL, &status, &page.json, err);
        }
        last_round = stopping(r);
        if (st != FG_OK)
            break;
        if (status == 410 && !snapshot) {
            fg_log(FG_LOG_WARN, "sync %s: the hub asks for a full resync (%s)", r->name,
                   json_string_value(json_object_get(page.json, "reason")));
            if ((st = cat_begin(r->cat, err)) != FG_OK)
                break;
            if ((st = exec_bound(r->cat, sql_clear_seen, r->name, NULL, NULL, err)) != FG_OK ||
                (st = exec_bound(r->cat, sql_set_cursor, r->name, "snapshot:0", NULL, err)) !=
                    FG_OK) {
                cat_rollback(r->cat);
                break;
            }
            if ((st = cat_commit(r->cat, err)) != FG_OK)
                break;
            snapshot = true;
            free(cursor);
            cursor = fg_strdup("snapshot:0");
            continue;
        }
        if (status != 200) {
            st = http_refusal(snapshot ? "snapshot" : "changes", status, page.json, err);
            page.json = NULL; /* http_refusal took it */
            break;
        }
        /* Where the page after this one starts, to fetch it meanwhile. */
        {
            const char *next = json_string_value(json_object_get(page.json, "next"));
            char epoch[CAT_EPOCH_SIZE];
            int64_t seq;
            if (!last_round && json_is_true(json_object_get(page.json, "more")) &&
                cat_cursor_parse(next, epoch, &seq)) {
                char ahead_cursor[CURSOR_SIZE];
                if (snapshot)
                    snprintf(ahead_cursor, sizeof ahead_cursor, "snapshot:%lld",
                             (long long)seq);
                else
                    snprintf(ahead_cursor, sizeof ahead_cursor, "%s", next);
                prefetch(r, &ahead, ahead_cursor, &spent);
            }
        }
        st = take_page(r, page.json, page.prep, &snapshot, &more, next_cursor, err);
        done += json_array_size(json_object_get(page.json, "changes"));
        if (st != FG_OK)
            break;
        free(cursor);
        cursor = fg_strdup(next_cursor);
        progress(r, snapshot ? "snapshot" : "pull", done);
        if (!more)
            break;
        /* Asked to stop meanwhile: apply what was already fetched, then go. */
        if (stopping(r) && !ahead.running)
            break;
    }
    page_free(&page);
    page_free(&spent);
    /* A page fetched for nothing (an error, or the end) is dropped. */
    {
        long ignored;
        fg_status ignored_st;
        if (collect(&ahead, &ignored, &page, NULL, &ignored_st))
            page_free(&page);
    }
    free(cursor);
    return st;
}

static fg_status load_remote(run *r, char *url, size_t url_size, char *token_file,
                             size_t tf_size, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(r->cat, sql_get_remote, err);
    int rc;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(url, url_size, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(token_file, tf_size, "%s", (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            snprintf(r->org, sizeof r->org, "%s", (const char *)sqlite3_column_text(st, 2));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            r->cursor = fg_strdup((const char *)sqlite3_column_text(st, 3));
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            r->ca_file = fg_strdup((const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return fg_fail(err, FG_ENOTFOUND, "no remote named '%.40s' (see fgcat remote list)",
                       r->name);
    return rc == SQLITE_ROW ? FG_OK : cat_db_fail(r->cat, err, "reading a remote");
}

fg_status sync_apply_page_for_fuzz(cat_catalog *cat, const char *name, const json_t *page,
                                   bool snapshot, sync_report *rep, fg_error *err)
{
    sync_options opts = {0};
    run r = {.cat = cat, .name = name, .opts = &opts, .rep = rep};
    char url[1100], token_file[4096], next_cursor[CURSOR_SIZE];
    bool more;
    fg_status st;

    memset(rep, 0, sizeof *rep);
    snprintf(r.origin, sizeof r.origin, "sync:%s", name);
    if ((st = load_remote(&r, url, sizeof url, token_file, sizeof token_file, err)) == FG_OK)
        st = take_page(&r, page, NULL, &snapshot, &more, next_cursor, err);
    free(r.cursor);
    free(r.ca_file);
    return st;
}

fg_status sync_run(cat_catalog *cat, const char *name, const sync_options *opts,
                   sync_report *rep, fg_error *err)
{
    run r = {.cat = cat, .name = name, .opts = opts, .rep = rep};
    char url[1100], token_file[4096], token[MAX_TOKEN_FILE], now[FG_TIMESTAMP_SIZE];
    sync_http_options ho = {.insecure = opts->insecure,
                            .attempts = opts->attempts,
                            .connect_timeout_s = 10,
                            .timeout_s = opts->timeout_s,
                            .low_speed_time_s = opts->low_speed_time_s,
                            .max_body = MAX_ANSWER,
                            .stop = opts->stop};
    fg_status st;

    memset(rep, 0, sizeof *rep);
    if (opts->page < 1 || opts->page > SYNC_MAX_PAGE)
        return fg_fail(err, FG_EINVAL, "a feed page is 1-%d records, not %d", SYNC_MAX_PAGE,
                       opts->page);
    /* Jansson's hash seed is set once, before a second thread makes
       objects (its documentation asks for this). */
    json_object_seed(0);
    snprintf(r.origin, sizeof r.origin, "sync:%s", name);
    if ((st = load_remote(&r, url, sizeof url, token_file, sizeof token_file, err)) != FG_OK) {
        free(r.cursor);
        free(r.ca_file);
        return st;
    }
    if ((st = read_token(token_file, token, sizeof token, err)) != FG_OK)
        goto record;
    /* The remote's CA file, else the variables curl's own tool honours. */
    ho.ca_file = r.ca_file;
    for (size_t i = 0; !ho.ca_file && i < 2; i++) {
        const char *v = getenv(i == 0 ? "CURL_CA_BUNDLE" : "SSL_CERT_FILE");
        if (v && *v)
            ho.ca_file = v;
    }
    r.http = sync_http_new(url, token, &ho, err);
    /* Without the second handle pages are simply fetched in turn. */
    r.prefetch_http = r.http ? sync_http_new(url, token, &ho, NULL) : NULL;
    memset(token, 0, sizeof token);
    if (!r.http) {
        st = err ? err->status : FG_EIO;
        goto record;
    }
    if ((st = learn_org(&r, err)) != FG_OK || (st = push_all(&r, err)) != FG_OK ||
        (st = pull_all(&r, err)) != FG_OK)
        goto record;
    /* Push again: after a resync the hub may lack what this node owns, and
       the pull may have shown the hub carries offerings that requests made
       here wait for.  With nothing pending this sends nothing. */
    if (!stopping(&r) && (st = push_all(&r, err)) != FG_OK)
        goto record;
    rep->interrupted = stopping(&r);
record:
    rep->http_calls = (r.http ? sync_http_requests(r.http) : 0) +
                    (r.prefetch_http ? sync_http_requests(r.prefetch_http) : 0);
    sync_http_free(r.http);
    sync_http_free(r.prefetch_http);
    free(r.cursor);
    free(r.ca_file);
    fg_now_iso(now);
    if (st == FG_OK) {
        exec_bound(cat, sql_set_success, name, now, NULL, NULL);
        if (rep->refused)
            st = fg_fail(err, FG_EREFUSED, "the hub refused %zu item%s (see fgcat sync status)",
                         rep->refused, rep->refused == 1 ? "" : "s");
    } else {
        exec_bound(cat, sql_set_error, name, err ? err->msg : fg_strerror(st), now, NULL);
    }
    return st;
}
