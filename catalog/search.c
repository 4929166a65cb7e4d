/*
 * Search: safe FTS5 queries from user text, ranked results with filters,
 * and facet counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define MAX_QUERY_BYTES 1000
#define MAX_QUERY_WORDS 32
#define MAX_FACET_VALUES 50

/* True when the word has something the tokenizer would index: an ASCII
   letter or digit, or any non-ASCII byte (letters of other scripts). */
static int has_word_char(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return 1;
    }
    return 0;
}

fg_status cat_fts_query(const char *text, char **out, fg_error *err)
{
    size_t len = strlen(text), words = 0, o = 0;
    /* Worst case every byte is a quote (doubled) plus quotes, '*' and a space
       per word. */
    char *q;
    const char *p = text;

    *out = NULL;
    if (len > MAX_QUERY_BYTES)
        return fg_fail(err, FG_EINVAL, "search text is %zu bytes, more than the %d allowed",
                       len, MAX_QUERY_BYTES);
    q = fg_xmalloc(len * 2 + (size_t)4 * MAX_QUERY_WORDS + 1);
    while (*p) {
        size_t n = 0;
        int prefix = 0;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n' && p[n] != '\r')
            n++;
        if (n == 0)
            break;
        {
            size_t m = n;
            while (m > 0 && p[m - 1] == '*') {
                m--;
                prefix = 1;
            }
            if (has_word_char(p, m)) {
                if (++words > MAX_QUERY_WORDS) {
                    free(q);
                    return fg_fail(err, FG_EINVAL,
                                   "search text has more than %d words", MAX_QUERY_WORDS);
                }
                if (o)
                    q[o++] = ' ';
                q[o++] = '"';
                for (size_t i = 0; i < m; i++) {
                    if (p[i] == '"')
                        q[o++] = '"';
                    q[o++] = p[i];
                }
                q[o++] = '"';
                if (prefix)
                    q[o++] = '*';
            }
        }
        p += n;
    }
    q[o] = '\0';
    if (words == 0) {
        free(q);
        /* Echo the text only when it is printable UTF-8: a message is one
           line of text. */
        if (fg_has_control(text, false) || !fg_utf8_valid(text, len))
            return fg_fail(err, FG_EINVAL, "search text has no words to search for");
        return fg_fail(err, FG_EINVAL, "search text \"%.60s\" has no words to search for",
                       text);
    }
    *out = q;
    return FG_OK;
}

/* Filters shared by every search statement; ?1 is the FTS query. */
#define FILTERS                                                                \
    " AND (?2 IS NULL OR o.area = ?2)"                                         \
    " AND (?3 IS NULL OR o.provider_ods = ?3)"                                 \
    " AND (?4 IS NULL OR o.delivery = ?4)"                                     \
    " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM offering_region r"              \
    "      WHERE r.region = ?5 AND r.offering = o.rowid))"                     \
    " AND (?6 IS NULL OR o.price_pence <= ?6)"                                 \
    " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM offering_tag t"                 \
    "      WHERE t.tag = ?7 AND t.offering = o.rowid))"                        \
    " AND (?8 OR o.status = 'active')"

#define FROM_MATCH                                                             \
    " FROM offering_fts JOIN offering o ON o.rowid = offering_fts.rowid"       \
    " WHERE offering_fts MATCH ?1"
#define FROM_ALL " FROM offering o WHERE 1"

/* bm25 weights: title, summary, description, tags, provider name. */
#define RANK "bm25(offering_fts, 10.0, 4.0, 1.0, 5.0, 2.0)"

/* The page is chosen from the narrow rows first, and only its offerings'
   JSON is read: sorting every match together with its JSON would carry
   kilobytes per match through the sort. */
#define PAGE_OF(key, from)                                                     \
    "SELECT " CAT_OFFERING_COLUMNS " FROM (SELECT o.rowid AS rid, " key        \
    " AS k, o.id AS oid" from FILTERS " ORDER BY k, oid LIMIT ?9 OFFSET ?10) p" \
    " JOIN offering o ON o.rowid = p.rid JOIN offering_text t ON t.rowid = p.rid" \
    " ORDER BY p.k, p.oid"

static const char sql_search_text[] = PAGE_OF(RANK, FROM_MATCH);
static const char sql_search_all[] = PAGE_OF("o.title", FROM_ALL);
static const char sql_search_text_price[] = PAGE_OF("o.price_pence", FROM_MATCH);
static const char sql_search_all_price[] = PAGE_OF("o.price_pence", FROM_ALL);
static const char sql_search_text_title[] = PAGE_OF("o.title", FROM_MATCH);

bool cat_sort_parse(const char *name, cat_sort *out)
{
    static const char *const names[] = {"relevance", "price", "title"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (name && strcmp(name, names[i]) == 0) {
            *out = (cat_sort)i;
            return true;
        }
    }
    return false;
}

/* The statement of a search with or without text, in `sort` order. */
static const char *search_sql(bool text, cat_sort sort)
{
    if (sort == CAT_SORT_PRICE)
        return text ? sql_search_text_price : sql_search_all_price;
    if (sort == CAT_SORT_TITLE)
        return text ? sql_search_text_title : sql_search_all;
    return text ? sql_search_text : sql_search_all;
}

#define FACETS(from)                                                           \
    "WITH m AS MATERIALIZED (SELECT o.rowid AS rid, o.area, o.provider_ods,"   \
    " o.delivery" from FILTERS ")"                                             \
    " SELECT 1, area, count(*) FROM m GROUP BY area"                           \
    " UNION ALL SELECT 2, provider_ods, count(*) FROM m GROUP BY provider_ods"  \
    " UNION ALL SELECT 3, delivery, count(*) FROM m GROUP BY delivery"         \
    " UNION ALL SELECT 4, t.tag, count(*) FROM m JOIN offering_tag t"          \
    "   ON t.offering = m.rid GROUP BY t.tag"                                  \
    " ORDER BY 1, 3 DESC, 2"

static const char sql_facets_text[] = FACETS(FROM_MATCH);
static const char sql_facets_all[] = FACETS(FROM_ALL);

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_filters(sqlite3_stmt *st, const cat_query *q, const char *fts)
{
    bind_opt(st, 1, fts);
    bind_opt(st, 2, q->area);
    bind_opt(st, 3, q->provider);
    bind_opt(st, 4, q->delivery);
    bind_opt(st, 5, q->region);
    if (q->max_price_pence >= 0)
        sqlite3_bind_int64(st, 6, q->max_price_pence);
    else
        sqlite3_bind_null(st, 6);
    bind_opt(st, 7, q->tag);
    sqlite3_bind_int(st, 8, q->include_withdrawn);
}

static fg_status run_facets(cat_catalog *cat, const cat_query *q, const char *fts,
                            json_t **out, fg_error *err)
{
    static const char *const names[] = {"area", "provider", "delivery", "tag"};
    sqlite3_stmt *st = cat_stmt(cat, fts ? sql_facets_text : sql_facets_all, err);
    json_t *facets;
    int rc;

    if (!st)
        return FG_EDB;
    bind_filters(st, q, fts);
    facets = json_pack("{s:{}, s:{}, s:{}, s:{}}", "area", "provider", "delivery", "tag");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int which = sqlite3_column_int(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        json_t *group;
        if (which < 1 || which > 4 || !value)
            continue;
        group = json_object_get(facets, names[which - 1]);
        if (json_object_size(group) < MAX_FACET_VALUES)
            json_object_set_new(group, value, json_integer(sqlite3_column_int64(st, 2)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(facets);
        return cat_db_fail(cat, err, "counting facets");
    }
    *out = facets;
    return FG_OK;
}

fg_status cat_search(cat_catalog *cat, const cat_query *q, json_t **results,
                     json_t **facets, fg_error *err)
{
    char *fts = NULL;
    sqlite3_stmt *st;
    json_t *arr;
    fg_status rc;
    int step;

    *results = NULL;
    if (facets)
        *facets = NULL;
    if (q->text && (rc = cat_fts_query(q->text, &fts, err)) != FG_OK)
        return rc;
    st = cat_stmt(cat, search_sql(fts != NULL, q->sort), err);
    if (!st) {
        free(fts);
        return FG_EDB;
    }
    bind_filters(st, q, fts);
    sqlite3_bind_int64(st, 9, q->limit);
    sqlite3_bind_int64(st, 10, q->offset);
    arr = json_array();
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = cat_offering_from_stmt(st, 0);
        if (o)
            json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        rc = cat_db_fail(cat, err, "searching");
        goto fail;
    }
    if (q->facets && facets && (rc = run_facets(cat, q, fts, facets, err)) != FG_OK)
        goto fail;
    free(fts);
    *results = arr;
    return FG_OK;
fail:
    free(fts);
    json_decref(arr);
    return rc;
}

static const char sql_area_counts[] =
    "SELECT area, status, count(*) FROM offering GROUP BY area, status ORDER BY area";

fg_status cat_area_counts(cat_catalog *cat, json_t **out, fg_error *err)
{
    sqlite3_stmt *st = cat_stmt(cat, sql_area_counts, err);
    json_t *counts;
    int rc;
    if (!st)
        return FG_EDB;
    counts = json_object();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *area = (const char *)sqlite3_column_text(st, 0);
        const char *status = (const char *)sqlite3_column_text(st, 1);
        json_t *entry = json_object_get(counts, area);
        if (!entry) {
            entry = json_pack("{s:i, s:i}", "active", 0, "withdrawn", 0);
            json_object_set_new(counts, area, entry);
        }
        json_object_set_new(entry, status, json_integer(sqlite3_column_int64(st, 2)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(counts);
        return cat_db_fail(cat, err, "counting offerings per area");
    }
    *out = counts;
    return FG_OK;
}
