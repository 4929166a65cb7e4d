/*
 * Import: arbitrary bytes parsed as `fgcat import` parses a file (Jansson,
 * duplicate keys refused) through cat_import into a seeded in-memory
 * catalogue with the built-in plugins loaded.
 *
 * Checks, beyond the sanitizers: import is all or nothing (a refused file
 * leaves the offering count as it was; an accepted one accounts for every
 * record), the full-text index stays sound, and error messages are one
 * line.  The fixture is restored (fz_settle) only after an input changed
 * it.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *array = fz_json(data, size, JSON_REJECT_DUPLICATES);
    cat_import_report rep;
    int64_t before;
    fg_error err;
    fg_status st;

    cat_catalog *cat;

    if (!array)
        return 0;
    cat = fz_fixture(NULL);
    before = fz_changes(cat);
    st = cat_import(cat, fz_runtime(), array, "fuzz.json", &rep, &err);
    if (st == FG_OK && rep.added + rep.changed + rep.unchanged != json_array_size(array))
        fz_fail("import accounted for %zu of %zu records",
                rep.added + rep.changed + rep.unchanged, json_array_size(array));
    fz_after_import(cat, st, &rep, &err, before);
    json_decref(array);
    return 0;
}
