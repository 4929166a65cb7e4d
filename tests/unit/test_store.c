/*
 * Unit tests of the store (catalog/store.c, catalog/migrations.c) and of
 * cat_offering_put / cat_offering_get (catalog/offering.c): creating and
 * reopening a file, refusing files it must not touch, and the rev rules of
 * SPEC §4 and §8.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

typedef struct fixture {
    char dir[4096];
    char path[4200];
    cat_catalog *cat;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    snprintf(f->path, sizeof f->path, "%s/catalogue.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cat_close(f->cat);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* Reads one integer pragma or query through a connection of its own, so
   the answer comes from the file, not from cat's connection. */
static int64_t file_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void file_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* A normalized offering `slug` of RTF with `title`. New. */
static json_t *offering(const char *slug, const char *title)
{
    json_t *in = tu_spec_example(), *out = NULL;
    char id[128];
    fg_error err;
    snprintf(id, sizeof id, "RTF/%s", slug);
    json_object_set_new(in, "id", json_string(id));
    json_object_set_new(in, "title", json_string(title));
    if (cat_offering_normalize(in, "", &out, NULL, &err) != FG_OK)
        fail_msg("normalize: %s", err.msg);
    json_decref(in);
    return out;
}

/* cat_offering_put in its own transaction.  Returns its status. */
static fg_status put(cat_catalog *cat, json_t *content, int64_t rev,
                     const char *updated_at, cat_put_result *res, fg_error *err)
{
    cat_meta meta;
    fg_status st;
    memset(&meta, 0, sizeof meta);
    meta.rev = rev;
    if (updated_at)
        snprintf(meta.updated_at, sizeof meta.updated_at, "%s", updated_at);
    assert_int_equal(cat_begin(cat, err), FG_OK);
    st = cat_offering_put(cat, content, &meta, rev ? "import" : "plugin:test", res, err);
    if (st == FG_OK)
        assert_int_equal(cat_commit(cat, err), FG_OK);
    else
        cat_rollback(cat);
    return st;
}

/* The stored offering `id`. New; fails the test when absent. */
static json_t *get(cat_catalog *cat, const char *id)
{
    json_t *o = NULL;
    fg_error err;
    if (cat_offering_get(cat, id, &o, &err) != FG_OK)
        fail_msg("get %s: %s", id, err.msg);
    return o;
}

static int64_t rev_of(cat_catalog *cat, const char *id)
{
    json_t *o = get(cat, id);
    int64_t rev = json_integer_value(json_object_get(o, "rev"));
    json_decref(o);
    return rev;
}

static void set_updated_at(cat_catalog *cat, const char *id, const char *when)
{
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE offering SET updated_at = '%s' WHERE id = '%s'",
             when, id);
    assert_int_equal(sqlite3_exec(cat_db(cat), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* ---- opening --------------------------------------------------------- */

static void test_open_creates(void **state)
{
    fixture *f = *state;
    fg_error err;
    struct stat sb;
    char path[4300];

    /* Missing parent directories are created too. */
    snprintf(path, sizeof path, "%s/a/b/catalogue.db", f->dir);
    assert_int_not_equal(stat(path, &sb), 0);
    assert_int_equal(cat_open(path, &f->cat, &err), FG_OK);
    assert_non_null(f->cat);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));

    assert_true(cat_schema_version() >= 1);
    assert_int_equal(file_int(path, "PRAGMA user_version"), cat_schema_version());
    /* A new file has 8 KiB pages (docs/design.md, "Storage for speed"). */
    assert_int_equal(file_int(path, "PRAGMA page_size"), 8192);
    {
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    /* The schema the other modules rely on is there, and empty. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), 0);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_fts"), 0);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM meta WHERE key = 'seeded'"),
                     0);
    assert_true(tu_needs_seed(f->cat));
}

/* A catalogue that cannot be read says so instead of asking for a seed. */
static void test_needs_seed_reports_errors(void **state)
{
    fixture *f = *state;
    fg_error err;
    bool needs = true;

    assert_int_equal(cat_open(f->path, &f->cat, &err), FG_OK);
    assert_int_equal(sqlite3_exec(cat_db(f->cat), "DROP TABLE meta", NULL, NULL, NULL),
                     SQLITE_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(cat_needs_seed(f->cat, &needs, &err), FG_EDB);
    assert_false(needs);
    assert_non_null(strstr(err.msg, "meta"));
}

/* The statement cache takes as many statements as it is given, each kept
   once: far more than the code has, all on one connection. */
static void test_statement_cache_grows(void **state)
{
    enum { N = 600 };
    fixture *f = *state;
    static char sql[N][48];
    sqlite3_stmt *first[N];
    fg_error err;

    assert_int_equal(cat_open(f->path, &f->cat, &err), FG_OK);
    for (int i = 0; i < N; i++) {
        snprintf(sql[i], sizeof sql[i], "SELECT %d FROM meta WHERE key = ''", i);
        first[i] = cat_stmt(f->cat, sql[i], &err);
        assert_non_null(first[i]);
    }
    for (int i = 0; i < N; i++) {
        sqlite3_stmt *st = cat_stmt(f->cat, sql[i], &err);
        assert_ptr_equal(st, first[i]);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE); /* no key is '' */
    }
}

/* A file made before 8 KiB pages keeps its page size and is migrated. */
static void test_old_page_size_kept(void **state)
{
    fixture *f = *state;
    fg_error err;
    char path[4300];

    snprintf(path, sizeof path, "%s/old.db", f->dir);
    file_exec(path, "PRAGMA page_size = 4096; CREATE TABLE earlier(x)");
    assert_int_equal(cat_open(path, &f->cat, &err), FG_OK);
    assert_int_equal(tu_sql_int(f->cat, "PRAGMA page_size"), 4096);
    assert_int_equal(tu_sql_int(f->cat, "PRAGMA user_version"), cat_schema_version());
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), 0);
}

static void test_reopen_is_noop(void **state)
{
    fixture *f = *state;
    json_t *o = offering("kept", "Kept across reopening"), *got;
    cat_put_result res;
    fg_error err;
    int64_t objects;

    assert_int_equal(cat_open(f->path, &f->cat, &err), FG_OK);
    assert_int_equal(put(f->cat, o, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(cat_meta_set(f->cat, "seeded", "yes", &err), FG_OK);
    objects = tu_sql_int(f->cat, "SELECT count(*) FROM sqlite_schema");
    cat_close(f->cat);
    f->cat = NULL;

    for (int i = 0; i < 2; i++) {
        assert_int_equal(cat_open(f->path, &f->cat, &err), FG_OK);
        assert_int_equal(file_int(f->path, "PRAGMA user_version"), cat_schema_version());
        assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM sqlite_schema"),
                         objects);
        assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), 1);
        assert_false(tu_needs_seed(f->cat));
        got = get(f->cat, "RTF/kept");
        assert_int_equal(json_integer_value(json_object_get(got, "rev")), 1);
        json_decref(got);
        cat_close(f->cat);
        f->cat = NULL;
    }
    json_decref(o);
}

static void test_newer_schema_refused(void **state)
{
    fixture *f = *state;
    char sql[64];
    char newer[32], ours[32];
    fg_error err;
    cat_catalog *cat = (cat_catalog *)1;

    assert_int_equal(cat_open(f->path, &f->cat, &err), FG_OK);
    cat_close(f->cat);
    f->cat = NULL;
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", cat_schema_version() + 1);
    file_exec(f->path, sql);

    assert_int_equal(cat_open(f->path, &cat, &err), FG_EINVAL);
    assert_null(cat);
    assert_int_equal(err.status, FG_EINVAL);
    snprintf(newer, sizeof newer, "%d", cat_schema_version() + 1);
    snprintf(ours, sizeof ours, "%d", cat_schema_version());
    tu_assert_contains(err.msg, "newer");
    tu_assert_contains(err.msg, newer);
    tu_assert_contains(err.msg, ours);
    tu_assert_contains(err.msg, f->path);
    /* The file is left as it was: not downgraded, not migrated. */
    assert_int_equal(file_int(f->path, "PRAGMA user_version"), cat_schema_version() + 1);
}

static void test_not_sqlite_refused(void **state)
{
    fixture *f = *state;
    char text[4096];
    fg_error err;
    fg_status st;
    cat_catalog *cat = (cat_catalog *)1;
    FILE *fp;
    char back[sizeof text];
    size_t n;

    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = (char)('a' + i % 26);
    text[sizeof text - 1] = '\0';
    tu_write_file(f->path, text);

    st = cat_open(f->path, &cat, &err);
    if (st != FG_EDB && st != FG_EIO)
        fail_msg("cat_open of a text file: status %d (%s)", st, err.msg);
    assert_null(cat);
    assert_int_equal(err.status, st);
    tu_assert_contains(err.msg, f->path);

    /* Not overwritten. */
    fp = fopen(f->path, "r");
    assert_non_null(fp);
    n = fread(back, 1, sizeof back, fp);
    fclose(fp);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(back, text, n);
}

static void test_parent_not_a_directory(void **state)
{
    fixture *f = *state;
    char path[4300];
    fg_error err;
    cat_catalog *cat = NULL;
    fg_status st;

    tu_write_file(f->path, "a file");
    snprintf(path, sizeof path, "%s/catalogue.db", f->path);
    st = cat_open(path, &cat, &err);
    assert_int_not_equal(st, FG_OK);
    assert_int_equal(err.status, st);
    assert_null(cat);
    tu_assert_contains(err.msg, f->path);

    /* A directory where the file should be. */
    st = cat_open(f->dir, &cat, &err);
    if (st != FG_EIO && st != FG_EDB)
        fail_msg("cat_open of a directory: status %d (%s)", st, err.msg);
    assert_int_equal(err.status, st);
    assert_null(cat);
    tu_assert_contains(err.msg, f->dir);
}

/* ---- cat_offering_put, local writes ------------------------------------ */

static void test_put_local_revs(void **state)
{
    fixture *f = *state;
    json_t *a = offering("local", "Lean flow coaching"), *b, *got;
    cat_put_result res = (cat_put_result)-1;
    fg_error err;
    char now[FG_TIMESTAMP_SIZE];

    f->cat = tu_open_catalog(f->dir, "catalogue.db");

    /* add -> rev 1, stamped now. */
    fg_now_iso(now);
    assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_ADDED);
    got = get(f->cat, "RTF/local");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 1);
    assert_true(
        fg_valid_timestamp(json_string_value(json_object_get(got, "updated_at"))));
    /* Within the seconds this test takes. */
    assert_true(strcmp(json_string_value(json_object_get(got, "updated_at")), now) >= 0);
    assert_null(json_object_get(got, "withdrawn_at"));
    assert_string_equal(json_string_value(json_object_get(got, "status")), "active");
    {
        /* The stored content is what was put. */
        json_t *content = json_deep_copy(got);
        json_object_del(content, "rev");
        json_object_del(content, "updated_at");
        assert_true(json_equal(content, a));
        json_decref(content);
    }
    json_decref(got);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_tag"), 3);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_region"), 2);

    /* Same content -> unchanged: no new rev, updated_at kept (set to a
       known old value first, so "kept" is observable). */
    set_updated_at(f->cat, "RTF/local", "2020-01-02T03:04:05Z");
    res = (cat_put_result)-1;
    assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_UNCHANGED);
    got = get(f->cat, "RTF/local");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 1);
    assert_string_equal(json_string_value(json_object_get(got, "updated_at")),
                        "2020-01-02T03:04:05Z");
    json_decref(got);

    /* Changed content -> rev 2, new updated_at, lists and index follow. */
    b = offering("local", "Quokka husbandry");
    json_object_set_new(b, "tags", json_pack("[s]", "wildlife"));
    assert_int_equal(put(f->cat, b, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_CHANGED);
    got = get(f->cat, "RTF/local");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 2);
    assert_string_not_equal(json_string_value(json_object_get(got, "updated_at")),
                            "2020-01-02T03:04:05Z");
    assert_string_equal(json_string_value(json_object_get(got, "title")),
                        "Quokka husbandry");
    json_decref(got);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), 1);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_tag"), 1);
    assert_int_equal(
        tu_sql_int(f->cat, "SELECT count(*) FROM offering_fts WHERE offering_fts MATCH "
                           "'quokka'"),
        1);
    assert_int_equal(
        tu_sql_int(f->cat, "SELECT count(*) FROM offering_fts WHERE offering_fts MATCH "
                           "'lean'"),
        0);

    /* And once more: 3. */
    assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_CHANGED);
    assert_int_equal(rev_of(f->cat, "RTF/local"), 3);

    json_decref(a);
    json_decref(b);
}

/* ---- cat_offering_put with a given rev (import, sync) ------------------ */

static void test_put_given_rev(void **state)
{
    fixture *f = *state;
    json_t *v1 = offering("remote", "First words"), *v2 = offering("remote", "Second"),
           *v3 = offering("remote", "Third"), *got;
    cat_put_result res;
    fg_error err;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");

    /* A new id keeps the given rev and updated_at. */
    assert_int_equal(put(f->cat, v1, 5, "2026-01-01T00:00:00Z", &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_ADDED);
    got = get(f->cat, "RTF/remote");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 5);
    assert_string_equal(json_string_value(json_object_get(got, "updated_at")),
                        "2026-01-01T00:00:00Z");
    json_decref(got);

    /* A higher rev replaces. */
    assert_int_equal(put(f->cat, v2, 7, "2026-02-01T00:00:00Z", &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_CHANGED);
    got = get(f->cat, "RTF/remote");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 7);
    assert_string_equal(json_string_value(json_object_get(got, "title")), "Second");
    assert_string_equal(json_string_value(json_object_get(got, "updated_at")),
                        "2026-02-01T00:00:00Z");
    json_decref(got);

    /* Equal rev, equal content: nothing happens (not even updated_at). */
    assert_int_equal(put(f->cat, v2, 7, "2026-03-01T00:00:00Z", &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_UNCHANGED);
    got = get(f->cat, "RTF/remote");
    assert_string_equal(json_string_value(json_object_get(got, "updated_at")),
                        "2026-02-01T00:00:00Z");
    json_decref(got);

    /* Equal rev, other content: conflict. */
    assert_int_equal(put(f->cat, v3, 7, NULL, &res, &err), FG_ECONFLICT);
    assert_int_equal(err.status, FG_ECONFLICT);
    tu_assert_contains(err.msg, "RTF/remote");
    tu_assert_contains(err.msg, "7");

    /* Lower rev: conflict, whatever the content. */
    assert_int_equal(put(f->cat, v3, 6, NULL, &res, &err), FG_ECONFLICT);
    tu_assert_contains(err.msg, "RTF/remote");
    tu_assert_contains(err.msg, "6");
    tu_assert_contains(err.msg, "7");
    assert_int_equal(put(f->cat, v2, 1, NULL, &res, &err), FG_ECONFLICT);

    got = get(f->cat, "RTF/remote");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 7);
    assert_string_equal(json_string_value(json_object_get(got, "title")), "Second");
    json_decref(got);

    /* A local change after a remote one continues from its rev. */
    assert_int_equal(put(f->cat, v3, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_CHANGED);
    assert_int_equal(rev_of(f->cat, "RTF/remote"), 8);

    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
}

/* The highest rev normalize accepts can still take a local change. */
static void test_highest_rev_then_local_change(void **state)
{
    fixture *f = *state;
    json_t *in = tu_spec_example(), *content = NULL, *changed;
    cat_meta meta;
    cat_put_result res;
    fg_error err;
    int64_t max_rev = 0;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    /* Find the largest rev normalize accepts, from above. */
    for (int64_t r = INT64_MAX; r > 0; r /= 2) {
        json_object_set_new(in, "rev", json_integer(r));
        if (cat_offering_normalize(in, "", &content, &meta, &err) == FG_OK) {
            max_rev = r;
            break;
        }
    }
    assert_true(max_rev > 1000000);
    assert_true(max_rev < INT64_MAX);
    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_offering_put(f->cat, content, &meta, "import", &res, &err),
                     FG_OK);
    assert_int_equal(cat_commit(f->cat, &err), FG_OK);
    changed = json_deep_copy(content);
    json_object_set_new(changed, "capacity", json_integer(9));
    assert_int_equal(put(f->cat, changed, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(rev_of(f->cat, "RTF/integrated-care-community-nursing"),
                     max_rev + 1);
    json_decref(changed);
    json_decref(content);
    json_decref(in);
}

/* ---- withdrawal ---------------------------------------------------------- */

static void test_withdrawn_sets_withdrawn_at(void **state)
{
    fixture *f = *state;
    json_t *a = offering("going", "Going away"), *w, *w2, *got;
    cat_put_result res;
    fg_error err;
    cat_meta meta;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);

    w = json_deep_copy(a);
    json_object_set_new(w, "status", json_string("withdrawn"));
    assert_int_equal(put(f->cat, w, 0, NULL, &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_CHANGED);
    got = get(f->cat, "RTF/going");
    assert_string_equal(json_string_value(json_object_get(got, "status")), "withdrawn");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 2);
    assert_true(
        fg_valid_timestamp(json_string_value(json_object_get(got, "withdrawn_at"))));
    json_decref(got);

    /* A later change while withdrawn keeps the original withdrawal date. */
    assert_int_equal(sqlite3_exec(cat_db(f->cat),
                                  "UPDATE offering SET withdrawn_at = "
                                  "'2021-05-06T07:08:09Z' WHERE id = 'RTF/going'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    w2 = json_deep_copy(w);
    json_object_set_new(w2, "title", json_string("Gone for good"));
    assert_int_equal(put(f->cat, w2, 0, NULL, &res, &err), FG_OK);
    got = get(f->cat, "RTF/going");
    assert_string_equal(json_string_value(json_object_get(got, "withdrawn_at")),
                        "2021-05-06T07:08:09Z");
    json_decref(got);

    /* Reactivated: no withdrawal date any more. */
    assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);
    got = get(f->cat, "RTF/going");
    assert_string_equal(json_string_value(json_object_get(got, "status")), "active");
    assert_null(json_object_get(got, "withdrawn_at"));
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 4);
    json_decref(got);

    /* From import or sync, a given withdrawal date is kept. */
    memset(&meta, 0, sizeof meta);
    meta.rev = 10;
    snprintf(meta.updated_at, sizeof meta.updated_at, "2026-04-01T00:00:00Z");
    snprintf(meta.withdrawn_at, sizeof meta.withdrawn_at, "2026-03-31T12:00:00Z");
    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_offering_put(f->cat, w, &meta, "sync:hub", &res, &err), FG_OK);
    assert_int_equal(cat_commit(f->cat, &err), FG_OK);
    got = get(f->cat, "RTF/going");
    assert_string_equal(json_string_value(json_object_get(got, "withdrawn_at")),
                        "2026-03-31T12:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(got, "rev")), 10);
    json_decref(got);

    json_decref(a);
    json_decref(w);
    json_decref(w2);
}

static void test_get_not_found(void **state)
{
    fixture *f = *state;
    json_t *o = (json_t *)1;
    fg_error err;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    assert_int_equal(cat_offering_get(f->cat, "RTF/nowhere", &o, &err), FG_ENOTFOUND);
    assert_null(o);
    assert_int_equal(err.status, FG_ENOTFOUND);
    tu_assert_contains(err.msg, "RTF/nowhere");
    /* Ids are matched exactly, not as patterns. */
    {
        json_t *a = offering("exact", "Exact");
        cat_put_result res;
        assert_int_equal(put(f->cat, a, 0, NULL, &res, &err), FG_OK);
        assert_int_equal(cat_offering_get(f->cat, "RTF/%", &o, &err), FG_ENOTFOUND);
        assert_int_equal(cat_offering_get(f->cat, "rtf/exact", &o, &err), FG_ENOTFOUND);
        assert_int_equal(cat_offering_get(f->cat, "RTF/exact", &o, &err), FG_OK);
        json_decref(o);
        json_decref(a);
    }
}

/* A rolled-back put leaves nothing behind. */
static void test_put_rolled_back(void **state)
{
    fixture *f = *state;
    json_t *a = offering("rolled", "Rolled back"), *o = NULL;
    cat_put_result res;
    fg_error err;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_offering_put(f->cat, a, NULL, "import", &res, &err), FG_OK);
    assert_int_equal(res, CAT_PUT_ADDED);
    cat_rollback(f->cat);
    assert_int_equal(cat_offering_get(f->cat, "RTF/rolled", &o, &err), FG_ENOTFOUND);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_tag"), 0);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering_fts WHERE "
                                        "offering_fts MATCH 'rolled'"),
                     0);
    json_decref(a);
}

/* The feed sequence of offering `slug` (0 when it has no feed row). */
static int64_t feed_seq(cat_catalog *cat, const char *slug)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT seq FROM feed WHERE kind = 'offering'"
             " AND key = 'RTF/%s' AND deleted_at IS NULL), 0)",
             slug);
    return tu_sql_int(cat, sql);
}

/* Every new offering joins the change feed at the next sequence, whether
   added alone or in a bulk write (which stamps them when it ends, in the
   order they were added); a change moves it to the end. */
static void test_feed_stamps_new_offerings(void **state)
{
    fixture *f = *state;
    const char *bulk[] = {"bulk-a", "bulk-b", "bulk-c"};
    json_t *o;
    cat_put_result res;
    fg_error err;
    int64_t start;

    f->cat = tu_open_catalog(f->dir, "catalogue.db");
    start = tu_sql_int(f->cat, "SELECT value FROM counter WHERE name = 'feed'");
    o = offering("single", "Added alone");
    assert_int_equal(put(f->cat, o, 0, NULL, &res, &err), FG_OK);
    json_decref(o);
    assert_int_equal(feed_seq(f->cat, "single"), start + 1);

    assert_int_equal(cat_begin(f->cat, &err), FG_OK);
    assert_int_equal(cat_bulk_begin(f->cat, &err), FG_OK);
    for (size_t i = 0; i < 3; i++) {
        o = offering(bulk[i], "Added in bulk");
        assert_int_equal(cat_offering_put(f->cat, o, NULL, "import", &res, &err), FG_OK);
        json_decref(o);
    }
    assert_int_equal(cat_bulk_end(f->cat, &err), FG_OK);
    assert_int_equal(cat_commit(f->cat, &err), FG_OK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(feed_seq(f->cat, bulk[i]), start + 2 + (int64_t)i);

    o = offering("single", "Changed");
    assert_int_equal(put(f->cat, o, 0, NULL, &res, &err), FG_OK);
    json_decref(o);
    assert_int_equal(feed_seq(f->cat, "single"), start + 5);
    assert_int_equal(tu_sql_int(f->cat, "SELECT value FROM counter WHERE name = 'feed'"),
                     start + 5);
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM feed"), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_page_size_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_needs_seed_reports_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_is_noop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_sqlite_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_not_a_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_local_revs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_given_rev, setup, teardown),
        cmocka_unit_test_setup_teardown(test_highest_rev_then_local_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_sets_withdrawn_at, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_stamps_new_offerings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
