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
