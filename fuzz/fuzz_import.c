/*
 * Import: arbitrary bytes parsed as `fgcat import` parses a file (Jansson,
 * duplicate keys refused) through cat_import into a seeded in-memory
 * catalogue with the built-in plugins loaded.
 *
 * Checks, beyond the sanitizers: import is all or nothing (a refused file
 * leaves the offering count as it was; an accepted one accounts for every
 * record), the full-text index stays sound, and error messages are one
 * line.  The catalogue is restored
 * (fz_restore) only after an input changed it.
 */
#include "fuzz.h"

static cat_catalog *cat;

static void close_cat(void)
{
    cat_close(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int64_t seeded;
    json_t *array = fz_json(data, size, JSON_REJECT_DUPLICATES);
    cat_import_report rep;
    int64_t before;
    fg_error err;

    if (!array)
        return 0;
    if (!cat) {
        cat = fz_catalog(NULL);
        fz_save(cat);
        seeded = fz_offering_count(cat);
        atexit(close_cat);
    }
    before = fz_changes(cat);
    if (cat_import(cat, fz_runtime(), array, "fuzz.json", &rep, &err) == FG_OK) {
        if (rep.added + rep.changed + rep.unchanged != json_array_size(array))
            fz_fail("import accounted for %zu of %zu records",
                    rep.added + rep.changed + rep.unchanged, json_array_size(array));
        if (fz_offering_count(cat) != seeded + (int64_t)rep.added)
            fz_fail("import added %zu offerings but the count went from %lld to %lld",
                    rep.added, (long long)seeded, (long long)fz_offering_count(cat));
    } else {
        fz_check_message(&err);
        if (fz_offering_count(cat) != seeded)
            fz_fail("a refused import changed the offering count");
    }
    if (fz_changes(cat) != before) {
        fz_check_fts(cat, "an import");
        cat = fz_restore(cat);
    }
    json_decref(array);
    return 0;
}
