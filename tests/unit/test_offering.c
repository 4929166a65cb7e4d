/*
 * Unit tests of cat_offering_normalize (catalog/offering.c): the SPEC §4
 * checks of every field, the messages that name the field by its JSON
 * path, the defaults, and the canonical form.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHERE "$[3]"

/* The canonical field order cat_offering_normalize promises. */
static const char *const canonical_keys[] = {
    "id",       "area",          "provider", "title", "summary", "description",
    "delivery", "duration_days", "capacity", "price", "regions", "tags",
    "contact",  "attributes",    "status",   NULL};

/* A string of `n` copies of `c`. New. */
static json_t *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    json_t *j;
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    j = json_string(s);
    free(s);
    return j;
}

/* `depth` objects nested inside each other: {"k": {"k": ... {}}}. New. */
static json_t *nested(int depth)
{
    json_t *v = json_object();
    for (int i = 1; i < depth; i++)
        v = json_pack("{s:o}", "k", v);
    return v;
}

/*
 * Builds the value a test case describes.  Besides plain JSON text:
 *   @nul          the string "ab\0cd" (an embedded NUL, via json_stringn)
 *   @long:N       a string of N 'a's
 *   @deep:N       N nested objects
 *   @big:N        an object holding one string of N bytes
 *   @many:N       an array of N distinct valid strings ("x0", "x1", ...)
 *   @longitem:N   an array of one string of N 'a's
 *   @nulitem      an array of one string with an embedded NUL
 *   @slug:N       "RTF/" and a slug of N 'a's
 * New; NULL for @del (the field is removed).
 */
static json_t *make_value(const char *spec)
{
    size_t n = 0;
    const char *colon = strchr(spec, ':');
    if (spec[0] != '@')
        return tu_json(spec);
    if (colon)
        n = (size_t)strtoul(colon + 1, NULL, 10);
    if (strcmp(spec, "@del") == 0)
        return NULL;
    if (strcmp(spec, "@nul") == 0)
        return json_stringn("ab\0cd", 5);
    if (strncmp(spec, "@long:", 6) == 0)
        return repeat('a', n);
    if (strncmp(spec, "@deep:", 6) == 0)
        return nested((int)n);
    if (strncmp(spec, "@big:", 5) == 0)
        return json_pack("{s:o}", "notes", repeat('a', n));
    if (strncmp(spec, "@many:", 6) == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            char item[32];
            snprintf(item, sizeof item, "x%zu", i);
            json_array_append_new(arr, json_string(item));
        }
        return arr;
    }
    if (strncmp(spec, "@longitem:", 10) == 0)
        return json_pack("[o]", repeat('a', n));
    if (strcmp(spec, "@nulitem") == 0)
        return json_pack("[o]", json_stringn("ab\0cd", 5));
    if (strncmp(spec, "@slug:", 6) == 0) {
        json_t *slug = repeat('a', n);
        json_t *id = json_sprintf("RTF/%s", json_string_value(slug));
        json_decref(slug);
        return id;
    }
    fail_msg("unknown value spec %s", spec);
    return NULL;
}

/* Sets (or with a NULL value removes) the dotted `path` of `root`. Steals
   `value`. */
static void set_path(json_t *root, const char *path, json_t *value)
{
    const char *dot = strchr(path, '.');
    json_t *obj = root;
    const char *key = path;
    if (dot) {
        char head[64];
        snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
        obj = json_object_get(root, head);
        assert_true(json_is_object(obj));
        key = dot + 1;
    }
    if (value)
        assert_int_equal(json_object_set_new(obj, key, value), 0);
    else
        json_object_del(obj, key);
}

/* True when `msg` names `field` as "field <field>", not as a prefix of a
   longer name ("field id" must not match "field idx"). */
static bool names_field(const char *msg, const char *field)
{
    char needle[128];
    const char *p = msg;
    size_t len;
    snprintf(needle, sizeof needle, "field %s", field);
    len = strlen(needle);
    while ((p = strstr(p, needle)) != NULL) {
        char next = p[len];
        if (next == '\0' || next == ' ' || next == '[' || next == ',' || next == ':')
            return true;
        p += len;
    }
    return false;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

/* Normalizes `in` and returns the canonical JSON text. New. */
static char *canonical(const json_t *in)
{
    json_t *out = NULL;
    fg_error err;
    char *dump;
    if (cat_offering_normalize(in, "", &out, NULL, &err) != FG_OK)
        fail_msg("normalize: %s", err.msg);
    dump = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    assert_non_null(dump);
    return dump;
}

/* ---- valid input ------------------------------------------------------- */

static void test_spec_example_normalizes(void **state)
{
    json_t *in = tu_spec_example(), *out = NULL;
    cat_meta meta;
    fg_error err;
    const char *key;
    json_t *v;
    size_t i = 0;
    (void)state;

    memset(&meta, 0x55, sizeof meta);
    assert_int_equal(cat_offering_normalize(in, WHERE, &out, &meta, &err), FG_OK);
    assert_non_null(out);

    /* Content only, in the canonical order. */
    json_object_foreach(out, key, v) {
        (void)v;
        assert_non_null(canonical_keys[i]);
        assert_string_equal(key, canonical_keys[i]);
        i++;
    }
    assert_null(canonical_keys[i]);

    /* Every content value survives unchanged. */
    for (i = 0; canonical_keys[i]; i++) {
        if (strcmp(canonical_keys[i], "attributes") == 0)
            continue;
        if (!json_equal(json_object_get(in, canonical_keys[i]),
                        json_object_get(out, canonical_keys[i])))
            fail_msg("field %s changed in normalization", canonical_keys[i]);
    }
    assert_true(json_equal(json_object_get(in, "attributes"),
                           json_object_get(out, "attributes")));
    {
        /* Attribute keys come out sorted (the input has cohort_min first). */
        const char *prev = "";
        json_object_foreach(json_object_get(out, "attributes"), key, v) {
            (void)v;
            assert_true(strcmp(prev, key) < 0);
            prev = key;
        }
    }

    /* rev and updated_at go to meta, not into the content. */
    assert_int_equal(meta.rev, 3);
    assert_string_equal(meta.updated_at, "2026-11-22T10:00:00Z");
    assert_string_equal(meta.withdrawn_at, "");
    assert_null(json_object_get(out, "rev"));
    assert_null(json_object_get(out, "updated_at"));

    /* meta may be NULL. */
    json_decref(out);
    out = NULL;
    assert_int_equal(cat_offering_normalize(in, "", &out, NULL, &err), FG_OK);
    assert_non_null(out);

    json_decref(out);
    json_decref(in);
}

static void test_defaults_filled_in(void **state)
{
    static const char *const optional[] = {
        "description", "duration_days", "capacity", "regions",    "tags",
        "attributes",  "status",        "rev",      "updated_at", NULL};
    json_t *in = tu_spec_example(), *out = NULL, *price;
    cat_meta meta;
    fg_error err;
    (void)state;

    for (size_t i = 0; optional[i]; i++)
        json_object_del(in, optional[i]);
    json_object_del(json_object_get(in, "price"), "currency");

    assert_int_equal(cat_offering_normalize(in, WHERE, &out, &meta, &err), FG_OK);
    assert_string_equal(json_string_value(json_object_get(out, "description")), "");
    assert_true(json_is_null(json_object_get(out, "duration_days")));
    assert_true(json_is_null(json_object_get(out, "capacity")));
    assert_true(json_is_array(json_object_get(out, "regions")));
    assert_int_equal(json_array_size(json_object_get(out, "regions")), 0);
    assert_true(json_is_array(json_object_get(out, "tags")));
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 0);
    assert_true(json_is_object(json_object_get(out, "attributes")));
    assert_int_equal(json_object_size(json_object_get(out, "attributes")), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "active");
    price = json_object_get(out, "price");
    assert_string_equal(json_string_value(json_object_get(price, "currency")), "GBP");
    assert_int_equal(json_integer_value(json_object_get(price, "amount_pence")), 185000);
    assert_string_equal(json_string_value(json_object_get(price, "unit")),
                        "per-delegate");
    assert_int_equal(meta.rev, 0);
    assert_string_equal(meta.updated_at, "");

    /* A JSON null reads as absent for the nullable fields. */
    {
        json_t *with_nulls = tu_spec_example(), *out2 = NULL;
        char *a, *b;
        for (size_t i = 0; optional[i]; i++)
            json_object_set_new(with_nulls, optional[i], json_null());
        json_object_del(with_nulls, "description");
        json_object_del(with_nulls, "regions");
        json_object_del(with_nulls, "tags");
        json_object_del(with_nulls, "status");
        json_object_del(json_object_get(with_nulls, "price"), "currency");
        assert_int_equal(cat_offering_normalize(with_nulls, "", &out2, NULL, &err),
                         FG_OK);
        a = json_dumps(out, JSON_COMPACT);
        b = json_dumps(out2, JSON_COMPACT);
        assert_string_equal(a, b);
        free(a);
        free(b);
        json_decref(out2);
        json_decref(with_nulls);
    }
    json_decref(out);
    json_decref(in);
}

/* Values at the edge of each rule are accepted, so the checks are not
   stricter than SPEC §4 and docs say. */
static void test_edge_values_accepted(void **state)
{
    static const struct {
        const char *path, *value;
    } ok[] = {
        {"id", "@slug:64"},
        {"title", "@long:200"},
        {"provider.name", "@long:200"},
        {"summary", "\"two lines\\nof summary\\twith a tab\""},
        {"summary", "@long:1000"},
        {"description", "\"\""},
        {"description", "@long:20000"},
        {"duration_days", "1"},
        {"duration_days", "3650"},
        {"duration_days", "null"},
        {"capacity", "1"},
        {"capacity", "100000"},
        {"capacity", "null"},
        {"price.amount_pence", "0"},
        {"price.amount_pence", "1000000000000"},
        {"price.currency", "\"EUR\""},
        {"price.unit", "\"fixed\""},
        {"price.unit", "\"per-day\""},
        {"price.unit", "\"per-bed\""},
        {"delivery", "\"on-site\""},
        {"delivery", "\"remote\""},
        {"regions", "[]"},
        {"regions", "@many:20"},
        {"regions", "@longitem:60"},
        {"regions", "[\"Île-de-France\", \"中国\"]"},
        {"tags", "@many:30"},
        {"tags", "@longitem:40"},
        {"title", "\"Formation en soins intégrés — 综合护理\""},
        {"attributes", "@deep:8"},
        {"attributes", "@big:8000"},
        {"attributes", "null"},
        {"status", "\"withdrawn\""},
        {"rev", "1"},
        {"rev", "null"},
        {"updated_at", "\"2028-02-29T23:59:59Z\""},
        {"withdrawn_at", "\"2026-11-22T10:00:00Z\""},
        {"contact", "\"a@b.uk\""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        json_t *in = tu_spec_example(), *out = NULL;
        fg_error err;
        set_path(in, ok[i].path, make_value(ok[i].value));
        if (cat_offering_normalize(in, WHERE, &out, NULL, &err) != FG_OK)
            fail_msg("%s = %.40s refused: %s", ok[i].path, ok[i].value, err.msg);
        json_decref(out);
        json_decref(in);
    }
}

/* ---- invalid input: every field ---------------------------------------- */

typedef struct bad_case {
    const char *path;  /* dotted path to set in the SPEC example */
    const char *value; /* JSON text or an @spec of make_value */
    const char *field; /* the JSON path the message must name */
} bad_case;

static const bad_case bad_cases[] = {
    /* id */
    {"id", "42", "id"},
    {"id", "\"\"", "id"},
    {"id", "\"RTF-no-slash\"", "id"},
    {"id", "\"rtf/lower-case-ods\"", "id"},
    {"id", "\"RTF/Bad_Slug\"", "id"},
    {"id", "\"RTF/\"", "id"},
    {"id", "@slug:65", "id"},
    {"id", "@long:71", "id"},
    {"id", "\"RYJ/someone-elses\"", "id"},
    {"id", "\"RTF/a\\u0001b\"", "id"},
    {"id", "@nul", "id"},
    {"id", "@del", "id"},
    /* area */
    {"area", "7", "area"},
    {"area", "\"\"", "area"},
    {"area", "\"Integrated-Care\"", "area"},
    {"area", "\"integrated care\"", "area"},
    {"area", "@long:41", "area"},
    {"area", "\"a\\tb\"", "area"},
    {"area", "@nul", "area"},
    {"area", "@del", "area"},
    /* provider */
    {"provider", "\"RTF\"", "provider"},
    {"provider", "[]", "provider"},
    {"provider", "@del", "provider"},
    {"provider.website", "\"https://example.nhs.uk\"", "provider.website"},
    /* provider.ods */
    {"provider.ods", "\"rtf\"", "provider.ods"},
    {"provider.ods", "\"AB\"", "provider.ods"},
    {"provider.ods", "\"ABCDEF\"", "provider.ods"},
    {"provider.ods", "\"R-F\"", "provider.ods"},
    {"provider.ods", "123", "provider.ods"},
    {"provider.ods", "@nul", "provider.ods"},
    {"provider.ods", "@del", "provider.ods"},
    {"provider.ods", "\"RYJ\"", "id"}, /* valid code, but not the id's */
    /* provider.name */
    {"provider.name", "\"\"", "provider.name"},
    {"provider.name", "5", "provider.name"},
    {"provider.name", "@long:201", "provider.name"},
    {"provider.name", "\"a\\nb\"", "provider.name"},
    {"provider.name", "@nul", "provider.name"},
    {"provider.name", "@del", "provider.name"},
    /* title */
    {"title", "\"\"", "title"},
    {"title", "@long:201", "title"},
    {"title", "\"a\\tb\"", "title"},
    {"title", "\"a\\nb\"", "title"},
    {"title", "1", "title"},
    {"title", "null", "title"},
    {"title", "@nul", "title"},
    {"title", "@del", "title"},
    /* summary */
    {"summary", "\"\"", "summary"},
    {"summary", "@long:1001", "summary"},
    {"summary", "\"a\\u0007b\"", "summary"},
    {"summary", "[]", "summary"},
    {"summary", "@nul", "summary"},
    {"summary", "@del", "summary"},
    /* description */
    {"description", "3", "description"},
    {"description", "@long:20001", "description"},
    {"description", "\"\\u001b[31mred\"", "description"},
    {"description", "\"a\\u007fb\"", "description"},
    {"description", "@nul", "description"},
    /* delivery */
    {"delivery", "\"onsite\"", "delivery"},
    {"delivery", "\"ON-SITE\"", "delivery"},
    {"delivery", "\"by-post\"", "delivery"},
    {"delivery", "1", "delivery"},
    {"delivery", "null", "delivery"},
    {"delivery", "@nul", "delivery"},
    {"delivery", "@del", "delivery"},
    /* duration_days */
    {"duration_days", "0", "duration_days"},
    {"duration_days", "-1", "duration_days"},
    {"duration_days", "3651", "duration_days"},
    {"duration_days", "\"10\"", "duration_days"},
    {"duration_days", "1.5", "duration_days"},
    {"duration_days", "true", "duration_days"},
    /* capacity */
    {"capacity", "0", "capacity"},
    {"capacity", "-4", "capacity"},
    {"capacity", "100001", "capacity"},
    {"capacity", "\"4\"", "capacity"},
    {"capacity", "2.5", "capacity"},
    {"capacity", "[]", "capacity"},
    /* price */
    {"price", "\"185000\"", "price"},
    {"price", "null", "price"},
    {"price", "@del", "price"},
    {"price.vat", "20", "price.vat"},
    /* price.amount_pence */
    {"price.amount_pence", "-1", "price.amount_pence"},
    {"price.amount_pence", "\"185000\"", "price.amount_pence"},
    {"price.amount_pence", "1850.5", "price.amount_pence"},
    {"price.amount_pence", "1000000000001", "price.amount_pence"},
    {"price.amount_pence", "null", "price.amount_pence"},
    {"price.amount_pence", "@del", "price.amount_pence"},
    /* price.currency */
    {"price.currency", "\"gbp\"", "price.currency"},
    {"price.currency", "\"GB\"", "price.currency"},
    {"price.currency", "\"GBPX\"", "price.currency"},
    {"price.currency", "826", "price.currency"},
    {"price.currency", "\"G\\u0001P\"", "price.currency"},
    {"price.currency", "@nul", "price.currency"},
    /* price.unit */
    {"price.unit", "\"per-hour\"", "price.unit"},
    {"price.unit", "\"\"", "price.unit"},
    {"price.unit", "3", "price.unit"},
    {"price.unit", "@nul", "price.unit"},
    {"price.unit", "@del", "price.unit"},
    /* regions */
    {"regions", "\"England\"", "regions"},
    {"regions", "{}", "regions"},
    {"regions", "[1]", "regions[0]"},
    {"regions", "[\"England\", \"\"]", "regions[1]"},
    {"regions", "[\"England\", \"England\"]", "regions[1]"},
    {"regions", "@longitem:61", "regions[0]"},
    {"regions", "@many:21", "regions"},
    {"regions", "[\"a\\u0001b\"]", "regions[0]"},
    {"regions", "[\"a\\nb\"]", "regions[0]"},
    {"regions", "@nulitem", "regions[0]"},
    /* tags */
    {"tags", "\"nursing\"", "tags"},
    {"tags", "[\"Nursing\"]", "tags[0]"},
    {"tags", "[\"nursing\", \"nursing\"]", "tags[1]"},
    {"tags", "[\"has space\"]", "tags[0]"},
    {"tags", "[\"a\\nb\"]", "tags[0]"},
    {"tags", "@longitem:41", "tags[0]"},
    {"tags", "@many:31", "tags"},
    {"tags", "[3]", "tags[0]"},
    {"tags", "@nulitem", "tags[0]"},
    /* contact */
    {"contact", "\"nobody\"", "contact"},
    {"contact", "\"a@b\"", "contact"},
    {"contact", "\"@example.nhs.uk\"", "contact"},
    {"contact", "\"a b@example.nhs.uk\"", "contact"},
    {"contact", "\"a@b@example.nhs.uk\"", "contact"},
    {"contact", "\"\"", "contact"},
    {"contact", "5", "contact"},
    {"contact", "@long:255", "contact"},
    {"contact", "\"a@b.uk\\u0001\"", "contact"},
    {"contact", "@nul", "contact"},
    {"contact", "@del", "contact"},
    /* attributes */
    {"attributes", "[]", "attributes"},
    {"attributes", "\"cohort_min=8\"", "attributes"},
    {"attributes", "5", "attributes"},
    {"attributes", "@deep:9", "attributes"},
    {"attributes", "@deep:40", "attributes"},
    {"attributes", "@big:8200", "attributes"},
    /* status */
    {"status", "\"retired\"", "status"},
    {"status", "\"Active\"", "status"},
    {"status", "\"\"", "status"},
    {"status", "1", "status"},
    {"status", "@nul", "status"},
    /* rev */
    {"rev", "0", "rev"},
    {"rev", "-1", "rev"},
    {"rev", "\"3\"", "rev"},
    {"rev", "1.5", "rev"},
    {"rev", "true", "rev"},
    {"rev", "9223372036854775807", "rev"},
    /* updated_at */
    {"updated_at", "\"2026-11-22\"", "updated_at"},
    {"updated_at", "\"2026-11-22T10:00:00\"", "updated_at"},
    {"updated_at", "\"2026-11-22 10:00:00Z\"", "updated_at"},
    {"updated_at", "\"2026-13-22T10:00:00Z\"", "updated_at"},
    {"updated_at", "\"2026-11-22T10:00:00+01:00\"", "updated_at"},
    {"updated_at", "20261122", "updated_at"},
    {"updated_at", "\"2026-11-22T10:00:00Z\\u0000junk\"", "updated_at"},
    /* withdrawn_at */
    {"withdrawn_at", "\"yesterday\"", "withdrawn_at"},
    {"withdrawn_at", "5", "withdrawn_at"},
    {"withdrawn_at", "\"2026-02-30T10:00:00Z\"", "withdrawn_at"},
    {"withdrawn_at", "\"2026-11-22T10:00:00Z\\u0000\"", "withdrawn_at"},
    /* unknown fields at the top level */
    {"colour", "\"red\"", "colour"},
    {"Id", "\"RTF/x\"", "Id"},
    {"withdrawn", "true", "withdrawn"},
};

static void test_every_field_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        json_t *in = tu_spec_example(), *out = (json_t *)1;
        fg_error err;
        fg_status st;

        set_path(in, c->path, make_value(c->value));
        memset(&err, 0, sizeof err);
        st = cat_offering_normalize(in, WHERE, &out, NULL, &err);
        if (st != FG_EINVAL || err.status != FG_EINVAL)
            fail_msg("%s = %.60s: status %d (err %d), expected FG_EINVAL; msg \"%s\"",
                     c->path, c->value, st, err.status, err.msg);
        if (out != NULL)
            fail_msg("%s = %.60s: *out not NULL on failure", c->path, c->value);
        if (strncmp(err.msg, WHERE ": ", strlen(WHERE ": ")) != 0)
            fail_msg("%s = %.60s: message lacks the where prefix: \"%s\"", c->path,
                     c->value, err.msg);
        if (!names_field(err.msg, c->field))
            fail_msg("%s = %.60s: message does not name field %s: \"%s\"", c->path,
                     c->value, c->field, err.msg);
        if (has_control(err.msg))
            fail_msg("%s = %.60s: message is not one printable line: \"%s\"", c->path,
                     c->value, err.msg);
        json_decref(in);
    }
}

/* The where prefix is optional, and err may be NULL. */
static void test_where_and_err_optional(void **state)
{
    json_t *in = tu_spec_example(), *out = NULL;
    fg_error err;
    (void)state;

    json_object_set_new(in, "capacity", json_integer(0));
    assert_int_equal(cat_offering_normalize(in, "", &out, NULL, &err), FG_EINVAL);
    /* No leading ": " when there is no where. */
    assert_true(strncmp(err.msg, "field capacity", strlen("field capacity")) == 0);
    assert_int_equal(cat_offering_normalize(in, "offering 'RTF/x'", &out, NULL, &err),
                     FG_EINVAL);
    assert_true(strncmp(err.msg, "offering 'RTF/x': field capacity",
                        strlen("offering 'RTF/x': field capacity")) == 0);
    assert_int_equal(cat_offering_normalize(in, WHERE, &out, NULL, NULL), FG_EINVAL);
    assert_null(out);
    json_decref(in);
}

static void test_not_an_object(void **state)
{
    static const char *const inputs[] = {"[]", "\"RTF/x\"", "null", "42", "[{}]"};
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        json_t *in = tu_json(inputs[i]), *out = NULL;
        fg_error err;
        assert_int_equal(cat_offering_normalize(in, WHERE, &out, NULL, &err), FG_EINVAL);
        assert_null(out);
        assert_true(strncmp(err.msg, WHERE ": ", strlen(WHERE ": ")) == 0);
        tu_assert_contains(err.msg, "object");
        json_decref(in);
    }
}

/* ---- canonical form ------------------------------------------------------ */

static void test_key_order_does_not_matter(void **state)
{
    /* The SPEC example written with every object's keys in another order,
       attributes nested, and the optional defaults spelled out. */
    static const char shuffled[] =
        "{\"updated_at\": \"2026-11-22T10:00:00Z\", \"rev\": 3, \"status\": \"active\","
        " \"attributes\": {\"cpd_hours\": 60, \"zeta\": {\"b\": 2, \"a\": [{\"y\": 1,"
        "   \"x\": 0}]}, \"cohort_max\": 24, \"cohort_min\": 8},"
        " \"contact\": \"partnerships@example.nhs.uk\","
        " \"tags\": [\"nursing\", \"community\", \"older-people\"],"
        " \"regions\": [\"England\", \"International\"],"
        " \"price\": {\"unit\": \"per-delegate\", \"currency\": \"GBP\","
        "   \"amount_pence\": 185000},"
        " \"capacity\": 4, \"duration_days\": 10, \"delivery\": \"blended\","
        " \"description\": \"Longer text ...\","
        " \"summary\": \"Ten-day blended programme ...\","
        " \"title\": \"Integrated care for community nursing teams\","
        " \"provider\": {\"name\": \"Northumbria Healthcare NHS Foundation Trust\","
        "   \"ods\": \"RTF\"},"
        " \"area\": \"integrated-care-training\","
        " \"id\": \"RTF/integrated-care-community-nursing\"}";
    json_t *a = tu_spec_example(), *b = tu_json(shuffled);
    char *da, *db, *again;
    json_t *round = NULL;
    (void)state;

    json_object_set_new(json_object_get(a, "attributes"), "zeta",
                        tu_json("{\"a\": [{\"x\": 0, \"y\": 1}], \"b\": 2}"));
    da = canonical(a);
    db = canonical(b);
    assert_string_equal(da, db);
    /* Nested attribute keys are sorted too, array order is kept. */
    tu_assert_contains(da,
                       "\"attributes\":{\"cohort_max\":24,\"cohort_min\":8,"
                       "\"cpd_hours\":60,\"zeta\":{\"a\":[{\"x\":0,\"y\":1}],\"b\":2}}");
    tu_assert_contains(da, "\"tags\":[\"nursing\",\"community\",\"older-people\"]");
    tu_assert_contains(da, "\"price\":{\"amount_pence\":185000,\"currency\":\"GBP\","
                           "\"unit\":\"per-delegate\"}");
    tu_assert_contains(da, "\"provider\":{\"ods\":\"RTF\",");

    /* Normalizing the canonical form again changes nothing. */
    round = tu_json(da);
    again = canonical(round);
    assert_string_equal(da, again);

    /* Different content gives a different canonical form. */
    json_object_set_new(b, "capacity", json_integer(5));
    free(db);
    db = canonical(b);
    assert_string_not_equal(da, db);

    free(da);
    free(db);
    free(again);
    json_decref(round);
    json_decref(a);
    json_decref(b);
}

static void test_defaults_equal_explicit(void **state)
{
    json_t *bare = tu_spec_example(), *full = tu_spec_example();
    char *a, *b;
    (void)state;

    json_object_del(bare, "description");
    json_object_del(bare, "regions");
    json_object_del(bare, "tags");
    json_object_del(bare, "attributes");
    json_object_del(bare, "status");
    json_object_del(bare, "capacity");
    json_object_del(json_object_get(bare, "price"), "currency");
    json_object_set_new(full, "description", json_string(""));
    json_object_set_new(full, "regions", json_array());
    json_object_set_new(full, "tags", json_array());
    json_object_set_new(full, "attributes", json_object());
    json_object_set_new(full, "status", json_string("active"));
    json_object_set_new(full, "capacity", json_null());
    /* rev and time stamps are not content. */
    json_object_set_new(full, "rev", json_integer(99));
    json_object_set_new(full, "withdrawn_at", json_string("2026-01-01T00:00:00Z"));
    json_object_del(bare, "rev");
    json_object_del(bare, "updated_at");

    a = canonical(bare);
    b = canonical(full);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(bare);
    json_decref(full);
}

/* An attributes object with very many keys is refused by its size before
   any sorting: a record of a megabyte must not stall an import or the hub
   for seconds.  (Sorting 60,000 keys first took about 30 s under ASan.) */
static void test_wide_attributes_refused_fast(void **state)
{
    json_t *in = tu_spec_example(), *attrs = json_object(), *out = NULL;
    struct timespec t0, t1;
    fg_error err;
    double secs;
    (void)state;

    for (int i = 60000; i > 0; i--) {
        char key[32];
        snprintf(key, sizeof key, "k%08d", i);
        json_object_set_new(attrs, key, json_integer(i));
    }
    json_object_set_new(in, "attributes", attrs);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(cat_offering_normalize(in, WHERE, &out, NULL, &err), FG_EINVAL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(names_field(err.msg, "attributes"));
    tu_assert_contains(err.msg, "bytes");
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 5.0)
        fail_msg("refusing a wide attributes object took %.1f s", secs);
    json_decref(in);
}

static void test_meta_withdrawn_at(void **state)
{
    json_t *in = tu_spec_example(), *out = NULL;
    cat_meta meta;
    fg_error err;
    (void)state;

    json_object_set_new(in, "status", json_string("withdrawn"));
    json_object_set_new(in, "withdrawn_at", json_string("2026-12-01T08:30:00Z"));
    assert_int_equal(cat_offering_normalize(in, "", &out, &meta, &err), FG_OK);
    assert_string_equal(meta.withdrawn_at, "2026-12-01T08:30:00Z");
    assert_string_equal(json_string_value(json_object_get(out, "status")), "withdrawn");
    assert_null(json_object_get(out, "withdrawn_at"));
    json_decref(out);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example_normalizes),
        cmocka_unit_test(test_defaults_filled_in),
        cmocka_unit_test(test_edge_values_accepted),
        cmocka_unit_test(test_every_field_refused),
        cmocka_unit_test(test_where_and_err_optional),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_key_order_does_not_matter),
        cmocka_unit_test(test_defaults_equal_explicit),
        cmocka_unit_test(test_wide_attributes_refused_fast),
        cmocka_unit_test(test_meta_withdrawn_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
