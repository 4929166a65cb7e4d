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

/*
 * An import in progress: one write transaction in bulk mode, each record
 * validated (SPEC §4, its area's plugin, no id twice) and stored as it
 * comes, so that nothing but the record at hand is held in memory.  Any
 * failure rolls the whole transaction back: all or nothing.
 */
typedef struct importer {
    cat_catalog *cat;
    const rt_runtime *rt;
    const char *source;
    cat_import_report *rep;
    json_t *seen; /* ids so far, as object keys */
    size_t count;
} importer;

static fg_status import_begin(importer *im, fg_error *err)
{
    fg_status st;
    memset(im->rep, 0, sizeof *im->rep);
    if ((st = cat_begin(im->cat, err)) != FG_OK)
        return st;
    if ((st = cat_bulk_begin(im->cat, err)) != FG_OK) {
        cat_rollback(im->cat);
        return st;
    }
    im->seen = json_object();
    return FG_OK;
}

/* Commits when everything went in (st is FG_OK), rolls back otherwise. */
static fg_status import_end(importer *im, fg_status st, fg_error *err)
{
    json_decref(im->seen);
    im->seen = NULL;
    if (st == FG_OK)
        st = cat_bulk_end(im->cat, err);
    if (st == FG_OK)
        st = cat_commit(im->cat, err);
    if (st != FG_OK) {
        cat_rollback(im->cat);
        memset(im->rep, 0, sizeof *im->rep);
    }
    return st;
}

static fg_status import_record(importer *im, const json_t *record, fg_error *err)
{
    char where[160];
    const char *id = json_string_value(json_object_get(record, "id"));
    json_t *content = NULL;
    cat_meta meta;
    cat_put_result res;
    fg_status st;

    if (++im->count > MAX_IMPORT_RECORDS)
        return fg_fail(err, FG_EINVAL, "%s: more than %d records", im->source,
                       MAX_IMPORT_RECORDS);
    /* Name the record by its id only when that is printable: a message is
       one line, and an id with a control character is refused anyway. */
    if (id && fg_has_control(id, false))
        id = NULL;
    snprintf(where, sizeof where, "%s: record %zu%s%.80s%s", im->source, im->count,
             id ? " (" : "", id ? id : "", id ? ")" : "");
    if ((st = cat_offering_normalize(record, where, &content, &meta, err)) != FG_OK)
        return st;
    if ((st = cat_offering_check_area(im->rt, content, where, err)) != FG_OK)
        goto out;
    id = json_string_value(json_object_get(content, "id"));
    if (json_object_get(im->seen, id)) {
        st = fg_fail(err, FG_EINVAL, "%s: the file holds id %s more than once", where, id);
        goto out;
    }
    json_object_set_new(im->seen, id, json_true());
    st = cat_offering_put(im->cat, content, &meta, "import", &res, err);
    if (st == FG_ECONFLICT) {
        char msg[FG_ERROR_MSG_SIZE];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        fg_fail(err, st, "%s: record %zu: %s", im->source, im->count, msg);
    }
    if (st == FG_OK) {
        if (res == CAT_PUT_ADDED)
            im->rep->added++;
        else if (res == CAT_PUT_CHANGED)
            im->rep->changed++;
        else
            im->rep->unchanged++;
    }
out:
    json_decref(content);
    return st;
}

fg_status cat_import(cat_catalog *cat, const rt_runtime *rt, const json_t *array,
                     const char *source, cat_import_report *rep, fg_error *err)
{
    importer im = {.cat = cat, .rt = rt, .source = source, .rep = rep};
    const json_t *record;
    size_t i;
    fg_status st;

    memset(rep, 0, sizeof *rep);
    if (!json_is_array(array))
        return fg_fail(err, FG_EINVAL, "%s: expected a JSON array of offerings", source);
    if ((st = import_begin(&im, err)) != FG_OK)
        return st;
    json_array_foreach(array, i, record) {
        if ((st = import_record(&im, record, err)) != FG_OK)
            break;
    }
    return import_end(&im, st, err);
}

static size_t skip_space(const char *text, size_t len, size_t pos)
{
    while (pos < len && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' ||
                         text[pos] == '\r'))
        pos++;
    return pos;
}

/* Fails with the line and column of byte `pos` of the input. */
static fg_status syntax_error(const char *source, const char *text, size_t pos,
                              const char *what, fg_error *err)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    return fg_fail(err, FG_EINVAL, "%s: line %zu, column %zu: %s", source, line, column,
                   what);
}

fg_status cat_import_text(cat_catalog *cat, const rt_runtime *rt, const char *text,
                          size_t len, const char *source, cat_import_report *rep,
                          fg_error *err)
{
    importer im = {.cat = cat, .rt = rt, .source = source, .rep = rep};
    size_t pos = skip_space(text, len, 0);
    fg_status st;

    memset(rep, 0, sizeof *rep);
    if (pos < len && text[pos] == '{') /* JSON, but one offering, not a list */
        return fg_fail(err, FG_EINVAL, "%s: expected a JSON array of offerings", source);
    if (pos >= len || text[pos] != '[')
        return syntax_error(source, text, pos, "'[' expected: a JSON array of offerings",
                            err);
    pos = skip_space(text, len, pos + 1);
    if ((st = import_begin(&im, err)) != FG_OK)
        return st;
    if (pos < len && text[pos] == ']') {
        pos++;
    } else {
        for (;;) {
            json_error_t jerr;
            /* One record at a time: the parser stops after its closing
               brace and says how far it read.  (Any value is decoded, so
               that a record that is not an object is refused by name; such
               a record stops the import, so the parser reading a byte past
               a bare number does not matter.) */
            json_t *record = json_loadb(text + pos, len - pos,
                                        JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY |
                                            JSON_REJECT_DUPLICATES,
                                        &jerr);
            if (!record) {
                size_t at = pos + (size_t)(jerr.position > 0 ? jerr.position : 0);
                st = syntax_error(source, text, at, jerr.text, err);
                break;
            }
            st = import_record(&im, record, err);
            json_decref(record);
            if (st != FG_OK)
                break;
            pos = skip_space(text, len, pos + (size_t)jerr.position);
            if (pos < len && text[pos] == ',') {
                pos = skip_space(text, len, pos + 1);
                continue;
            }
            if (pos < len && text[pos] == ']') {
                pos++;
                break;
            }
            st = syntax_error(source, text, pos, "expected ',' or ']' after a record", err);
            break;
        }
    }
    if (st == FG_OK && skip_space(text, len, pos) != len)
        st = syntax_error(source, text, skip_space(text, len, pos),
                          "end of file expected after the array", err);
    return import_end(&im, st, err);
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
