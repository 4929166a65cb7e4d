/*
 * The sync client's change-feed decoder: arbitrary bytes parsed as the
 * client parses the hub's answer (Jansson, default flags) and taken as one
 * page of /v1/changes and then of /v1/snapshot, through the code a sync run
 * uses (sync_apply_page_for_fuzz in sync/sync.c).  The catalogue is a
 * seeded in-memory one with remote "hub", an offering pulled from it
 * earlier and a request.
 *
 * Checks, beyond the sanitizers: a page fails only as a malformed answer
 * (FG_ENET), never with another error (database, internal) that would stop
 * every later sync at the same page; an applied page moves the remote's
 * cursor; the full-text index stays sound; messages are one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sync/internal.h"
#include "util.h"

#define REMOTE "hub"

/* An offering an earlier pull brought from REMOTE. */
static const char pulled[] =
    "{\"id\": \"RYJ/pulled-offering\", \"area\": \"integrated-care-training\","
    " \"provider\": {\"ods\": \"RYJ\", \"name\": \"A trust\"}, \"title\": \"Pulled\","
    " \"summary\": \"From the hub\", \"delivery\": \"remote\","
    " \"price\": {\"amount_pence\": 100, \"unit\": \"fixed\"},"
    " \"contact\": \"x@example.nhs.uk\", \"rev\": 2,"
    " \"updated_at\": \"2026-11-22T10:00:00Z\"}";

static cat_catalog *build_fixture(void)
{
    cat_catalog *c = fz_catalog(NULL);
    json_t *in = json_loads(pulled, 0, NULL), *content = NULL;
    cat_meta meta;
    cat_put_result res;
    fg_error err;
    if (sqlite3_exec(cat_db(c),
                     "INSERT INTO remote(name, url, token_file, org, cursor, added_at)"
                     " VALUES ('" REMOTE "', 'http://127.0.0.1:1', '/nonexistent', '" FZ_ORG
                     "', 'abc:1', '2026-11-22T10:00:00Z')",
                     NULL, NULL, NULL) != SQLITE_OK)
        fz_fail("fixture remote: %s", sqlite3_errmsg(cat_db(c)));
    if (cat_offering_normalize(in, "", &content, &meta, &err) != FG_OK ||
        cat_begin(c, &err) != FG_OK ||
        cat_offering_put(c, content, &meta, "sync:" REMOTE, &res, &err) != FG_OK ||
        cat_commit(c, &err) != FG_OK)
        fz_fail("fixture offering: %s", err.msg);
    json_decref(content);
    json_decref(in);
    return c;
}

static char *remote_cursor(cat_catalog *cat)
{
    sqlite3_stmt *st;
    char *cursor = NULL;
    if (sqlite3_prepare_v2(cat_db(cat), "SELECT cursor FROM remote WHERE name = '" REMOTE "'",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        cursor = fg_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return cursor;
}

static void take(const json_t *page, bool snapshot)
{
    cat_catalog *cat = fz_fixture(build_fixture);
    int64_t before = fz_changes(cat);
    sync_report rep;
    fg_error err;
    fg_status st = sync_apply_page_for_fuzz(cat, REMOTE, page, snapshot, &rep, &err);

    if (st == FG_OK) {
        const char *next = json_string_value(json_object_get(page, "next"));
        char expected[128], epoch[CAT_EPOCH_SIZE], *cursor = remote_cursor(cat);
        int64_t seq = -1;
        cat_cursor_parse(next, epoch, &seq);
        /* A snapshot page that is not the last stores "snapshot:SEQ". */
        if (snapshot && json_is_true(json_object_get(page, "more")))
            snprintf(expected, sizeof expected, "snapshot:%lld", (long long)seq);
        else
            snprintf(expected, sizeof expected, "%s", next);
        if (!cursor || strcmp(cursor, expected) != 0)
            fz_fail("an applied page left the cursor at \"%s\", not \"%s\"",
                    cursor ? cursor : "(null)", expected);
        free(cursor);
    } else if (st == FG_ENET) {
        fz_check_message(&err);
    } else {
        fz_fail("a %s page failed with %s: %s", snapshot ? "snapshot" : "changes",
                fg_strerror(st), err.msg);
    }
    fz_settle(cat, before, snapshot ? "a snapshot page" : "a changes page");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *page = fz_json(data, size, 0);
    if (!page)
        return 0;
    take(page, false);
    take(page, true);
    json_decref(page);
    return 0;
}
