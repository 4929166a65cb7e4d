/*
 * Shared by the fuzz targets (docs/fuzzing.md): the libFuzzer entry point
 * each target defines, and the fixtures they build once per process.
 *
 * Every target is a plain LLVMFuzzerTestOneInput, so the same source links
 * with libFuzzer (clang, -DFGCAT_FUZZ=ON) or with replay_main.c, which
 * replays the committed corpus in the normal test build.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* Runs one input; libFuzzer calls it, and so does replay_main.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The organisation the push and hub targets act as. */
#define FZ_ORG "TST"

/* A fixed request made by FZ_ORG for FZ_OFFERING, stored in every fixture
   catalogue so that inputs can move it. */
#define FZ_REQUEST_ID "00000000-0000-4000-8000-000000000001"
#define FZ_OFFERING "RTF/integrated-care-community-nursing"

/* The built-in plugins, loaded once (aborts unless all four load).
   Borrowed; freed at exit. */
rt_runtime *fz_runtime(void);

/*
 * A fixture catalogue: in memory (or in the file `path` when not NULL),
 * seeded with the built-in plugins' offerings and holding FZ_REQUEST_ID.
 * New; aborts on failure.
 */
cat_catalog *fz_catalog(const char *path);

/* Stores FZ_REQUEST_ID as the fixture has it (back to "submitted"). */
void fz_put_fixed_request(cat_catalog *cat);

/*
 * The in-memory catalogue a target runs its inputs on: made on the first
 * call by `build` (NULL: fz_catalog(NULL)) and saved, then the one the
 * last input left, or a fresh copy of the saved one after fz_settle;
 * closed at exit.  A copy takes well under a millisecond, where building
 * the fixture again takes tens.
 */
cat_catalog *fz_fixture(cat_catalog *(*build)(void));

/*
 * After an input on the fixture `cat`, which had made `before` changes
 * (fz_changes): when the input changed it, checks its full-text index
 * (`what` names the input in the failure, e.g. "a push") and puts a fresh
 * copy of the saved fixture in its place for the next input.
 */
void fz_settle(cat_catalog *cat, int64_t before, const char *what);

/* Runs FTS5's integrity-check on the offering index; fails the input when
   `after` (what the input did) left it corrupt. */
void fz_check_fts(cat_catalog *cat, const char *after);

/* sqlite3_total_changes of the catalogue: compare before and after an
   input to know whether the fixture must be rebuilt. */
int64_t fz_changes(cat_catalog *cat);

/*
 * What every import target checks once an import into the fixture `cat`
 * has returned `st` (with `rep` and `err` as it left them), when `cat` had
 * made `before` changes (fz_changes): all or nothing (a refusal leaves the
 * offering count as the fixture's, an acceptance adds what it reports), a
 * one-line message; then fz_settle.
 */
void fz_after_import(cat_catalog *cat, fg_status st, const cat_import_report *rep,
                     const fg_error *err, int64_t before);

/* Parses the input as JSON with Jansson `flags`; new, or NULL. */
json_t *fz_json(const uint8_t *data, size_t size, size_t flags);

/* The input as a NUL-terminated string (cut at its first NUL); new. */
char *fz_string(const uint8_t *data, size_t size);

/* Checks the promise that an error message is one line of printable text;
   fails the input otherwise. */
void fz_check_message(const fg_error *err);

/* Reports a broken promise the sanitizers cannot see, and aborts (so
   libFuzzer saves the input). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* FUZZ_H */
