#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *tu_tmpdir(void)
{
    static char path[4096];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/fgcat-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(path))
        fail_msg("mkdtemp failed");
    return path;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* ---- catalogue helpers ------------------------------------------------ */

const char *tu_test_plugin(const char *name)
{
    static char paths[4][1024];
    static unsigned next;
    char *buf = paths[next++ % 4];
    snprintf(buf, sizeof paths[0], "%s/%s/%s.so", FGCAT_TEST_PLUGIN_DIR, name, name);
    return buf;
}

cat_catalog *tu_open_catalog(const char *dir, const char *name)
{
    char path[4200];
    cat_catalog *cat = NULL;
    fg_error err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (cat_open(path, &cat, &err) != FG_OK)
        fail_msg("cat_open %s: %s", path, err.msg);
    return cat;
}

rt_runtime *tu_runtime(const char *dirs, size_t min_loaded)
{
    rt_runtime *rt = rt_create();
    size_t loaded = 0;
    assert_non_null(rt);
    rt_load_path(rt, dirs);
    for (size_t i = 0; i < rt_plugin_count(rt); i++)
        if (rt_plugin_at(rt, i)->state == RT_LOADED)
            loaded++;
    if (loaded < min_loaded)
        fail_msg("%zu plugins loaded from %s, expected at least %zu", loaded, dirs,
                 min_loaded);
    return rt;
}

bool tu_needs_seed(cat_catalog *cat)
{
    bool needs = false;
    fg_error err;
    if (cat_needs_seed(cat, &needs, &err) != FG_OK)
        fail_msg("cat_needs_seed: %s", err.msg);
    return needs;
}

int64_t tu_sql_int(cat_catalog *cat, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v;
    if (sqlite3_prepare_v2(cat_db(cat), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(cat_db(cat)));
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        fail_msg("%s: no row (%s)", sql, sqlite3_errmsg(cat_db(cat)));
    }
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

json_t *tu_json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        fail_msg("bad JSON in test (%s): %s", jerr.text, text);
    return j;
}

json_t *tu_spec_example(void)
{
    return tu_json(
        "{\"id\": \"RTF/integrated-care-community-nursing\","
        " \"area\": \"integrated-care-training\","
        " \"provider\": {\"ods\": \"RTF\","
        "   \"name\": \"Northumbria Healthcare NHS Foundation Trust\"},"
        " \"title\": \"Integrated care for community nursing teams\","
        " \"summary\": \"Ten-day blended programme ...\","
        " \"description\": \"Longer text ...\","
        " \"delivery\": \"blended\","
        " \"duration_days\": 10,"
        " \"capacity\": 4,"
        " \"price\": {\"amount_pence\": 185000, \"currency\": \"GBP\","
        "   \"unit\": \"per-delegate\"},"
        " \"regions\": [\"England\", \"International\"],"
        " \"tags\": [\"nursing\", \"community\", \"older-people\"],"
        " \"contact\": \"partnerships@example.nhs.uk\","
        " \"attributes\": {\"cohort_min\": 8, \"cohort_max\": 24, \"cpd_hours\": 60},"
        " \"status\": \"active\","
        " \"rev\": 3,"
        " \"updated_at\": \"2026-11-22T10:00:00Z\"}");
}

const char *tu_date_in(int days)
{
    static char buf[4][16];
    static int next;
    char *out = buf[next++ % 4];
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

int tu_setup(void **state)
{
    tu_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    f->cat = tu_open_catalog(f->dir, "cat.db");
    f->rt = tu_runtime(FGCAT_BUILTIN_PLUGIN_DIR, 4);
    *state = f;
    return 0;
}

int tu_setup_seeded(void **state)
{
    tu_fixture *f;
    cat_refresh_report rep;
    fg_error err;
    tu_setup(state);
    f = *state;
    if (cat_seed(f->cat, f->rt, &rep, &err) != FG_OK)
        fail_msg("cat_seed: %s", err.msg);
    assert_int_equal(rep.plugins_ok, 4);
    return 0;
}

int tu_teardown(void **state)
{
    tu_fixture *f = *state;
    cat_close(f->cat);
    rt_free(f->rt);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

cat_import_report tu_import(cat_catalog *cat, const rt_runtime *rt, json_t *array)
{
    cat_import_report rep;
    fg_error err;
    if (cat_import(cat, rt, array, "test", &rep, &err) != FG_OK)
        fail_msg("cat_import: %s", err.msg);
    return rep;
}

void tu_assert_contains_at(const char *haystack, const char *needle, const char *file,
                           int line)
{
    if (haystack && needle && strstr(haystack, needle))
        return;
    print_error("expected \"%s\" in \"%s\"\n", needle ? needle : "(null)",
                haystack ? haystack : "(null)");
    _fail(file, line);
}
