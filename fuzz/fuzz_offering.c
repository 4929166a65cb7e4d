/*
 * Offering decoding and validation: arbitrary bytes parsed by Jansson (any
 * value, NUL escapes allowed) through cat_offering_normalize, then the
 * area plugin's validate_offering.
 *
 * Beyond the sanitizers it checks two promises: an error message is one
 * line of printable text, and the canonical form is a fixed point (normalizing
 * it again gives the same bytes, which cat_offering_put relies on to tell
 * changed content from unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = fz_json(data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL);
    json_t *out = NULL, *again = NULL;
    char *a, *b;
    cat_meta meta;
    fg_error err;

    if (!in)
        return 0;
    if (cat_offering_normalize(in, "$[0]", &out, &meta, &err) != FG_OK) {
        fz_check_message(&err);
        json_decref(in);
        return 0;
    }
    if (cat_offering_normalize(out, "", &again, NULL, &err) != FG_OK)
        fz_fail("the canonical form is refused: %s", err.msg);
    a = json_dumps(out, JSON_COMPACT);
    b = json_dumps(again, JSON_COMPACT);
    if (!a || !b || strcmp(a, b) != 0)
        fz_fail("the canonical form is not a fixed point:\n%s\n%s", a, b);
    free(a);
    free(b);
    if (cat_offering_check_area(fz_runtime(), out, "$[0]", &err) != FG_OK)
        fz_check_message(&err);
    json_decref(again);
    json_decref(out);
    json_decref(in);
    return 0;
}
