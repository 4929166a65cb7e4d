/*
 * prepare_all LISTING DB: prepares every statement of LISTING (a JSON
 * array of {"where", "sql"}, written by list_statements.py) through
 * cat_stmt on one new catalogue at DB, then asks for each again and checks
 * that it is the same cached statement.  Exit 0 when all hold; otherwise
 * one line per failure and exit 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalog/catalog.h"

int main(int argc, char **argv)
{
    json_t *list, *item;
    json_error_t jerr;
    cat_catalog *cat;
    fg_error err;
    sqlite3_stmt **first;
    size_t i, n, failed = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: prepare_all LISTING DB\n");
        return 2;
    }
    list = json_load_file(argv[1], 0, &jerr);
    if (!json_is_array(list)) {
        fprintf(stderr, "prepare_all: %s: %s\n", argv[1], jerr.text);
        return 1;
    }
    if (cat_open(argv[2], &cat, &err) != FG_OK) {
        fprintf(stderr, "prepare_all: %s\n", err.msg);
        return 1;
    }
    n = json_array_size(list);
    first = calloc(n ? n : 1, sizeof *first);
    /* Each "sql" string of the listing stays at one address while `list`
       lives, as a static statement does: the cache keys on it. */
    json_array_foreach(list, i, item) {
        const char *sql = json_string_value(json_object_get(item, "sql"));
        first[i] = cat_stmt(cat, sql, &err);
        if (!first[i]) {
            printf("FAIL %s: %s\n", json_string_value(json_object_get(item, "where")), err.msg);
            failed++;
        }
    }
    json_array_foreach(list, i, item) {
        const char *sql = json_string_value(json_object_get(item, "sql"));
        if (first[i] && cat_stmt(cat, sql, &err) != first[i]) {
            printf("FAIL %s: not served from the cache the second time\n",
                   json_string_value(json_object_get(item, "where")));
            failed++;
        }
    }
    free(first);
    cat_close(cat);
    json_decref(list);
    return failed ? 1 : 0;
}
