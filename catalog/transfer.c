/*
 * Bulk import and export of offerings as JSON arrays (the shape of SPEC §4,
 * one object per offering).  Import is all-or-nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define MAX_IMPORT_RECORDS 2000000

fg_status cat_import(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                     const char *source, cat_import_report *rep, fg_error *err)
{
    size_t n = json_array_size(array);
    json_t **contents = NULL;
    cat_meta *metas = NULL;
    json_t *seen = NULL;
    fg_status st = FG_OK;
    size_t done = 0;

    memset(rep, 0, sizeof *rep);
    if (!json_is_array(array))
        return fg_fail(err, FG_EINVAL, "%s: expected a JSON array of offerings", source);
    if (n > MAX_IMPORT_RECORDS)
        return fg_fail(err, FG_EINVAL, "%s: %zu records, more than the %d allowed", source,
                       n, MAX_IMPORT_RECORDS);
    contents = calloc(n ? n : 1, sizeof(json_t *));
    metas = calloc(n ? n : 1, sizeof *metas);
    seen = json_object();
    if (!contents || !metas) {
        st = fg_fail(err, FG_ENOMEM, "out of memory");
        goto out;
    }

    /* Validate everything before writing anything. */
    for (size_t i = 0; i < n; i++) {
        char where[160];
        const char *id = json_string_value(json_object_get(json_array_get(array, i), "id"));
        /* Name the record by its id only when that is printable: a message
           is one line, and an id with a control character is refused anyway. */
        if (id && fg_has_control(id, false))
            id = NULL;
        snprintf(where, sizeof where, "%s: record %zu%s%.80s%s", source, i + 1,
                 id ? " (" : "", id ? id : "", id ? ")" : "");
        st = cat_offering_normalize(json_array_get(array, i), where, &contents[i],
                                    &metas[i], err);
        if (st == FG_OK)
            st = cat_offering_check_area(rt, contents[i], where, err);
        if (st != FG_OK)
            goto out;
        id = json_string_value(json_object_get(contents[i], "id"));
        if (json_object_get(seen, id)) {
            st = fg_fail(err, FG_EINVAL, "%s: the file holds id %s more than once", where,
                         id);
            goto out;
        }
        json_object_set_new(seen, id, json_true());
    }

    if ((st = cat_begin(cat, err)) != FG_OK)
        goto out;
    if ((st = cat_bulk_begin(cat, err)) != FG_OK) {
        cat_rollback(cat);
        goto out;
    }
    for (; done < n; done++) {
        cat_put_result res;
        st = cat_offering_put(cat, contents[done], &metas[done], "import", &res, err);
        if (st != FG_OK) {
            if (st == FG_ECONFLICT) {
                char msg[FG_ERROR_MSG_SIZE];
                snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
                fg_fail(err, st, "%s: record %zu: %s", source, done + 1, msg);
            }
            cat_rollback(cat);
            memset(rep, 0, sizeof *rep);
            goto out;
        }
        if (res == CAT_PUT_ADDED)
            rep->added++;
        else if (res == CAT_PUT_CHANGED)
            rep->changed++;
        else
            rep->unchanged++;
    }
    if ((st = cat_bulk_end(cat, err)) != FG_OK || (st = cat_commit(cat, err)) != FG_OK) {
        cat_rollback(cat);
        memset(rep, 0, sizeof *rep);
    }
out:
    for (size_t i = 0; contents && i < n; i++)
        json_decref(contents[i]);
    free(contents);
    free(metas);
    json_decref(seen);
    return st;
}

static const char sql_export[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM " ORDER BY o.id";

fg_status cat_export(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_export, err);
    json_t *arr;
    int rc;
    *out = NULL;
    if (!st)
        return FG_EDB;
    arr = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = cat_offering_from_stmt(st, 0);
        if (!o) {
            sqlite3_reset(st);
            json_decref(arr);
            return fg_fail(err, FG_EDB, "an offering is stored corrupt");
        }
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return cat_db_fail(cat, err, "exporting");
    }
    *out = arr;
    return FG_OK;
}
