/*
 * Helpers shared by the unit tests: temporary directories and catalogues.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "catalog/catalog.h"

/* Creates a fresh empty directory under $TMPDIR (or /tmp) and returns its
   path (static storage, valid until the next call). */
const char *tu_tmpdir(void);

/* Removes a directory tree made by tu_tmpdir (best effort). */
void tu_rmtree(const char *path);

/* Writes `text` to `path`; fails the test on error. */
void tu_write_file(const char *path, const char *text);

/* The path of the test plugin `name` (tests/plugins), in one of four
   static buffers used in turn. */
const char *tu_test_plugin(const char *name);


/* ---- catalogue helpers (added for the catalogue library's tests) ---- */

/* Opens (creating) the catalogue `dir`/`name`; fails the test on error. */
cat_catalog *tu_open_catalog(const char *dir, const char *name);

/* A runtime with every plugin of the colon-separated `dirs` loaded; fails
   the test unless at least `min_loaded` plugins loaded.  New: rt_free(). */
rt_runtime *tu_runtime(const char *dirs, size_t min_loaded);

/* The first column of the first row of `sql` on `cat`'s connection, as an
   integer; fails the test on any SQLite error or an empty result. */
int64_t tu_sql_int(cat_catalog *cat, const char *sql);

/* Whether `cat` still needs its first seeding; fails the test when
   cat_needs_seed reports an error. */
bool tu_needs_seed(cat_catalog *cat);

/* Parses `text` (any JSON value, NUL escapes allowed); fails the test on
   error.  New. */
json_t *tu_json(const char *text);

/* The SPEC §4 example offering (valid for integrated-care-training). New. */
json_t *tu_spec_example(void);

/* Imports `array` (borrowed) and fails the test unless it succeeds. */
cat_import_report tu_import(cat_catalog *cat, const rt_runtime *rt, json_t *array);

/* Today + `days` as YYYY-MM-DD (UTC, as the host computes lead days), in
   one of four static buffers used in turn. */
const char *tu_date_in(int days);

/* What most catalogue tests start from: a fresh temporary directory with an
   empty catalogue `dir`/cat.db and a runtime with the four built-in
   plugins loaded. */
typedef struct tu_fixture {
    char dir[4096];
    cat_catalog *cat;
    rt_runtime *rt;
} tu_fixture;

/* cmocka setup and teardown of a tu_fixture in *state.  tu_setup_seeded
   also registers the built-in plugins' offerings, as a first use does.
   tu_teardown closes and removes everything tu_setup made. */
int tu_setup(void **state);
int tu_setup_seeded(void **state);
int tu_teardown(void **state);

/* Asserts that `haystack` contains `needle`, printing both when not. */
#define tu_assert_contains(haystack, needle)                                   \
    tu_assert_contains_at((haystack), (needle), __FILE__, __LINE__)
void tu_assert_contains_at(const char *haystack, const char *needle, const char *file,
                           int line);

#endif /* TESTUTIL_H */
