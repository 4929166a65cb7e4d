/*
 * CSV and FHIR import: arbitrary bytes read as `fgcat import --format csv`
 * (cat_import_csv) or `--format fhir` (cat_import_fhir) into a seeded
 * in-memory catalogue with the built-in plugins loaded.  The first byte
 * chooses: even for CSV, odd for FHIR; the rest is the file.
 *
 * Checks, beyond the sanitizers: all or nothing (a refused file leaves the
 * offering count as it was; an accepted one adds what it reports), the
 * full-text index stays sound, and error messages are one line.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cat_catalog *cat;
    cat_import_report rep;
    int64_t before;
    fg_error err;
    fg_status st;
    char *text;

    if (size < 1)
        return 0;
    cat = fz_fixture(NULL);
    /* The CLI hands the library a NUL-terminated copy of the file. */
    text = malloc(size);
    if (!text)
        abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    before = fz_changes(cat);
    if (data[0] % 2 == 0)
        st = cat_import_csv(cat, fz_runtime(), text, size - 1, "fuzz.csv", &rep, &err);
    else
        st = cat_import_fhir(cat, fz_runtime(), text, size - 1, "fuzz.json", &rep, &err);
    fz_after_import(cat, st, &rep, &err, before);
    free(text);
    return 0;
}
