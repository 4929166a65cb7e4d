/*
 * Unit tests of search (catalog/search.c): ranking, every filter, paging,
 * facets, area counts, and hostile query text, over a catalogue filled by
 * cat_import with crafted offerings of two built-in areas.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BIG_LIMIT 100000

/* The common fixture (tu_setup), filled by setup with the crafted
   offerings, n_offerings of them. */
typedef tu_fixture fixture;
static size_t n_offerings;

static const char ict_attrs[] =
    "{\"cohort_min\": 8, \"cohort_max\": 24, \"cpd_hours\": 60}";
static const char prod_attrs[] = "{\"lead_days_min\": 14, \"benefits_tracking\": true,"
                                 " \"cohort_min\": 6, \"cohort_max\": 30}";

static const char *provider_name(const char *ods)
{
    if (strcmp(ods, "RTF") == 0)
        return "Northumbria Healthcare NHS Foundation Trust";
    if (strcmp(ods, "RYJ") == 0)
        return "Imperial College Healthcare NHS Trust";
    return "The Christie NHS Foundation Trust";
}

/* One crafted offering (per-delegate, so both areas accept it). New. */
static json_t *crafted(const char *id, const char *area, const char *title,
                       const char *summary, const char *description, const char *delivery,
                       json_int_t pence, const char *regions, const char *tags,
                       const char *status)
{
    char ods[8];
    snprintf(ods, sizeof ods, "%.*s", (int)(strchr(id, '/') - id), id);
    return json_pack(
        "{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:{s:I, s:s}, s:o,"
        " s:o, s:s, s:o, s:s}",
        "id", id, "area", area, "provider", "ods", ods, "name", provider_name(ods),
        "title", title, "summary", summary, "description", description, "delivery",
        delivery, "price", "amount_pence", pence, "unit", "per-delegate", "regions",
        tu_json(regions), "tags", tu_json(tags), "contact", "partnerships@example.nhs.uk",
        "attributes", tu_json(strcmp(area, "productivity") == 0 ? prod_attrs : ict_attrs),
        "status", status);
}

static int setup(void **state)
{
    fixture *f;
    json_t *arr = json_array();
    cat_import_report rep;

    tu_setup(state);
    f = *state;

    /* The title match sorts after the description-only match by id, so
       only ranking can put it first. */
    json_array_append_new(
        arr, crafted("RYJ/zz-quokka-title", "integrated-care-training",
                     "Quokka welfare for ward teams", "Practical course for ward teams.",
                     "Sessions cover handover, escalation and rostering.", "blended",
                     100000, "[\"England\"]", "[\"nursing\", \"community\"]", "active"));
    json_array_append_new(
        arr,
        crafted("RTF/aa-quokka-description", "integrated-care-training",
                "Handover skills for community teams",
                "Practical course for community teams.",
                "Sessions cover handover, escalation and one quokka case study.",
                "remote", 250000, "[\"International\"]", "[\"management\"]", "active"));
    json_array_append_new(
        arr,
        crafted("RBV/oncology-nursing", "integrated-care-training",
                "Oncology nursing education", "Cancer nursing for new centres.",
                "Chemotherapy, symptom control, nursing leadership.", "on-site", 300000,
                "[\"England\", \"Wales\"]", "[\"nursing\", \"cancer\"]", "active"));
    json_array_append_new(
        arr, crafted("RTF/retired-nursing", "integrated-care-training",
                     "Retired nursing course", "No longer offered nursing course.", "",
                     "blended", 50000, "[\"England\"]", "[\"nursing\"]", "withdrawn"));
    json_array_append_new(
        arr,
        crafted("RTF/lean-nursing-flow", "productivity", "Lean flow for nursing teams",
                "Lean methods for nursing teams.", "Value stream mapping.", "on-site",
                95000, "[\"Scotland\"]", "[\"lean\", \"nursing\"]", "active"));
    json_array_append_new(
        arr, crafted("RYJ/bed-flow-workshop", "productivity", "Bed flow workshop",
                     "Patient flow between emergency and elective work.", "Bed meetings.",
                     "remote", 600000, "[\"England\"]", "[\"lean\"]", "active"));
    rep = tu_import(f->cat, f->rt, arr);
    assert_int_equal(rep.added, json_array_size(arr));
    n_offerings = json_array_size(arr);
    json_decref(arr);
    return 0;
}

static cat_query query(const char *text)
{
    cat_query q;
    memset(&q, 0, sizeof q);
    q.text = text;
    q.max_price_pence = -1;
    q.limit = BIG_LIMIT;
    return q;
}

/* Runs `q` and returns the results; fails the test on error. New. */
static json_t *search(fixture *f, const cat_query *q)
{
    json_t *results = NULL;
    fg_error err;
    if (cat_search(f->cat, q, &results, NULL, &err) != FG_OK)
        fail_msg("search \"%s\": %s", q->text ? q->text : "(browse)", err.msg);
    assert_true(json_is_array(results));
    return results;
}

static const char *id_at(json_t *results, size_t i)
{
    return json_string_value(json_object_get(json_array_get(results, i), "id"));
}

/* The ids of `results`, space-separated, for comparing sequences. New. */
static char *ids(json_t *results)
{
    size_t i, len = 1;
    json_t *o;
    char *s;
    json_array_foreach(results, i, o) {
        len += strlen(json_string_value(json_object_get(o, "id"))) + 1;
    }
    s = calloc(1, len);
    assert_non_null(s);
    json_array_foreach(results, i, o) {
        size_t at = strlen(s);
        snprintf(s + at, len - at, "%s%s", i ? " " : "",
                 json_string_value(json_object_get(o, "id")));
    }
    return s;
}

/* ---- ranking and matching --------------------------------------------- */

static void test_title_outranks_description(void **state)
{
    fixture *f = *state;
    cat_query q = query("quokka");
    json_t *r = search(f, &q);

    assert_int_equal(json_array_size(r), 2);
    assert_string_equal(id_at(r, 0), "RYJ/zz-quokka-title");
    assert_string_equal(id_at(r, 1), "RTF/aa-quokka-description");
    /* Results are full offerings. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "rev")), 1);
    assert_non_null(json_object_get(json_array_get(r, 0), "updated_at"));
    json_decref(r);

    /* Case, prefixes and several words (ANDed); tags and provider names
       are indexed too.  `first`, when given, is the best match. */
    static const struct {
        const char *text;
        size_t found;
        const char *first;
    } cases[] = {
        {"QUOKKA", 2, NULL},
        {"quok*", 2, NULL},
        {"quokka welfare", 1, "RYJ/zz-quokka-title"},
        {"cancer", 1, NULL},
        {"christie", 1, "RBV/oncology-nursing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        q.text = cases[i].text;
        r = search(f, &q);
        if (json_array_size(r) != cases[i].found)
            fail_msg("\"%s\" found %zu offerings, not %zu", cases[i].text,
                     json_array_size(r), cases[i].found);
        if (cases[i].first)
            assert_string_equal(id_at(r, 0), cases[i].first);
        json_decref(r);
    }
}

/* Operators lose their meaning: they are searched for as words. */
static void test_operators_are_words(void **state)
{
    fixture *f = *state;
    static const char *const none[] = {"quokka OR oncology", "quokka NOT welfare",
                                       "title:quokka", "NEAR(quokka welfare)",
                                       "quokka AND zzzzzz"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        cat_query q = query(none[i]);
        json_t *r = search(f, &q);
        if (json_array_size(r) != 0)
            fail_msg("\"%s\" found %zu offerings: it was read as FTS syntax", none[i],
                     json_array_size(r));
        json_decref(r);
    }
}

static void test_fts_query_form(void **state)
{
    char *q = NULL;
    fg_error err;
    (void)state;
    assert_int_equal(cat_fts_query("nurse", &q, &err), FG_OK);
    assert_string_equal(q, "\"nurse\"");
    free(q);
    assert_int_equal(cat_fts_query("  nurs*  care ", &q, &err), FG_OK);
    assert_string_equal(q, "\"nurs\"* \"care\"");
    free(q);
    assert_int_equal(cat_fts_query("a\"b", &q, &err), FG_OK);
    assert_string_equal(q, "\"a\"\"b\"");
    free(q);
}

/* ---- filters ------------------------------------------------------------ */

typedef bool (*pred_fn)(json_t *o, const void *arg);

static bool str_in(json_t *arr, const char *s, bool nocase)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (nocase ? strcasecmp(json_string_value(v), s) == 0
                   : strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

static bool by_area(json_t *o, const void *arg)
{
    return strcmp(json_string_value(json_object_get(o, "area")), arg) == 0;
}
static bool by_provider(json_t *o, const void *arg)
{
    return strcmp(
               json_string_value(json_object_get(json_object_get(o, "provider"), "ods")),
               arg) == 0;
}
static bool by_delivery(json_t *o, const void *arg)
{
    return strcmp(json_string_value(json_object_get(o, "delivery")), arg) == 0;
}
static bool by_region(json_t *o, const void *arg)
{
    return str_in(json_object_get(o, "regions"), arg, true);
}
static bool by_tag(json_t *o, const void *arg)
{
    return str_in(json_object_get(o, "tags"), arg, false);
}
static bool by_price(json_t *o, const void *arg)
{
    return json_integer_value(json_object_get(
               json_object_get(o, "price"), "amount_pence")) <= *(const json_int_t *)arg;
}
static bool by_active(json_t *o, const void *arg)
{
    (void)arg;
    return strcmp(json_string_value(json_object_get(o, "status")), "active") == 0;
}

/*
 * Checks that `filtered` (a query with one filter set) returns exactly the
 * results of `base` (the same query without it) that satisfy `pred`, in the
 * same order, and that the filter really narrows: something is found and
 * something is left out.
 */
static void check_filter(fixture *f, const cat_query *base, const cat_query *filtered,
                         pred_fn pred, const void *arg, const char *what)
{
    json_t *all = search(f, base), *got = search(f, filtered), *expect = json_array();
    size_t i;
    json_t *o;
    char *a, *b;

    json_array_foreach(all, i, o) {
        if (pred(o, arg))
            json_array_append(expect, o);
    }
    a = ids(expect);
    b = ids(got);
    if (strcmp(a, b) != 0)
        fail_msg("filter %s (text %s): expected [%s], got [%s]", what,
                 base->text ? base->text : "-", a, b);
    if (json_array_size(got) == 0 || json_array_size(got) == json_array_size(all))
        fail_msg("filter %s (text %s) does not narrow: %zu of %zu", what,
                 base->text ? base->text : "-", json_array_size(got),
                 json_array_size(all));
    free(a);
    free(b);
    json_decref(all);
    json_decref(got);
    json_decref(expect);
}

static void test_each_filter(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {NULL, "nursing"};
    json_int_t price = 100000;

    for (size_t t = 0; t < 2; t++) {
        for (int withdrawn = 0; withdrawn < 2; withdrawn++) {
            cat_query base = query(texts[t]), q;
            base.include_withdrawn = withdrawn;

            q = base;
            q.area = "productivity";
            check_filter(f, &base, &q, by_area, "productivity", "area");
            q = base;
            q.provider = "RYJ";
            if (texts[t] == NULL) /* no RYJ offering mentions nursing */
                check_filter(f, &base, &q, by_provider, "RYJ", "provider");
            q.provider = "RBV";
            check_filter(f, &base, &q, by_provider, "RBV", "provider");
            q = base;
            q.delivery = "on-site";
            check_filter(f, &base, &q, by_delivery, "on-site", "delivery");
            q = base;
            q.region = "England";
            check_filter(f, &base, &q, by_region, "England", "region");
            q.region = "ENGLAND";
            check_filter(f, &base, &q, by_region, "England", "region, upper case");
            q.region = "scotland";
            check_filter(f, &base, &q, by_region, "scotland", "region, lower case");
            q = base;
            q.max_price_pence = price; /* the limit itself is included */
            check_filter(f, &base, &q, by_price, &price, "max price");
            q = base;
            q.tag = "lean";
            check_filter(f, &base, &q, by_tag, "lean", "tag");
        }
        {
            /* include_withdrawn: the default leaves withdrawn ones out. */
            cat_query with = query(texts[t]), without = query(texts[t]);
            with.include_withdrawn = true;
            check_filter(f, &with, &without, by_active, NULL, "include_withdrawn");
        }
    }
    {
        /* Filters combine (AND), and values match exactly. */
        cat_query q = query(NULL);
        json_t *r;
        q.area = "integrated-care-training";
        q.region = "england";
        q.tag = "nursing";
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 2);
        json_decref(r);
        q = query(NULL);
        q.area = "productivit";
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
        q = query(NULL);
        q.tag = "NURSING";
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
        q = query(NULL);
        q.max_price_pence = 0;
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
    }
}

/* ---- paging ----------------------------------------------------------- */

static void test_limit_offset(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {NULL, "nursing"};
    for (size_t t = 0; t < 2; t++) {
        cat_query q = query(texts[t]);
        json_t *all, *joined = json_array(), *r;
        char *a, *b;
        q.include_withdrawn = true;
        all = search(f, &q);
        assert_true(json_array_size(all) >= 3);
        if (!texts[t])
            assert_int_equal(json_array_size(all), n_offerings);
        for (int64_t off = 0; off < (int64_t)json_array_size(all); off += 2) {
            q.limit = 2;
            q.offset = off;
            r = search(f, &q);
            assert_true(json_array_size(r) >= 1 && json_array_size(r) <= 2);
            json_array_extend(joined, r);
            json_decref(r);
        }
        a = ids(all);
        b = ids(joined);
        assert_string_equal(a, b);
        free(a);
        free(b);

        q.limit = 1;
        q.offset = 0;
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 1);
        assert_string_equal(id_at(r, 0), id_at(all, 0));
        json_decref(r);
        q.limit = 10;
        q.offset = (int64_t)json_array_size(all);
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
        q.limit = 0;
        q.offset = 0;
        r = search(f, &q);
        assert_int_equal(json_array_size(r), 0);
        json_decref(r);
        json_decref(all);
        json_decref(joined);
    }
    {
        /* Browsing is ordered by title. */
        cat_query q = query(NULL);
        json_t *r = search(f, &q);
        for (size_t i = 1; i < json_array_size(r); i++)
            assert_true(strcmp(json_string_value(
                                   json_object_get(json_array_get(r, i - 1), "title")),
                               json_string_value(
                                   json_object_get(json_array_get(r, i), "title"))) <= 0);
        json_decref(r);
    }
}

/* ---- facets ----------------------------------------------------------- */

static void count(json_t *group, const char *value)
{
    json_t *n = json_object_get(group, value);
    json_object_set_new(group, value, json_integer(n ? json_integer_value(n) + 1 : 1));
}

/* Facet counts computed from the results themselves. New. */
static json_t *facets_of(json_t *results)
{
    json_t *fc =
        json_pack("{s:{}, s:{}, s:{}, s:{}}", "area", "provider", "delivery", "tag");
    size_t i, k;
    json_t *o, *tag;
    json_array_foreach(results, i, o) {
        count(json_object_get(fc, "area"), json_string_value(json_object_get(o, "area")));
        count(json_object_get(fc, "provider"),
              json_string_value(json_object_get(json_object_get(o, "provider"), "ods")));
        count(json_object_get(fc, "delivery"),
              json_string_value(json_object_get(o, "delivery")));
        json_array_foreach(json_object_get(o, "tags"), k, tag) {
            count(json_object_get(fc, "tag"), json_string_value(tag));
        }
    }
    return fc;
}

static void test_facets_match_results(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {NULL, "nursing", "quokka", "teams"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (int variant = 0; variant < 3; variant++) {
            cat_query q = query(texts[t]);
            json_t *results = NULL, *facets = NULL, *all, *expect;
            fg_error err;
            char *a, *b;

            if (variant == 1)
                q.include_withdrawn = true;
            if (variant == 2)
                q.area = "integrated-care-training";
            all = search(f, &q);
            expect = facets_of(all);

            /* Facets count every match, not just the page. */
            q.facets = true;
            q.limit = 1;
            assert_int_equal(cat_search(f->cat, &q, &results, &facets, &err), FG_OK);
            assert_non_null(facets);
            assert_true(json_array_size(results) <= 1);
            a = json_dumps(expect, JSON_SORT_KEYS | JSON_COMPACT);
            b = json_dumps(facets, JSON_SORT_KEYS | JSON_COMPACT);
            if (!json_equal(expect, facets))
                fail_msg("facets of \"%s\" (variant %d): expected %s, got %s",
                         texts[t] ? texts[t] : "-", variant, a, b);
            free(a);
            free(b);
            json_decref(results);
            json_decref(facets);
            json_decref(expect);
            json_decref(all);
        }
    }
    {
        /* No facets unless asked for. */
        cat_query q = query("nursing");
        json_t *results = NULL, *facets = (json_t *)1;
        fg_error err;
        assert_int_equal(cat_search(f->cat, &q, &results, &facets, &err), FG_OK);
        assert_null(facets);
        json_decref(results);
    }
}

/*
 * Checks `facets` against counts computed from `all`: every reported value
 * has its true count; all values are reported, or (past the cap of 50 per
 * group) the 50 reported are the most frequent ones.
 */
static void check_facets(json_t *facets, json_t *all, const char *what)
{
    json_t *expect = facets_of(all), *group;
    const char *name;
    json_object_foreach(expect, name, group) {
        json_t *got = json_object_get(facets, name), *n;
        const char *value;
        json_int_t least = -1;
        if (!json_is_object(got))
            fail_msg("%s: facet group %s missing", what, name);
        json_object_foreach(got, value, n) {
            json_t *want = json_object_get(group, value);
            if (!want || json_integer_value(want) != json_integer_value(n))
                fail_msg("%s: facet %s %s is %lld, the results hold %lld", what, name,
                         value, (long long)json_integer_value(n),
                         (long long)(want ? json_integer_value(want) : 0));
            if (least < 0 || json_integer_value(n) < least)
                least = json_integer_value(n);
        }
        if (json_object_size(group) <= 50) {
            assert_int_equal(json_object_size(got), json_object_size(group));
        } else {
            assert_int_equal(json_object_size(got), 50);
            json_object_foreach(group, value, n) {
                if (!json_object_get(got, value) && json_integer_value(n) > least)
                    fail_msg("%s: facet %s leaves out %s (%lld)", what, name, value,
                             (long long)json_integer_value(n));
            }
        }
    }
    json_decref(expect);
}

/* The same over the real offerings of the built-in plugins. */
static void test_facets_real_offerings(void **state)
{
    static const char *const texts[] = {NULL,       "nurse", "audit", "planning",
                                        "hospital", "lean*", "care"};
    char dir[4096];
    cat_catalog *cat;
    rt_runtime *rt;
    cat_refresh_report rr;
    fg_error err;
    fixture fx;
    (void)state;

    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    cat = tu_open_catalog(dir, "real.db");
    rt = tu_runtime(FGCAT_BUILTIN_PLUGIN_DIR, 4);
    assert_int_equal(cat_seed(cat, rt, &rr, &err), FG_OK);
    memset(&fx, 0, sizeof fx);
    fx.cat = cat;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        cat_query q = query(texts[t]);
        json_t *all = search(&fx, &q), *results = NULL, *facets = NULL;
        if (texts[t])
            assert_true(json_array_size(all) > 0);
        q.facets = true;
        q.limit = 3;
        assert_int_equal(cat_search(cat, &q, &results, &facets, &err), FG_OK);
        check_facets(facets, all, texts[t] ? texts[t] : "(browse)");
        json_decref(results);
        json_decref(facets);
        json_decref(all);
    }
    cat_close(cat);
    rt_free(rt);
    tu_rmtree(dir);
}

static void test_area_counts(void **state)
{
    fixture *f = *state;
    cat_query q = query(NULL);
    json_t *all, *expect = json_object(), *got = NULL, *o;
    fg_error err;
    size_t i;

    q.include_withdrawn = true;
    all = search(f, &q);
    json_array_foreach(all, i, o) {
        const char *area = json_string_value(json_object_get(o, "area"));
        json_t *entry = json_object_get(expect, area);
        if (!entry) {
            entry = json_pack("{s:i, s:i}", "active", 0, "withdrawn", 0);
            json_object_set_new(expect, area, entry);
        }
        count(entry, json_string_value(json_object_get(o, "status")));
    }
    assert_int_equal(cat_area_counts(f->cat, &got, &err), FG_OK);
    assert_true(json_equal(expect, got));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(got, "integrated-care-training"), "withdrawn")),
                     1);
    json_decref(got);
    json_decref(expect);
    json_decref(all);
}

/* ---- hostile text --------------------------------------------------------- */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

static void test_hostile_text(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {
        "nurse\"",
        "\"",
        "\"\"\"\"",
        "*",
        "**",
        "nurs**",
        "*nurse",
        "NEAR(",
        "NEAR(a b)",
        "NEAR(quokka welfare, 2)",
        "a OR b",
        "OR",
        "AND",
        "NOT",
        "a AND",
        "(((",
        ")",
        "(quokka)",
        "-x",
        "-",
        "^x",
        "^",
        "col:x",
        "title:quokka",
        "{title summary}: x",
        "'; DROP TABLE offering; --",
        "\"; DROP TABLE offering; --",
        "a + b",
        ".",
        ":",
        "\\",
        "%",
        "_",
        "nurse\tcare\ncommunity\r",
        "",
        " ",
        "   \t\n\r  ",
        "\x01",
        "nurse\x01"
        "care",
        "\x7f",
        "é",
        "中文 护理",
        "—",
        "quokka —",
        /* invalid or odd UTF-8: cat_search takes bytes */
        "\xff\xfe",
        "nurs\xc3",
        "\xc0\xaf",
        "\xed\xa0\x80",
        "\x80"
        "abc",
        "\xf4\x90\x80\x80",
        "abc\xe2\x82",
        "\xef\xbb\xbfnurse",
        "\xff*",
        "\"\xff\"",
    };
    cat_query q;
    json_t *before, *after;
    char *a, *b;
    char *big;
    int64_t rows = tu_sql_int(f->cat, "SELECT count(*) FROM offering");

    q = query("nursing");
    before = search(f, &q);

    for (size_t i = 0; i < sizeof texts / sizeof texts[0] + 4; i++) {
        char buf[2048];
        const char *text;
        char *fts = NULL;
        json_t *results = NULL, *facets = NULL;
        fg_error err;
        fg_status st;

        if (i < sizeof texts / sizeof texts[0]) {
            text = texts[i];
        } else if (i == sizeof texts / sizeof texts[0]) {
            memset(buf, 'a', 1001); /* 1001 bytes */
            buf[1001] = '\0';
            text = buf;
        } else if (i == sizeof texts / sizeof texts[0] + 1) {
            for (int w = 0; w < 33; w++) /* 33 words */
                memcpy(buf + 5 * w, "word ", 5);
            buf[5 * 33] = '\0';
            text = buf;
        } else if (i == sizeof texts / sizeof texts[0] + 2) {
            for (size_t k = 0; k < 1000; k++) /* 500 words in 1000 bytes */
                buf[k] = k % 2 ? ' ' : 'n';
            buf[1000] = '\0';
            text = buf;
        } else {
            for (size_t k = 0; k < 1000; k++) /* 1000 quotes */
                buf[k] = '"';
            buf[1000] = '\0';
            text = buf;
        }

        /* The FTS query either is refused or is valid FTS5 syntax. */
        memset(&err, 0, sizeof err);
        st = cat_fts_query(text, &fts, &err);
        if (st == FG_OK) {
            sqlite3_stmt *stmt;
            int rc;
            assert_non_null(fts);
            assert_int_equal(
                sqlite3_prepare_v2(cat_db(f->cat),
                                   "SELECT count(*) FROM offering_fts WHERE offering_fts "
                                   "MATCH ?1",
                                   -1, &stmt, NULL),
                SQLITE_OK);
            sqlite3_bind_text(stmt, 1, fts, -1, SQLITE_STATIC);
            rc = sqlite3_step(stmt);
            if (rc != SQLITE_ROW)
                fail_msg("text %zu \"%.40s\" gave FTS query \"%.80s\", which SQLite "
                         "refuses: %s",
                         i, text, fts, sqlite3_errmsg(cat_db(f->cat)));
            sqlite3_finalize(stmt);
            free(fts);
        } else {
            if (st != FG_EINVAL || err.status != FG_EINVAL || !err.msg[0])
                fail_msg("cat_fts_query text %zu: status %d, \"%s\"", i, st, err.msg);
            assert_null(fts);
            if (has_control(err.msg))
                fail_msg("cat_fts_query text %zu: message is not one line: \"%s\"", i,
                         err.msg);
        }

        /* cat_search: results or FG_EINVAL, never FG_EDB, with and without
           facets and filters. */
        for (int variant = 0; variant < 2; variant++) {
            q = query(text);
            q.facets = variant == 1;
            q.include_withdrawn = variant == 1;
            q.region = variant == 1 ? text : NULL;
            q.tag = variant == 1 ? text : NULL;
            memset(&err, 0, sizeof err);
            st = cat_search(f->cat, &q, &results, &facets, &err);
            if (st == FG_OK) {
                assert_true(json_is_array(results));
                if (q.facets)
                    assert_non_null(facets);
            } else if (st != FG_EINVAL || err.status != FG_EINVAL || !err.msg[0] ||
                       has_control(err.msg)) {
                fail_msg("cat_search text %zu \"%.40s\": status %d, \"%s\"", i, text, st,
                         err.msg);
            } else {
                assert_null(results);
            }
            json_decref(results);
            json_decref(facets);
            results = facets = NULL;
        }
    }

    /* The limits hold: too long and too many words are refused, and say
       so; at the limits it is fine. */
    {
        fg_error err;
        char *fts = NULL;
        big = malloc(1002);
        assert_non_null(big);
        memset(big, 'a', 1001);
        big[1001] = '\0';
        assert_int_equal(cat_fts_query(big, &fts, &err), FG_EINVAL);
        tu_assert_contains(err.msg, "1001");
        big[1000] = '\0';
        assert_int_equal(cat_fts_query(big, &fts, &err), FG_OK);
        free(fts);
        for (int w = 0; w < 33; w++)
            memcpy(big + 5 * w, "word ", 5);
        big[5 * 33] = '\0';
        assert_int_equal(cat_fts_query(big, &fts, &err), FG_EINVAL);
        tu_assert_contains(err.msg, "32");
        big[strlen("word ") * 32] = '\0';
        assert_int_equal(cat_fts_query(big, &fts, &err), FG_OK);
        free(fts);
        free(big);
    }

    /* The catalogue still answers, as before. */
    assert_int_equal(tu_sql_int(f->cat, "SELECT count(*) FROM offering"), rows);
    q = query("nursing");
    after = search(f, &q);
    a = ids(before);
    b = ids(after);
    assert_string_equal(a, b);
    assert_true(json_array_size(after) > 0);
    free(a);
    free(b);
    json_decref(before);
    json_decref(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_title_outranks_description, setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_operators_are_words, setup, tu_teardown),
        cmocka_unit_test(test_fts_query_form),
        cmocka_unit_test_setup_teardown(test_each_filter, setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_limit_offset, setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_facets_match_results, setup, tu_teardown),
        cmocka_unit_test(test_facets_real_offerings),
        cmocka_unit_test_setup_teardown(test_area_counts, setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_text, setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
