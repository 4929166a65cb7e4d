/*
 * Opening the catalogue file, its connection settings, the statement cache,
 * transactions and the meta table.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util.h"

/* How long a writer waits for another writer's lock before giving up.
   Long enough that N processes accepting at once all get their turn. */
#define CAT_BUSY_TIMEOUT_MS 60000
/* Slots of a new statement cache; it doubles when half full. */
#define CAT_STMT_SLOTS 128
/* Page size of a new catalogue file, in bytes (see cat_open). */
#define CAT_PAGE_SIZE "8192"

/* One prepared statement, keyed by the address of its SQL text. */
typedef struct cat_cached {
    const char *sql; /* NULL: an empty slot */
    sqlite3_stmt *stmt;
} cat_cached;

struct cat_catalog {
    sqlite3 *db;
    cat_cached *cache; /* open addressing, a power of two slots */
    size_t slots, n_cached;
    sqlite3_int64 bulk_mark;
    int busy_limit_ms;          /* cat_set_busy_limit; 0: SQLite's own wait */
    struct timespec busy_since; /* when the current wait began */
    bool gave_up_busy;
};

sqlite3_int64 *cat_bulk_mark(cat_catalog *cat)
{
    return &cat->bulk_mark;
}

sqlite3 *cat_db(cat_catalog *cat)
{
    return cat->db;
}

fg_status cat_db_fail(cat_catalog *cat, fg_error *err, const char *what)
{
    return fg_fail(err, FG_EDB, "%s: %s", what, sqlite3_errmsg(cat->db));
}

/* The slot of `sql` in a table of `slots` (a power of two): where it is,
   or the empty slot where it would go. */
static size_t cache_slot(const cat_cached *cache, size_t slots, const char *sql)
{
    /* The address, its alignment bits shifted out, mixed (Fibonacci
       hashing: statements are close together in one data section). */
    size_t i = (size_t)(((uintptr_t)sql >> 3) * (uintptr_t)0x9E3779B97F4A7C15u);
    for (i &= slots - 1; cache[i].sql && cache[i].sql != sql; i = (i + 1) & (slots - 1))
        ;
    return i;
}

/* Doubles the table (or makes the first one). */
static void cache_grow(cat_catalog *cat)
{
    size_t slots = cat->slots ? cat->slots * 2 : CAT_STMT_SLOTS;
    cat_cached *grown = fg_xcalloc(slots, sizeof *grown);
    for (size_t i = 0; i < cat->slots; i++)
        if (cat->cache[i].sql)
            grown[cache_slot(grown, slots, cat->cache[i].sql)] = cat->cache[i];
    free(cat->cache);
    cat->cache = grown;
    cat->slots = slots;
}

sqlite3_stmt *cat_stmt(cat_catalog *cat, const char *sql, fg_error *err)
{
    sqlite3_stmt *st;
    size_t i;
    if (cat->slots) {
        i = cache_slot(cat->cache, cat->slots, sql);
        if (cat->cache[i].sql) {
            st = cat->cache[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    /* At most half full, so a lookup always meets an empty slot soon. */
    if ((cat->n_cached + 1) * 2 > cat->slots)
        cache_grow(cat);
    if (sqlite3_prepare_v3(cat->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK) {
        cat_db_fail(cat, err, "preparing a statement");
        return NULL;
    }
    i = cache_slot(cat->cache, cat->slots, sql);
    cat->cache[i].sql = sql;
    cat->cache[i].stmt = st;
    cat->n_cached++;
    return st;
}

static fg_status exec(cat_catalog *cat, const char *sql, fg_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(cat->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fg_fail(err, FG_EDB, "%s: %s", sql, msg ? msg : sqlite3_errmsg(cat->db));
        sqlite3_free(msg);
        return FG_EDB;
    }
    return FG_OK;
}

fg_status cat_begin(cat_catalog *cat, fg_error *err)
{
    return exec(cat, "BEGIN IMMEDIATE", err);
}

fg_status cat_commit(cat_catalog *cat, fg_error *err)
{
    return exec(cat, "COMMIT", err);
}

void cat_rollback(cat_catalog *cat)
{
    if (!sqlite3_get_autocommit(cat->db))
        sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
    cat->bulk_mark = -1; /* the flag rolled back with the transaction */
}

/* Creates the directory that will hold `path`, if it has one. */
static fg_status make_parent(const char *path, fg_error *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t len;
    struct stat sb;

    if (!slash || slash == path)
        return FG_OK;
    len = (size_t)(slash - path);
    if (len >= sizeof dir)
        return fg_fail(err, FG_EINVAL, "catalogue path '%s' is too long", path);
    memcpy(dir, path, len);
    dir[len] = '\0';
    if (stat(dir, &sb) == 0)
        return S_ISDIR(sb.st_mode)
                   ? FG_OK
                   : fg_fail(err, FG_EIO, "catalogue directory '%s' is not a directory",
                             dir);
    return fg_mkdir_p(dir, err);
}

fg_status cat_open(const char *path, cat_catalog **out, fg_error *err)
{
    cat_catalog *cat;
    fg_status st;
    int rc;

    *out = NULL;
    st = make_parent(path, err);
    if (st != FG_OK)
        return st;
    cat = fg_xcalloc(1, sizeof *cat);
    cat->bulk_mark = -1;
    rc = sqlite3_open_v2(path, &cat->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        st = fg_fail(err, FG_EIO, "cannot open catalogue '%s': %s", path,
                     cat->db ? sqlite3_errmsg(cat->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(cat->db, 1);
    sqlite3_busy_timeout(cat->db, CAT_BUSY_TIMEOUT_MS);
    /* A new file gets 8 KiB pages: an offering's text row (about 2.5 KB)
       then shares its page, where a 4 KiB page holds one and wastes the
       rest (docs/performance.md).  An existing file keeps its size: the
       pragma does nothing once the file has pages.  WAL lets searches run
       while another process writes; NORMAL sync is durable across
       application crashes, which is what kill -9 tests. */
    if (exec(cat, "PRAGMA page_size=" CAT_PAGE_SIZE, err) != FG_OK ||
        exec(cat, "PRAGMA journal_mode=WAL", err) != FG_OK ||
        exec(cat, "PRAGMA synchronous=NORMAL", err) != FG_OK ||
        exec(cat, "PRAGMA foreign_keys=ON", err) != FG_OK) {
        st = fg_fail(err, FG_EIO, "catalogue '%s' cannot be used: %s", path,
                     sqlite3_errmsg(cat->db));
        goto fail;
    }
    st = cat_migrate(cat, err);
    if (st != FG_OK) {
        /* Name the file: the migration's message does not know it. */
        if (err) {
            char msg[FG_ERROR_MSG_SIZE];
            snprintf(msg, sizeof msg, "%s", err->msg);
            fg_fail(err, st, "catalogue '%s': %s", path, msg);
        }
        goto fail;
    }
    *out = cat;
    return FG_OK;
fail:
    cat_close(cat);
    return st;
}

void cat_close(cat_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->slots; i++)
        if (cat->cache[i].sql)
            sqlite3_finalize(cat->cache[i].stmt);
    free(cat->cache);
    sqlite3_close(cat->db);
    free(cat);
}

/* SQLite's busy handler under cat_set_busy_limit: waits 10 ms at a time
   until the limit, then gives up and notes it. */
static int busy_wait(void *ud, int count)
{
    cat_catalog *cat = ud;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        cat->busy_since = now;
    if ((now.tv_sec - cat->busy_since.tv_sec) * 1000 +
            (now.tv_nsec - cat->busy_since.tv_nsec) / 1000000 >=
        cat->busy_limit_ms) {
        cat->gave_up_busy = true;
        return 0;
    }
    sqlite3_sleep(10);
    return 1;
}

void cat_set_busy_limit(cat_catalog *cat, int ms)
{
    cat->busy_limit_ms = ms;
    sqlite3_busy_handler(cat->db, busy_wait, cat);
}

bool cat_take_busy(cat_catalog *cat)
{
    bool was = cat->gave_up_busy;
    cat->gave_up_busy = false;
    return was;
}

static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?1";
static const char sql_meta_set[] =
    "INSERT INTO meta(key, value) VALUES (?1, ?2) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

fg_status cat_meta_get(cat_catalog *cat, const char *key, char **value, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_meta_get, err);
    int rc;
    *value = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = fg_strdup((const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading catalogue settings");
    sqlite3_reset(st);
    return FG_OK;
}

fg_status cat_meta_set(cat_catalog *cat, const char *key, const char *value,
                       fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_meta_set, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_db_fail(cat, err, "writing catalogue settings");
    sqlite3_reset(st);
    return FG_OK;
}

static const char sql_meta_delete[] = "DELETE FROM meta WHERE key = ?1";

fg_status cat_meta_delete(cat_catalog *cat, const char *key, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_meta_delete, err);
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_db_fail(cat, err, "writing catalogue settings");
    sqlite3_reset(st);
    return FG_OK;
}

fg_status cat_needs_seed(cat_catalog *cat, bool *needs, fg_error *err)
{
    char *v = NULL;
    fg_status st = cat_meta_get(cat, "seeded", &v, err);
    *needs = st == FG_OK && v == NULL;
    free(v);
    return st;
}

fg_status cat_plugin_timeout(cat_catalog *cat, int *seconds, fg_error *err)
{
    char *v = NULL;
    int64_t n;
    fg_status st = cat_meta_get(cat, CAT_SETTING_PLUGIN_TIMEOUT, &v, err);

    if (st != FG_OK)
        return st;
    if (!v)
        return fg_fail(err, FG_ENOTFOUND, "no plugin time limit is set");
    if (!fg_parse_int(v, 1, RT_MAX_TIMEOUT_S, &n)) {
        free(v);
        return fg_fail(err, FG_EINVAL, "the catalogue's plugin time limit is not 1-%d s",
                       RT_MAX_TIMEOUT_S);
    }
    free(v);
    *seconds = (int)n;
    return FG_OK;
}

fg_status cat_set_plugin_timeout(cat_catalog *cat, int seconds, fg_error *err)
{
    char v[16];
    if (seconds < 1 || seconds > RT_MAX_TIMEOUT_S)
        return fg_fail(err, FG_EINVAL, "the plugin time limit must be 1-%d s",
                       RT_MAX_TIMEOUT_S);
    snprintf(v, sizeof v, "%d", seconds);
    return cat_meta_set(cat, CAT_SETTING_PLUGIN_TIMEOUT, v, err);
}

/* ---- backup and restore ------------------------------------------------- */

/* The meta key a backup carries: a catalogue holding it was restored from
   a backup (by `fgcat restore` or by copying the file back), so a hub on
   it must start a new feed epoch. */
#define BACKUP_MARK "backup_taken"

static fg_status raw_exec(sqlite3 *db, const char *sql, const char *what, fg_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return FG_OK;
    fg_fail(err, FG_EIO, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return FG_EIO;
}

fg_status cat_backup(cat_catalog *cat, const char *path, fg_error *err)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *copy = NULL;
    char now[FG_TIMESTAMP_SIZE], *sql;
    fg_status s = FG_OK;
    int rc;

    if (access(path, F_OK) == 0)
        return fg_fail(err, FG_EINVAL, "'%s' exists: a backup is written to a new file", path);
    /* VACUUM INTO reads one snapshot of the catalogue (writers carry on)
       and writes it whole to a new file in rollback-journal mode: one
       file, consistent, compact. */
    if (sqlite3_prepare_v2(cat->db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK)
        return cat_db_fail(cat, err, "backing up");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        s = fg_fail(err, FG_EIO, "cannot write the backup '%s': %s", path,
                    sqlite3_errmsg(cat->db));
        unlink(path);
        return s;
    }
    fg_now_iso(now);
    sql = sqlite3_mprintf("INSERT INTO meta(key, value) VALUES ('" BACKUP_MARK "', %Q) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          now);
    if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        s = fg_fail(err, FG_EIO, "cannot open the backup '%s': %s", path,
                    copy ? sqlite3_errmsg(copy) : "out of memory");
    else
        s = raw_exec(copy, sql, "marking the backup", err);
    sqlite3_free(sql);
    sqlite3_close(copy);
    if (s != FG_OK)
        unlink(path);
    return s;
}

fg_status cat_restored_mark(cat_catalog *cat, bool *restored, fg_error *err)
{
    char *v = NULL;
    fg_status st = cat_meta_get(cat, BACKUP_MARK, &v, err);
    *restored = st == FG_OK && v != NULL;
    free(v);
    if (st != FG_OK || !*restored)
        return st;
    return cat_meta_delete(cat, BACKUP_MARK, err);
}

/* Copies the whole database `from` into `to` (SQLite's backup API). */
static fg_status copy_db(sqlite3 *from, sqlite3 *to, const char *what, fg_error *err)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    int rc;
    if (!b)
        return fg_fail(err, FG_EIO, "%s: %s", what, sqlite3_errmsg(to));
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return fg_fail(err, FG_EIO, "%s: %s", what, sqlite3_errstr(rc));
    return FG_OK;
}

/* Opens `path` without cat_open's settings (a backup file, kept as is). */
static fg_status open_plain(const char *path, int flags, sqlite3 **db, fg_error *err)
{
    if (sqlite3_open_v2(path, db, flags, NULL) == SQLITE_OK)
        return FG_OK;
    fg_fail(err, FG_EIO, "cannot open '%s': %s", path, *db ? sqlite3_errmsg(*db) : "no memory");
    sqlite3_close(*db);
    *db = NULL;
    return FG_EIO;
}

fg_status cat_restore(const char *backup, const char *db_path, fg_error *err)
{
    sqlite3 *src = NULL, *tmp = NULL, *dst = NULL;
    sqlite3_stmt *st = NULL;
    cat_catalog *cat = NULL;
    char tmp_path[4200], check[64] = "", page_sql[64];
    bool fresh = access(db_path, F_OK) != 0;
    fg_status s;

    if (access(backup, R_OK) != 0)
        return fg_fail(err, FG_ENOTFOUND, "cannot read the backup '%s': %s", backup,
                       strerror(errno));
    if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.restoring", db_path) >= sizeof tmp_path)
        return fg_fail(err, FG_EINVAL, "the catalogue path is too long");
    /* The backup, checked whole, then copied to a file of our own beside
       the catalogue: the backup itself is never changed. */
    if ((s = open_plain(backup, SQLITE_OPEN_READONLY, &src, err)) != FG_OK)
        return s;
    if (sqlite3_prepare_v2(src, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(check, sizeof check, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    st = NULL;
    if (strcmp(check, "ok") != 0 ||
        sqlite3_prepare_v2(src, "SELECT value FROM meta WHERE key = 'epoch'", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sqlite3_close(src);
        return fg_fail(err, FG_EINVAL, "'%s' is not a whole fgcat catalogue", backup);
    }
    sqlite3_finalize(st);
    unlink(tmp_path);
    s = open_plain(tmp_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &tmp, err);
    if (s == FG_OK)
        s = copy_db(src, tmp, "copying the backup", err);
    sqlite3_close(src);
    /* The copy takes the page size of the catalogue it goes into: SQLite
       copies into a WAL database only between equal page sizes. */
    if (s == FG_OK && !fresh && (s = open_plain(db_path, SQLITE_OPEN_READWRITE, &dst, err)) ==
                                    FG_OK) {
        int page = 0;
        if (sqlite3_prepare_v2(dst, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            page = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        snprintf(page_sql, sizeof page_sql, "PRAGMA page_size=%d; VACUUM", page ? page : 8192);
        s = raw_exec(tmp, page_sql, "resizing the backup's pages", err);
    }
    sqlite3_close(tmp);
    tmp = NULL;
    /* Brought up to date, given a new epoch, unmarked; a node's remotes
       take a snapshot at their next sync. */
    if (s == FG_OK && (s = cat_open(tmp_path, &cat, err)) == FG_OK && cat) {
        bool marked;
        if ((s = cat_feed_new_epoch(cat, err)) == FG_OK &&
            (s = cat_restored_mark(cat, &marked, err)) == FG_OK)
            s = raw_exec(cat->db,
                         "DELETE FROM sync_seen; UPDATE remote SET cursor = 'snapshot:0'",
                         "resetting the remotes' cursors", err);
        if (s == FG_OK)
            s = raw_exec(cat->db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE",
                         "finishing the copy", err);
        cat_close(cat);
    }
    if (s == FG_OK && fresh) {
        if (rename(tmp_path, db_path) != 0)
            s = fg_fail(err, FG_EIO, "cannot move the copy to '%s': %s", db_path,
                        strerror(errno));
    } else if (s == FG_OK) {
        /* Into the catalogue in place, in one write transaction: its own
           WAL and any process that has it open stay consistent. */
        if ((s = open_plain(tmp_path, SQLITE_OPEN_READONLY, &tmp, err)) == FG_OK) {
            sqlite3_busy_timeout(dst, CAT_BUSY_TIMEOUT_MS);
            s = copy_db(tmp, dst, "restoring into the catalogue", err);
        }
        sqlite3_close(tmp);
    }
    sqlite3_close(dst);
    unlink(tmp_path);
    return s;
}
