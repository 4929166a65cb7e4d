/*
 * Offerings selected the way FHIR searches of HealthcareService ask (the
 * hub's /fhir/ endpoints): by id, provider, active or not, and time of the
 * last change (as IHE mCSD directories poll), paged.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define FHIR_WHERE                                                                       \
    " WHERE (?1 IS NULL OR o.id = ?1) AND (?2 IS NULL OR o.provider_ods = ?2)"           \
    " AND (?3 IS NULL OR o.status = ?3) AND (?4 IS NULL OR o.updated_at > ?4)"           \
    " AND (?5 IS NULL OR o.updated_at >= ?5) AND (?6 IS NULL OR o.updated_at < ?6)"

static const char sql_fhir_page[] =
    "SELECT " CAT_OFFERING_COLUMNS CAT_OFFERING_FROM FHIR_WHERE
    " ORDER BY o.id LIMIT ?7 OFFSET ?8";
static const char sql_fhir_count[] = "SELECT count(*) FROM offering o" FHIR_WHERE;
static const char sql_provider_name[] =
    "SELECT t.provider_name" CAT_OFFERING_FROM " WHERE o.provider_ods = ?1"
    " ORDER BY o.updated_at DESC LIMIT 1";
static const char sql_provider_ids[] = "SELECT id FROM offering WHERE provider_ods = ?1";

static void bind_query(sqlite3_stmt *st, const cat_fhir_query *q)
{
    const char *texts[6] = {q->offering_id,
                            q->provider,
                            q->active < 0 ? NULL
                            : q->active   ? "active"
                                          : "withdrawn",
                            q->updated_after,
                            q->updated_from,
                            q->updated_before};
    for (int i = 0; i < 6; i++) {
        if (texts[i] && *texts[i])
            sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
}

fg_status cat_fhir_search(cat_catalog *cat, const cat_fhir_query *q, json_t **offerings,
                          int64_t *total, fg_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *offerings = NULL;
    if (!(st = cat_stmt(cat, sql_fhir_count, err)))
        return FG_EDB;
    bind_query(st, q);
    rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "counting offerings");
    if (!(st = cat_stmt(cat, sql_fhir_page, err)))
        return FG_EDB;
    bind_query(st, q);
    sqlite3_bind_int64(st, 7, q->count);
    sqlite3_bind_int64(st, 8, q->offset);
    return cat_offerings_collect(cat, st, "reading offerings", offerings, err);
}

fg_status cat_provider_name(cat_catalog *cat, const char *ods, char **name, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_provider_name, err);
    int rc;
    *name = NULL;
    if (!st)
        return FG_EDB;
    sqlite3_bind_text(st, 1, ods, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *name = fg_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return fg_fail(err, FG_ENOTFOUND,
                       "no organisation '%.20s' provides offerings here", ods);
    if (rc != SQLITE_ROW)
        return cat_db_fail(cat, err, "reading a provider");
    return FG_OK;
}

fg_status cat_fhir_offering_id(cat_catalog *cat, const char *fid, char *out, size_t size,
                               fg_error *err)
{
    char ods[8], check[CAT_FHIR_ID_SIZE];
    const char *dot = strchr(fid, '.');
    sqlite3_stmt *st;
    int rc = SQLITE_DONE;
    bool found = false;

    if (!dot || dot == fid || (size_t)(dot - fid) >= sizeof ods || strlen(fid) >= size)
        return fg_fail(err, FG_ENOTFOUND, "no HealthcareService with id '%.70s'", fid);
    memcpy(ods, fid, (size_t)(dot - fid));
    ods[dot - fid] = '\0';
    /* The id is the offering's with '.' for '/', unless it was too long to
       keep whole: then the provider's offerings are compared one by one. */
    if (!strchr(dot + 1, '.')) {
        snprintf(out, size, "%s/%s", ods, dot + 1);
        return FG_OK;
    }
    if (!(st = cat_stmt(cat, sql_provider_ids, err)))
        return FG_EDB;
    sqlite3_bind_text(st, 1, ods, -1, SQLITE_STATIC);
    while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cat_fhir_id((const char *)sqlite3_column_text(st, 0), check);
        if (strcmp(check, fid) == 0) {
            snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
            found = true;
        }
    }
    sqlite3_reset(st);
    if (found)
        return FG_OK;
    if (rc != SQLITE_DONE)
        return cat_db_fail(cat, err, "reading offerings");
    return fg_fail(err, FG_ENOTFOUND, "no HealthcareService with id '%.70s'", fid);
}
