/*
 * Fixtures shared by the fuzz targets: the built-in plugins and small
 * seeded catalogues, built once per process and restored from a saved
 * image after an input changed them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"

static rt_runtime *runtime;

static void free_runtime(void)
{
    rt_free(runtime);
    runtime = NULL;
}

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("fuzz: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

rt_runtime *fz_runtime(void)
{
    size_t loaded = 0;
    if (runtime)
        return runtime;
    runtime = rt_create();
    if (!runtime)
        fz_fail("out of memory");
    rt_load_path(runtime, FGCAT_BUILTIN_PLUGIN_DIR);
    for (size_t i = 0; i < rt_plugin_count(runtime); i++)
        loaded += rt_plugin_at(runtime, i)->state == RT_LOADED;
    if (loaded != 4)
        fz_fail("expected the 4 built-in plugins in %s, loaded %zu", FGCAT_BUILTIN_PLUGIN_DIR,
                loaded);
    atexit(free_runtime);
    return runtime;
}

/* FZ_REQUEST_ID: submitted by FZ_ORG for FZ_OFFERING (provider RTF). */
static const char fixed_request[] =
    "{\"id\": \"" FZ_REQUEST_ID "\", \"offering_id\": \"" FZ_OFFERING "\","
    " \"provider\": {\"ods\": \"RTF\"},"
    " \"requester\": {\"ods\": \"" FZ_ORG "\", \"contact\": \"a@example.nhs.uk\"},"
    " \"quantity\": 1, \"start\": null, \"note\": null, \"status\": \"submitted\","
    " \"quote\": {\"amount_pence\": 185000, \"currency\": \"GBP\"}, \"rev\": 1,"
    " \"history\": [{\"status\": \"submitted\", \"at\": \"2026-11-22T10:00:00Z\","
    "               \"by\": \"" FZ_ORG "\"}],"
    " \"created_at\": \"2026-11-22T10:00:00Z\", \"updated_at\": \"2026-11-22T10:00:00Z\"}";

void fz_put_fixed_request(cat_catalog *cat)
{
    json_t *req = json_loads(fixed_request, 0, NULL);
    fg_error err;
    if (!req || cat_request_check(req, &err) != FG_OK || cat_begin(cat, &err) != FG_OK ||
        cat_request_store_locked(cat, req, 0, &err) != FG_OK || cat_commit(cat, &err) != FG_OK)
        fz_fail("fixture request: %s", req ? err.msg : "bad JSON");
    json_decref(req);
}

cat_catalog *fz_catalog(const char *path)
{
    cat_catalog *cat;
    cat_refresh_report rep;
    fg_error err;

    if (cat_open(path ? path : ":memory:", &cat, &err) != FG_OK ||
        cat_seed(cat, fz_runtime(), &rep, &err) != FG_OK)
        fz_fail("fixture catalogue: %s", err.msg);
    if (rep.plugins_refused || rep.added == 0)
        fz_fail("fixture catalogue: %zu plugins refused, %zu offerings", rep.plugins_refused,
                rep.added);
    fz_put_fixed_request(cat);
    return cat;
}

/* How many offerings the catalogue holds (-1 when it cannot tell). */
static int64_t offering_count(cat_catalog *cat)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(cat_db(cat), "SELECT count(*) FROM offering", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The saved fixture, and whether the next connection opened should get it. */
static unsigned char *image;
static sqlite3_int64 image_size;
static bool restoring, registered;

static void free_image(void)
{
    sqlite3_free(image);
    image = NULL;
}

/* An SQLite auto-extension, so it runs inside cat_open's sqlite3_open_v2,
   before any statement exists: loads the saved image into the new
   in-memory database, whose schema is then current, so cat_open's
   migrations have nothing to do. */
static int load_image(sqlite3 *db, char **msg, const struct sqlite3_api_routines *api)
{
    unsigned char *copy;
    (void)msg;
    (void)api;
    if (!restoring)
        return SQLITE_OK;
    copy = sqlite3_malloc64((sqlite3_uint64)image_size);
    if (!copy)
        return SQLITE_NOMEM;
    memcpy(copy, image, (size_t)image_size);
    return sqlite3_deserialize(db, "main", copy, image_size, image_size,
                               SQLITE_DESERIALIZE_FREEONCLOSE |
                                   SQLITE_DESERIALIZE_RESIZEABLE);
}

/* Saves `cat` as the image fixture copies are made of (once per process). */
static void save_image(cat_catalog *cat)
{
    free_image();
    image = sqlite3_serialize(cat_db(cat), "main", &image_size, 0);
    if (!image)
        fz_fail("cannot save the fixture catalogue");
    if (sqlite3_auto_extension((void (*)(void))load_image) != SQLITE_OK)
        fz_fail("cannot register the fixture loader");
    if (!registered)
        atexit(free_image);
    registered = true;
}

/* Closes `cat` and returns a new in-memory catalogue holding the image. */
static cat_catalog *restore_image(cat_catalog *cat)
{
    cat_catalog *fresh;
    fg_error err;
    if (!image)
        fz_fail("restoring the fixture before saving it");
    cat_close(cat);
    restoring = true;
    if (cat_open(":memory:", &fresh, &err) != FG_OK)
        fz_fail("restoring the fixture catalogue: %s", err.msg);
    restoring = false;
    return fresh;
}

/* The target's fixture, and how many offerings it holds when fresh. */
static cat_catalog *fixture;
static int64_t fixture_offerings;

static void close_fixture(void)
{
    cat_close(fixture);
    fixture = NULL;
}

cat_catalog *fz_fixture(cat_catalog *(*build)(void))
{
    if (fixture)
        return fixture;
    fixture = build ? build() : fz_catalog(NULL);
    save_image(fixture);
    fixture_offerings = offering_count(fixture);
    atexit(close_fixture);
    return fixture;
}

void fz_settle(cat_catalog *cat, int64_t before, const char *what)
{
    if (cat != fixture)
        fz_fail("fz_settle on a catalogue that is not the fixture");
    if (fz_changes(cat) == before)
        return;
    fz_check_fts(cat, what);
    fixture = restore_image(cat);
}

void fz_check_fts(cat_catalog *cat, const char *after)
{
    char *msg = NULL;
    if (sqlite3_exec(cat_db(cat),
                     "INSERT INTO offering_fts(offering_fts) VALUES ('integrity-check')", NULL,
                     NULL, &msg) != SQLITE_OK)
        fz_fail("the full-text index is corrupt after %s: %s", after,
                msg ? msg : sqlite3_errmsg(cat_db(cat)));
}

int64_t fz_changes(cat_catalog *cat)
{
    return sqlite3_total_changes64(cat_db(cat));
}

json_t *fz_json(const uint8_t *data, size_t size, size_t flags)
{
    return json_loadb((const char *)data, size, flags, NULL);
}

char *fz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fz_check_message(const fg_error *err)
{
    if (!err->msg[0])
        fz_fail("an error (%s) without a message", fg_strerror(err->status));
    if (fg_has_control(err->msg, false))
        fz_fail("an error message with a control character: \"%s\"", err->msg);
}

void fz_after_import(cat_catalog *cat, fg_status st, const cat_import_report *rep,
                     const fg_error *err, int64_t before)
{
    if (st == FG_OK) {
        if (offering_count(cat) != fixture_offerings + (int64_t)rep->added)
            fz_fail("import added %zu offerings but the count went from %lld to %lld",
                    rep->added, (long long)fixture_offerings, (long long)offering_count(cat));
    } else {
        fz_check_message(err);
        if (offering_count(cat) != fixture_offerings)
            fz_fail("a refused import changed the offering count");
    }
    fz_settle(cat, before, "an import");
}
