/*
 * Search: arbitrary text through cat_fts_query, then cat_search (ranked,
 * with facets, withdrawn offerings in or out) on a seeded in-memory
 * catalogue.
 *
 * Checks cat_fts_query's promise that no input can break the query: a
 * search either runs or is refused as invalid input (FG_EINVAL, a one-line
 * message), never an FTS5 syntax error (FG_EDB).  The text is cut at its
 * first NUL, as a C string from the command line or a query argument is.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_string(data, size), *fts = NULL;
    cat_query q = {.text = text, .max_price_pence = -1, .limit = 20};
    json_t *results = NULL, *facets = NULL;
    cat_catalog *cat = fz_fixture(NULL);
    fg_error err;
    fg_status st;

    st = cat_fts_query(text, &fts, &err);
    if (st == FG_OK) {
        if (!fts[0])
            fz_fail("cat_fts_query made an empty query");
    } else if (st == FG_EINVAL) {
        fz_check_message(&err);
    } else {
        fz_fail("cat_fts_query failed with %s: %s", fg_strerror(st), err.msg);
    }
    free(fts);

    for (int pass = 0; pass < 2; pass++) {
        q.facets = pass == 0;
        q.include_withdrawn = pass == 1;
        st = cat_search(cat, &q, &results, q.facets ? &facets : NULL, &err);
        if (st == FG_EINVAL)
            fz_check_message(&err);
        else if (st != FG_OK)
            fz_fail("search for \"%s\" failed with %s: %s", text, fg_strerror(st), err.msg);
        else if (!json_is_array(results) || (q.facets && !json_is_object(facets)))
            fz_fail("search gave no results array or no facets");
        json_decref(results);
        json_decref(facets);
        results = facets = NULL;
    }
    free(text);
    return 0;
}
