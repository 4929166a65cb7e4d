/*
 * The change feed (docs/sync-protocol.md): epoch and sequence, reading
 * pages of changes as a given organisation may see them, tombstones and
 * their retention, and offering deletion (which leaves a tombstone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

static const char sql_seq[] = "SELECT value FROM counter WHERE name = 'feed'";
static const char sql_page[] =
    "SELECT f.seq, f.kind, f.key, f.deleted_at,"
    "       " CAT_OFFERING_COLUMNS ","
    "       r.requester_ods, r.provider_ods"
    " FROM feed f"
    " LEFT JOIN offering o ON f.kind = 'offering' AND o.id = f.key"
    " LEFT JOIN offering_text t ON t.rowid = o.rowid"
    " LEFT JOIN request r ON f.kind = 'request' AND r.id = f.key"
    " WHERE f.seq > ?1 ORDER BY f.seq LIMIT ?2";
static const char sql_purge[] =
    "DELETE FROM feed WHERE deleted_at IS NOT NULL AND deleted_at < ?1 RETURNING seq";
static const char sql_delete_offering[] = "DELETE FROM offering WHERE id = ?1";

fg_status cat_feed_epoch(cat_catalog *cat, char epoch[CAT_EPOCH_SIZE], fg_error *err)
{
    char *v = NULL;
    fg_status st = cat_meta_get(cat, "epoch", &v, err);
    if (st != FG_OK)
        return st;
    if (!v || strlen(v) >= CAT_EPOCH_SIZE) {
        free(v);
        return fg_fail(err, FG_EDB, "the catalogue has no feed epoch");
    }
    memcpy(epoch, v, strlen(v) + 1);
    free(v);
    return FG_OK;
}

fg_status cat_feed_new_epoch(cat_catalog *cat, fg_error *err)
{
    unsigned char raw[8];
    char hex[17];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) {
        if (f)
            fclose(f);
        return fg_fail(err, FG_EIO, "cannot read /dev/urandom");
    }
    fclose(f);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    return cat_meta_set(cat, "epoch", hex, err);
}

fg_status cat_feed_seq(cat_catalog *cat, int64_t *seq, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_seq, err);
    if (!st)
        return FG_EDB;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cat_db_fail(cat, err, "reading the feed sequence");
    }
    *seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return FG_OK;
}

fg_status cat_feed_horizon(cat_catalog *cat, int64_t *seq, fg_error *err)
{
    char *v = NULL;
    fg_status st = cat_meta_get(cat, "feed_horizon", &v, err);
    *seq = 0;
    if (st == FG_OK && v && !fg_parse_int(v, 0, INT64_MAX, seq))
        st = fg_fail(err, FG_EDB, "the feed horizon is corrupt");
    free(v);
    return st;
}

bool cat_cursor_parse(const char *cursor, char epoch[CAT_EPOCH_SIZE], int64_t *seq)
{
    const char *colon = cursor ? strchr(cursor, ':') : NULL;
    size_t n = colon ? (size_t)(colon - cursor) : 0;
    if (!colon || n == 0 || n >= CAT_EPOCH_SIZE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((cursor[i] >= '0' && cursor[i] <= '9') || (cursor[i] >= 'a' && cursor[i] <= 'f')))
            return false;
    if (!fg_parse_int(colon + 1, 0, INT64_MAX, seq) || colon[1] == '+' || colon[1] == '-')
        return false;
    memcpy(epoch, cursor, n);
    epoch[n] = '\0';
    return true;
}

/* A page also ends once its records reach this many bytes of JSON, so that
   a page of the largest offerings stays far inside a client's answer limit
   (64 MiB for fgcat's).  A request counts as REQUEST_BYTES: its life cycle
   bounds its history. */
#define PAGE_BYTES ((size_t)16 * 1024 * 1024)
#define REQUEST_BYTES 4096

/* Writes the JSON text of object `head` (taken) without its closing brace,
   for the caller to add members and close: Jansson escapes every string
   of the envelope while stored JSON text goes out as it is. */
static bool put_open(FILE *out, json_t *head)
{
    char *text = head ? json_dumps(head, JSON_COMPACT) : NULL;
    size_t n = text ? strlen(text) : 0;
    json_decref(head);
    if (n < 2) {
        free(text);
        return false;
    }
    fwrite(text, 1, n - 1, out);
    free(text);
    return true;
}

static fg_status feed_page(cat_catalog *cat, int64_t after, int64_t limit,
                           const char *viewer, FILE *out, int64_t *next, bool *more,
                           fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_page, err);
    int64_t last = after, rows = 0;
    size_t bytes = 0, written = 0;
    int rc;

    *more = false;
    if (!st)
        return FG_EDB;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit + 1);
    fputc('[', out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        json_t *head;
        char *rec = NULL;
        fg_status s;

        if (rows == limit || bytes >= PAGE_BYTES) {
            *more = true; /* a record beyond this page */
            break;
        }
        rows++;
        last = seq;
        if (!(head = json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)seq, "kind", kind, "id",
                               key)))
            continue; /* not text Jansson takes: it cannot be sent */
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            json_object_set_new(head, "deleted", json_true());
            json_object_set_new(head, "deleted_at",
                                json_string((const char *)sqlite3_column_text(st, 3)));
        } else if (strcmp(kind, "offering") == 0) {
            if (!(rec = cat_offering_text_from_stmt(st, 4))) {
                json_decref(head);
                continue;
            }
            bytes += (size_t)sqlite3_column_bytes(st, 4);
        } else {
            const char *requester = (const char *)sqlite3_column_text(st, 9);
            const char *provider = (const char *)sqlite3_column_text(st, 10);
            json_t *r;
            if (!requester || (viewer && strcmp(viewer, requester) != 0 &&
                               strcmp(viewer, provider) != 0)) {
                json_decref(head);
                continue;
            }
            if ((s = cat_request_get(cat, key, &r, err)) != FG_OK) {
                json_decref(head);
                sqlite3_reset(st);
                return s;
            }
            rec = json_dumps(r, JSON_COMPACT);
            json_decref(r);
            bytes += REQUEST_BYTES;
        }
        if (written++ > 0)
            fputc(',', out);
        if (!put_open(out, head)) {
            free(rec);
            sqlite3_reset(st);
            return fg_fail(err, FG_ENOMEM, "out of memory");
        }
        if (rec)
            fprintf(out, ",\"record\":%s", rec);
        fputc('}', out);
        free(rec);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading the change feed");
    fputc(']', out);
    if (!*more) {
        /* Nothing further now: the cursor may move to the feed's end. */
        int64_t seq = 0;
        fg_status s = cat_feed_seq(cat, &seq, err);
        if (s != FG_OK)
            return s;
        if (seq > last)
            last = seq;
    }
    *next = last;
    return FG_OK;
}

/* One read transaction, so the page and the feed's end are one snapshot:
   a write committed in between cannot be skipped by the cursor. */
fg_status cat_feed_page(cat_catalog *cat, int64_t after, int64_t limit, const char *viewer,
                        FILE *out, int64_t *next, bool *more, fg_error *err)
{
    bool own = sqlite3_get_autocommit(cat_db(cat)) != 0;
    fg_status st;
    if (own && sqlite3_exec(cat_db(cat), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return cat_db_fail(cat, err, "reading the change feed");
    st = feed_page(cat, after, limit, viewer, out, next, more, err);
    if (own)
        sqlite3_exec(cat_db(cat), "COMMIT", NULL, NULL, NULL);
    if (st == FG_OK && ferror(out))
        st = fg_fail(err, FG_ENOMEM, "out of memory writing a feed page");
    return st;
}

fg_status cat_feed_purge(cat_catalog *cat, const char *before, size_t *purged,
                         fg_error *err)
{
    sqlite3_stmt *st;
    int64_t horizon, max = 0;
    char buf[32];
    fg_status rc;
    int step;

    *purged = 0;
    if ((rc = cat_begin(cat, err)) != FG_OK)
        return rc;
    if ((rc = cat_feed_horizon(cat, &horizon, err)) != FG_OK)
        goto fail;
    if (!(st = cat_stmt(cat, sql_purge, err))) {
        rc = FG_EDB;
        goto fail;
    }
    sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        if (seq > max)
            max = seq;
        (*purged)++;
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        rc = cat_db_fail(cat, err, "purging tombstones");
        goto fail;
    }
    if (max > horizon) {
        snprintf(buf, sizeof buf, "%lld", (long long)max);
        if ((rc = cat_meta_set(cat, "feed_horizon", buf, err)) != FG_OK)
            goto fail;
    }
    return cat_commit(cat, err);
fail:
    cat_rollback(cat);
    return rc;
}

fg_status cat_offering_delete_locked(cat_catalog *cat, const char *id, bool *deleted,
                                     fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_delete_offering, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return cat_db_fail(cat, err, "deleting an offering");
    }
    sqlite3_reset(st);
    *deleted = sqlite3_changes(cat_db(cat)) > 0;
    return FG_OK;
}

fg_status cat_offering_delete(cat_catalog *cat, const char *id, bool *deleted,
                              fg_error *err)
{
    fg_status st;
    if ((st = cat_begin(cat, err)) != FG_OK)
        return st;
    if ((st = cat_offering_delete_locked(cat, id, deleted, err)) != FG_OK ||
        (st = cat_commit(cat, err)) != FG_OK)
        cat_rollback(cat);
    return st;
}
