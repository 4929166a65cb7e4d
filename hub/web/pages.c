/*
 * What the browser catalogue's pages show: search with filters, facets and
 * paging; one offering with its request form; creating a request; a
 * trust's lists of requests; one request with its history and the moves
 * the signed-in trust may make.  The frame is in page.c, forms, sessions
 * and routes in router.c, the form tokens in forms.c.
 *
 * Every value from the catalogue, the user or a plugin goes through
 * html_text(); links are built with html_url().  A request is shown only
 * to the trust that made it and the provider of its offering (SPEC §8):
 * the lists hold exactly cat_request_list's answer for the signed-in
 * organisation, a request's page answers 404 to anyone else, and a new
 * request's requester is always that organisation.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "log.h"
#include "util.h"

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 1000
#define MAX_OFFSET 1000000000
#define MAX_QUANTITY 1000000

#define S(obj, key) json_string_value(json_object_get((obj), (key)))

/* ---- small pieces ------------------------------------------------------ */

/* Writes "£1,850.00" (or "1,850.00 EUR", "-£0.50"). */
static void put_money(html_buf *b, json_int_t pence, const char *currency)
{
    char out[80];
    fg_money(out, sizeof out, pence, currency);
    html_text(b, out);
}

/* A price unit in words: "per delegate", "per day", "per bed", "for the
   whole request" (fixed); anything else as it is. */
static void put_unit(html_buf *b, const char *unit)
{
    static const struct {
        const char *unit;
        html_lit words;
    } units[] = {{"per-delegate", HTML("per delegate")},
                 {"per-day", HTML("per day")},
                 {"per-bed", HTML("per bed")},
                 {"fixed", HTML("for the whole request")}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (unit && strcmp(unit, units[i].unit) == 0) {
            html_put(b, units[i].words);
            return;
        }
    }
    html_text(b, unit);
}

static void put_price(html_buf *b, const json_t *price)
{
    put_money(b, json_integer_value(json_object_get(price, "amount_pence")),
              S(price, "currency"));
    html_raw(b, " ");
    put_unit(b, S(price, "unit"));
}

/* The label the loaded plugin of `area` gives it, else the area's name. */
static const char *area_label(const html_page *p, const char *area)
{
    const char *label = NULL, *description = NULL;
    if (area && p->call->cfg && p->call->cfg->rt &&
        rt_area_label(p->call->cfg->rt, area, &label, &description) && label)
        return label;
    return area;
}

/* The problems found with a form, each with the id of the field it is
   about (a literal). */
#define MAX_PROBLEMS 6
typedef struct form_problems {
    size_t n;
    struct {
        html_lit field;
        char msg[FG_ERROR_MSG_SIZE];
    } at[MAX_PROBLEMS];
} form_problems;

/* Adds a problem with `field` (a literal id); the first of each field is
   the one shown beside it. */
static void add_problem(form_problems *pr, html_lit field, const char *msg)
{
    if (pr->n == MAX_PROBLEMS)
        return;
    pr->at[pr->n].field = field;
    snprintf(pr->at[pr->n].msg, sizeof pr->at[pr->n].msg, "%s", msg);
    pr->n++;
}

/* The first problem with field `field`, or NULL. */
static const char *problem_with(const form_problems *pr, const char *field)
{
    for (size_t i = 0; pr && i < pr->n; i++)
        if (strcmp(pr->at[i].field.s, field) == 0)
            return pr->at[i].msg;
    return NULL;
}

/* The NHS.UK error summary with every problem, verbatim but escaped, each
   linking to its field. */
static void put_errors(html_buf *b, const form_problems *pr)
{
    page_errors_begin(b);
    for (size_t i = 0; i < pr->n; i++)
        page_error_item(b, pr->at[i].field, pr->at[i].msg);
    page_errors_end(b);
}

/*
 * A refusal as a trust's staff should read it: the catalogue says
 * "request refused by the AREA plugin: WHY"; the page says "Why" (the
 * plugin's own sentence, first letter capitalised).  Into out.
 */
static void plain_refusal(char *out, size_t size, const char *msg)
{
    static const char head[] = "request refused by the ";
    const char *why = msg, *colon;
    if (strncmp(msg, head, sizeof head - 1) == 0 &&
        (colon = strstr(msg + sizeof head - 1, " plugin: ")) != NULL)
        why = colon + strlen(" plugin: ");
    snprintf(out, size, "%s", why);
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

static void put_offering_link(html_buf *b, const char *id, const char *title)
{
    html_raw(b, "<a class=\"offering\" href=\"/offerings/");
    html_url(b, id, true);
    html_raw(b, "\">");
    html_text(b, title ? title : id);
    html_raw(b, "</a>");
}

static void put_when(html_buf *b, const char *s);
static void put_status_tag(html_buf *b, const char *status);

/* ---- search ------------------------------------------------------------ */

/* The search form's fields, in the order links carry them. */
enum { F_Q, F_AREA, F_PROVIDER, F_DELIVERY, F_REGION, F_MAX_PRICE, F_TAG, F_WITHDRAWN, F_LIMIT,
       F_SORT, F_COUNT };
static const char *const field_names[F_COUNT] = {
    "q", "area", "provider", "delivery", "region", "max_price", "tag", "include_withdrawn",
    "limit", "sort"};

typedef struct search_form {
    const char *v[F_COUNT]; /* NULL when absent or empty */
    cat_query q;
} search_form;

/*
 * Reads the query arguments into `s` and checks them as the CLI does.
 * Returns true, or false with the problem in msg.
 */
static bool read_search(const hub_call *call, search_form *s, char *msg, size_t size)
{
    const char *offset = hub_arg(call, "offset");
    memset(s, 0, sizeof *s);
    s->q.max_price_pence = -1;
    s->q.limit = DEFAULT_LIMIT;
    for (int i = 0; i < F_COUNT; i++) {
        const char *v = hub_arg(call, field_names[i]);
        if (v && *v && !fg_utf8_valid(v, strlen(v))) {
            snprintf(msg, size, "%s is not valid UTF-8 text", field_names[i]);
            return false;
        }
        s->v[i] = v && *v ? v : NULL;
    }
    s->q.text = s->v[F_Q];
    s->q.area = s->v[F_AREA];
    s->q.provider = s->v[F_PROVIDER];
    s->q.delivery = s->v[F_DELIVERY];
    s->q.region = s->v[F_REGION];
    s->q.tag = s->v[F_TAG];
    s->q.include_withdrawn = s->v[F_WITHDRAWN] != NULL;
    s->q.facets = true;
    if (s->q.delivery && strcmp(s->q.delivery, "on-site") != 0 &&
        strcmp(s->q.delivery, "remote") != 0 && strcmp(s->q.delivery, "blended") != 0) {
        snprintf(msg, size, "delivery must be on-site, remote or blended, not '%.40s'",
                 s->q.delivery);
        return false;
    }
    if (s->v[F_MAX_PRICE] && !fg_parse_pounds(s->v[F_MAX_PRICE], &s->q.max_price_pence)) {
        snprintf(msg, size, "max price takes pounds like 1500 or 1500.50, not '%.40s'",
                 s->v[F_MAX_PRICE]);
        return false;
    }
    if (s->v[F_LIMIT] && !fg_parse_int(s->v[F_LIMIT], 1, MAX_LIMIT, &s->q.limit)) {
        snprintf(msg, size, "limit must be a whole number from 1 to %d, not '%.40s'",
                 MAX_LIMIT, s->v[F_LIMIT]);
        return false;
    }
    if (s->v[F_SORT] && !cat_sort_parse(s->v[F_SORT], &s->q.sort)) {
        snprintf(msg, size, "sort must be relevance, price or title, not '%.40s'",
                 s->v[F_SORT]);
        return false;
    }
    if (offset && *offset && !fg_parse_int(offset, 0, MAX_OFFSET, &s->q.offset)) {
        snprintf(msg, size, "offset must be a whole number from 0, not '%.40s'", offset);
        return false;
    }
    return true;
}

/* A link to the search `s` with field `key` set to `value` (NULL drops it)
   at `offset`, as an escaped attribute value. */
static void search_href(html_buf *b, const search_form *s, int key, const char *value,
                        int64_t offset)
{
    bool first = true;
    html_raw(b, "/");
    for (int i = 0; i < F_COUNT; i++) {
        const char *v = i == key ? value : s->v[i];
        if (!v)
            continue;
        html_put(b, first ? HTML("?") : HTML("&amp;"));
        html_url(b, field_names[i], false);
        html_raw(b, "=");
        html_url(b, v, false);
        first = false;
    }
    if (offset > 0) {
        html_put(b, first ? HTML("?") : HTML("&amp;"));
        html_raw(b, "offset=");
        html_int(b, offset);
    }
}

/* A text input with its label in an NHS.UK form group: the label, the
   name (also its id) and the extra attributes are literals, joined by the
   compiler. */
#define text_field(b, label, name, value, extra)                               \
    text_field_((b), HTML("<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" " \
                          "for=\"" name "\">" label "</label><input class=\"nhsuk-input\" " \
                          "type=\"text\" id=\"" name "\" name=\"" name "\" value=\""), \
                (value), HTML("\"" extra "></div>"))
static void text_field_(html_buf *b, html_lit head, const char *value, html_lit tail)
{
    html_put(b, head);
    html_text(b, value);
    html_put(b, tail);
}

static void option(html_buf *b, const char *value, const char *label, const char *current)
{
    html_raw(b, "<option value=\"");
    html_text(b, value);
    html_put(b, current && strcmp(current, value) == 0 ? HTML("\" selected>") : HTML("\">"));
    html_text(b, label);
    html_raw(b, "</option>");
}

static void search_form_html(html_page *p, const search_form *s, json_t *areas)
{
    html_buf *b = &p->b;
    const char *area;
    json_t *counts;
    bool listed = false;

    html_raw(b, "<search><form class=\"search\" method=\"get\" action=\"/\">");
    text_field(b, "What are you looking for?", "q", s->v[F_Q], " spellcheck=\"false\"");
    html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"sort\">"
                "Sort by</label><select class=\"nhsuk-select\" id=\"sort\" name=\"sort\">");
    option(b, "relevance", "Best match", s->v[F_SORT]);
    option(b, "price", "Price, lowest first", s->v[F_SORT]);
    option(b, "title", "Title, A to Z", s->v[F_SORT]);
    html_raw(b, "</select></div><details class=\"nhsuk-details\"");
    for (int i = F_AREA; i < F_COUNT; i++)
        if (s->v[i] && i != F_LIMIT && i != F_SORT) {
            html_raw(b, " open");
            break;
        }
    html_raw(b, "><summary class=\"nhsuk-details__summary\"><span "
                "class=\"nhsuk-details__summary-text\">Filters</span></summary>"
                "<div class=\"nhsuk-details__text\">"
                "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"area\">"
                "Area</label><select class=\"nhsuk-select\" id=\"area\" name=\"area\">"
                "<option value=\"\">any</option>");
    json_object_foreach(areas, area, counts) {
        char label[256];
        snprintf(label, sizeof label, "%s (%lld)", area_label(p, area),
                 (long long)json_integer_value(json_object_get(counts, "active")));
        option(b, area, label, s->v[F_AREA]);
        if (s->v[F_AREA] && strcmp(s->v[F_AREA], area) == 0)
            listed = true;
    }
    if (s->v[F_AREA] && !listed) /* keep a filter the catalogue does not know */
        option(b, s->v[F_AREA], s->v[F_AREA], s->v[F_AREA]);
    html_raw(b, "</select></div>");
    text_field(b, "Provider (ODS code)", "provider", s->v[F_PROVIDER],
               " class=\"nhsuk-input--width-5\"");
    html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                "for=\"delivery\">Delivery</label><select class=\"nhsuk-select\" "
                "id=\"delivery\" name=\"delivery\"><option value=\"\">any</option>");
    option(b, "on-site", "on-site", s->v[F_DELIVERY]);
    option(b, "remote", "remote", s->v[F_DELIVERY]);
    option(b, "blended", "blended", s->v[F_DELIVERY]);
    html_raw(b, "</select></div>");
    text_field(b, "Region", "region", s->v[F_REGION], " class=\"nhsuk-input--width-20\"");
    text_field(b, "Highest price in pounds", "max_price", s->v[F_MAX_PRICE],
               " class=\"nhsuk-input--width-10\" inputmode=\"decimal\"");
    text_field(b, "Tag", "tag", s->v[F_TAG], " class=\"nhsuk-input--width-20\"");
    html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"limit\">"
                "Results per page</label><input class=\"nhsuk-input nhsuk-input--width-4\" "
                "type=\"number\" id=\"limit\" name=\"limit\" min=\"1\" max=\"1000\" value=\"");
    html_int(b, s->q.limit);
    html_raw(b, "\"></div><div class=\"nhsuk-form-group\"><div class=\"nhsuk-checkboxes\">"
                "<div class=\"nhsuk-checkboxes__item\"><input class=\"nhsuk-checkboxes__input\" "
                "id=\"include_withdrawn\" type=\"checkbox\" name=\"include_withdrawn\" "
                "value=\"1\"");
    if (s->q.include_withdrawn)
        html_raw(b, " checked");
    html_raw(b, "><label class=\"nhsuk-label nhsuk-checkboxes__label\" "
                "for=\"include_withdrawn\">Include withdrawn offerings</label></div></div>"
                "</div></div></details><button class=\"nhsuk-button\" type=\"submit\">"
                "Search</button></form></search>");
}

static void result_item(const html_page *p, html_buf *b, const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const char *status = S(o, "status");
    html_raw(b, "<li><h2 class=\"nhsuk-heading-s nhsuk-u-margin-bottom-1\">");
    put_offering_link(b, S(o, "id"), S(o, "title"));
    if (status && strcmp(status, "withdrawn") == 0)
        html_raw(b, " <strong class=\"nhsuk-tag nhsuk-tag--grey badge\">Withdrawn</strong>");
    html_raw(b, "</h2><div class=\"meta nhsuk-body-s nhsuk-u-margin-bottom-1\">");
    html_text(b, S(provider, "name"));
    html_raw(b, " (");
    html_text(b, S(provider, "ods"));
    html_raw(b, ") \xc2\xb7 ");
    html_text(b, area_label(p, S(o, "area")));
    html_raw(b, " \xc2\xb7 ");
    html_text(b, S(o, "delivery"));
    html_raw(b, " \xc2\xb7 ");
    put_price(b, json_object_get(o, "price"));
    html_raw(b, "</div><p>");
    html_text(b, S(o, "summary"));
    html_raw(b, "</p></li>");
}

static void facets_html(const html_page *p, html_buf *b, const search_form *s, json_t *facets)
{
    static const struct {
        const char *group, *heading;
        int field;
    } groups[] = {{"area", "Area", F_AREA},
                  {"provider", "Provider", F_PROVIDER},
                  {"delivery", "Delivery", F_DELIVERY},
                  {"tag", "Tag", F_TAG}};
    html_raw(b, "<aside class=\"facets fgcat-facets\" aria-labelledby=\"refine\">"
                "<h2 class=\"nhsuk-heading-m\" id=\"refine\">Refine</h2>");
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        json_t *counts = json_object_get(facets, groups[g].group), *n;
        const char *value;
        if (json_object_size(counts) == 0)
            continue;
        html_raw(b, "<h3 class=\"nhsuk-heading-xs nhsuk-u-margin-bottom-2\">");
        html_text(b, groups[g].heading);
        html_raw(b, "</h3><ul class=\"nhsuk-list\">");
        if (s->v[groups[g].field]) {
            html_raw(b, "<li><a href=\"");
            search_href(b, s, groups[g].field, NULL, 0);
            html_raw(b, "\">any</a></li>");
        }
        json_object_foreach(counts, value, n) {
            html_raw(b, "<li class=\"fgcat-wrap\"><a href=\"");
            search_href(b, s, groups[g].field, value, 0);
            html_raw(b, "\">");
            html_text(b, groups[g].field == F_AREA ? area_label(p, value) : value);
            html_raw(b, "</a> (");
            html_int(b, json_integer_value(n));
            html_raw(b, ")</li>");
        }
        html_raw(b, "</ul>");
    }
    html_raw(b, "</aside>");
}

void page_search(html_page *p)
{
    search_form s;
    char problem[FG_ERROR_MSG_SIZE];
    json_t *areas = NULL, *results = NULL, *facets = NULL;
    bool ok, more;
    unsigned status = 200;
    size_t shown;
    fg_error e;

    ok = read_search(p->call, &s, problem, sizeof problem);
    if (ok) {
        cat_query q = s.q;
        q.limit = s.q.limit + 1; /* one more tells whether there is a next page */
        if (cat_search(p->call->cat, &q, &results, &facets, &e) != FG_OK) {
            ok = false;
            if (e.status == FG_EINVAL) {
                snprintf(problem, sizeof problem, "%s", e.msg);
            } else {
                fg_log(FG_LOG_ERROR, "hub: search: %s", e.msg);
                snprintf(problem, sizeof problem, "The hub could not search; see its log.");
                status = 500;
            }
        }
    }
    if (!ok && status == 200)
        status = 400;
    if (cat_area_counts(p->call->cat, &areas, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: counting areas: %s", e.msg);
        areas = json_object();
    }

    page_begin(p, s.v[F_Q] ? s.v[F_Q] : "Shared services");
    html_raw(&p->b, "<h1>Find a shared service</h1>");
    if (!ok)
        page_error_summary(&p->b, HTML("q"), problem);
    search_form_html(p, &s, areas);
    if (ok) {
        size_t i;
        json_t *o;
        more = json_array_size(results) > (size_t)s.q.limit;
        shown = more ? (size_t)s.q.limit : json_array_size(results);
        html_raw(&p->b, "<div class=\"nhsuk-grid-row\"><section class=\"results "
                        "nhsuk-grid-column-two-thirds\" aria-label=\"Results\">");
        if (shown == 0) {
            html_raw(&p->b, "<p class=\"notice\">No offerings match.</p>");
        } else {
            html_raw(&p->b, "<p>Offerings ");
            html_int(&p->b, (long long)s.q.offset + 1);
            html_raw(&p->b, "\xe2\x80\x93");
            html_int(&p->b, (long long)s.q.offset + (long long)shown);
            if (more)
                html_raw(&p->b, ", more on the next page");
            html_raw(&p->b, "</p>");
            html_raw(&p->b, "<ol class=\"results nhsuk-list\" start=\"");
            html_int(&p->b, s.q.offset + 1);
            html_raw(&p->b, "\">");
            json_array_foreach(results, i, o) {
                if (i < shown)
                    result_item(p, &p->b, o);
            }
            html_raw(&p->b, "</ol>");
        }
        html_raw(&p->b, "<nav class=\"nhsuk-pagination paging\" aria-label=\"Pagination\">"
                        "<ul class=\"nhsuk-list nhsuk-pagination__list\">");
        if (s.q.offset > 0) {
            html_raw(&p->b, "<li class=\"nhsuk-pagination-item--previous\"><a "
                            "class=\"nhsuk-pagination__link nhsuk-pagination__link--prev\" "
                            "rel=\"prev\" href=\"");
            search_href(&p->b, &s, -1, NULL,
                        s.q.offset > s.q.limit ? s.q.offset - s.q.limit : 0);
            html_raw(&p->b, "\"><span class=\"nhsuk-pagination__title\">Previous</span>"
                            "<span class=\"nhsuk-u-visually-hidden\">:</span>"
                            "<span class=\"nhsuk-pagination__page\">Earlier results</span>"
                            "</a></li>");
        }
        if (more) {
            html_raw(&p->b, "<li class=\"nhsuk-pagination-item--next\"><a "
                            "class=\"nhsuk-pagination__link nhsuk-pagination__link--next\" "
                            "rel=\"next\" href=\"");
            search_href(&p->b, &s, -1, NULL, s.q.offset + s.q.limit);
            html_raw(&p->b, "\"><span class=\"nhsuk-pagination__title\">Next</span>"
                            "<span class=\"nhsuk-u-visually-hidden\">:</span>"
                            "<span class=\"nhsuk-pagination__page\">More results</span>"
                            "</a></li>");
        }
        html_raw(&p->b, "</ul></nav></section><div class=\"nhsuk-grid-column-one-third\">");
        facets_html(p, &p->b, &s, facets);
        html_raw(&p->b, "</div></div>");
    }
    page_end(p, status);
    json_decref(areas);
    json_decref(results);
    json_decref(facets);
}

/* ---- one offering ------------------------------------------------------ */

/* What the request form held, to show it again after a problem. */
typedef struct request_values {
    const char *quantity, *start, *contact, *note;
} request_values;

/* A term of a description list, a literal. */
#define dt(b, term)                                                            \
    html_raw((b), "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">" \
                  term "</dt><dd class=\"nhsuk-summary-list__value\">")

/* A link to the search filtered by `field` = `value`, showing the value. */
static void filter_link(html_buf *b, const char *field, const char *value)
{
    html_raw(b, "<a href=\"/?");
    html_url(b, field, false);
    html_raw(b, "=");
    html_url(b, value, false);
    html_raw(b, "\">");
    html_text(b, value);
    html_raw(b, "</a>");
}

static void list_links(html_buf *b, const json_t *arr, const char *field)
{
    size_t i;
    json_t *v;
    if (json_array_size(arr) == 0)
        html_raw(b, "\xe2\x80\x94");
    json_array_foreach(arr, i, v) {
        if (i)
            html_raw(b, ", ");
        filter_link(b, field, json_string_value(v));
    }
}

/* Writes "8 delegates" ("1 delegate", "1 specialty"): a whole number and
   the unit a plugin labelled it with, made singular for 1. */
static void put_count(html_buf *b, long long n, const char *unit)
{
    size_t len = unit ? strlen(unit) : 0;
    char one[128];
    html_int(b, n);
    if (!len)
        return;
    html_raw(b, " ");
    if (n == 1 && len > 3 && len < sizeof one && strcmp(unit + len - 3, "ies") == 0) {
        snprintf(one, sizeof one, "%.*sy", (int)(len - 3), unit);
        html_text(b, one);
    } else if (n == 1 && len > 1 && len < sizeof one && unit[len - 1] == 's') {
        snprintf(one, sizeof one, "%.*s", (int)(len - 1), unit);
        html_text(b, one);
    } else {
        html_text(b, unit);
    }
}

/* Writes an attribute's name when its plugin gives it no label:
   "cohort_min" as "Cohort min". */
static void put_key_words(html_buf *b, const char *key)
{
    char words[128];
    size_t i;
    for (i = 0; key && key[i] && i + 1 < sizeof words; i++) {
        words[i] = key[i];
        if (key[i] == '_' || key[i] == '-')
            words[i] = ' ';
    }
    words[i] = '\0';
    if (words[0] >= 'a' && words[0] <= 'z')
        words[0] = (char)(words[0] - 'a' + 'A');
    html_text(b, words);
}

/* One attribute of an offering as a row of its summary list, by the label
   and unit its area's plugin gives it: "Minimum cohort size: 8
   delegates", "Train the trainer: No". */
static void attribute_row(const html_page *p, html_buf *b, const char *area, const char *key,
                          const json_t *value)
{
    const char *label = NULL, *unit = NULL, *description = NULL;
    bool labelled = p->call->cfg && p->call->cfg->rt &&
                    rt_attr_label(p->call->cfg->rt, area, key, &label, &unit, &description);
    size_t i;
    json_t *v;

    html_raw(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">");
    if (labelled && label)
        html_text(b, label);
    else
        put_key_words(b, key);
    html_raw(b, "</dt><dd class=\"nhsuk-summary-list__value\">");
    if (json_is_string(value)) {
        html_text(b, json_string_value(value));
    } else if (json_is_boolean(value)) {
        html_put(b, json_is_true(value) ? HTML("Yes") : HTML("No"));
    } else if (json_is_integer(value)) {
        put_count(b, (long long)json_integer_value(value), labelled ? unit : NULL);
    } else if (json_is_array(value)) {
        json_array_foreach(value, i, v) {
            if (i)
                html_raw(b, ", ");
            if (json_is_string(v)) {
                html_text(b, json_string_value(v));
            } else {
                char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                html_text(b, text);
                free(text);
            }
        }
    } else {
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        html_text(b, text);
        free(text);
    }
    html_raw(b, "</dd></div>");
}

/* Delivery in words. */
static void put_delivery(html_buf *b, const char *delivery)
{
    if (delivery && strcmp(delivery, "on-site") == 0)
        html_raw(b, "On site, at your trust");
    else if (delivery && strcmp(delivery, "remote") == 0)
        html_raw(b, "Remote");
    else if (delivery && strcmp(delivery, "blended") == 0)
        html_raw(b, "Blended: on site and remote");
    else
        html_text(b, delivery);
}

static void offering_details(const html_page *p, html_buf *b, const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const json_t *dur = json_object_get(o, "duration_days");
    const json_t *cap = json_object_get(o, "capacity");
    const char *description = S(o, "description"), *area = S(o, "area");
    const char *key;
    json_t *value;

    html_raw(b, "<p class=\"summary nhsuk-lede-text\">");
    html_text(b, S(o, "summary"));
    html_raw(b, "</p>");
    if (description && *description) {
        html_raw(b, "<div class=\"description fgcat-pre-line\">");
        html_text(b, description);
        html_raw(b, "</div>");
    }
    html_raw(b, "<dl class=\"nhsuk-summary-list offering\">");
    dt(b, "Area");
    html_raw(b, "<a href=\"/?area=");
    html_url(b, area, false);
    html_raw(b, "\">");
    html_text(b, area_label(p, area));
    html_raw(b, "</a></dd></div>");
    dt(b, "Provider");
    html_text(b, S(provider, "name"));
    html_raw(b, " (");
    filter_link(b, "provider", S(provider, "ods"));
    html_raw(b, ")</dd></div>");
    dt(b, "Delivery");
    put_delivery(b, S(o, "delivery"));
    html_raw(b, "</dd></div>");
    if (json_is_integer(dur)) {
        dt(b, "Duration");
        put_count(b, (long long)json_integer_value(dur), "days");
        html_raw(b, "</dd></div>");
    }
    dt(b, "Price");
    put_price(b, json_object_get(o, "price"));
    html_raw(b, "</dd></div>");
    /* Capacity counts accepted requests, not people: say so, so that it
       does not read as a cohort size. */
    dt(b, "Requests taken on at once");
    if (json_is_integer(cap)) {
        html_raw(b, "Up to ");
        html_int(b, json_integer_value(cap));
        html_raw(b, " accepted request");
        if (json_integer_value(cap) != 1)
            html_raw(b, "s");
        html_raw(b, " at a time, from all trusts together. This counts requests, not "
                    "people: a request counts once however many it is for.");
    } else {
        html_raw(b, "No limit: the provider takes on any number of requests at a time.");
    }
    html_raw(b, "</dd></div>");
    json_object_foreach(json_object_get(o, "attributes"), key, value)
        attribute_row(p, b, area, key, value);
    dt(b, "Regions");
    list_links(b, json_object_get(o, "regions"), "region");
    html_raw(b, "</dd></div>");
    dt(b, "Tags");
    list_links(b, json_object_get(o, "tags"), "tag");
    html_raw(b, "</dd></div>");
    dt(b, "Contact");
    html_raw(b, "<a href=\"mailto:");
    html_text(b, S(o, "contact"));
    html_raw(b, "\">");
    html_text(b, S(o, "contact"));
    html_raw(b, "</a></dd></div>");
    dt(b, "Status");
    if (strcmp(S(o, "status"), "withdrawn") == 0) {
        html_raw(b, "Withdrawn");
        if (S(o, "withdrawn_at")) {
            html_raw(b, " on ");
            put_when(b, S(o, "withdrawn_at"));
        }
    } else {
        html_raw(b, "Taking requests");
    }
    html_raw(b, "</dd></div>");
    dt(b, "Reference");
    html_text(b, S(o, "id"));
    html_raw(b, ", version ");
    html_int(b, json_integer_value(json_object_get(o, "rev")));
    html_raw(b, ", updated ");
    put_when(b, S(o, "updated_at"));
    html_raw(b, "</dd></div></dl>");
}

/*
 * The price estimate of an offering page: a GET form; with ?quantity (and
 * ?start) it runs every check of a request and the area plugin's quote
 * (cat_request_quote) for the signed-in trust, storing nothing, and shows
 * the price or why such a request would be refused.
 */
static void estimate_section(html_page *p, const json_t *o)
{
    html_buf *b = &p->b;
    const char *quantity = hub_arg(p->call, "quantity"), *start = hub_arg(p->call, "start");
    cat_request_in in = {.offering_id = S(o, "id"), .requester_ods = p->org,
                         .person = p->person};
    char problem[FG_ERROR_MSG_SIZE] = "", money[64];
    cat_quote quote = {0};
    fg_error e;

    if (start && !*start)
        start = NULL;
    html_raw(b, "<div class=\"estimate\"><h3 id=\"estimate-heading\">Estimate the price</h3>"
                "<p>What a request would cost, with every rule of the provider checked; "
                "nothing is sent.</p>");
    if (quantity && *quantity) {
        in.start = start;
        if (!fg_parse_int(quantity, 1, MAX_QUANTITY, &in.quantity)) {
            snprintf(problem, sizeof problem, "Quantity must be a whole number from 1 to "
                                              "1000000.");
        } else if (!p->call->cfg || !p->call->cfg->rt) {
            snprintf(problem, sizeof problem, "This hub has no area plugins loaded, so it "
                                              "cannot price requests.");
        } else {
            if (cat_request_quote(p->call->cat, p->call->cfg->rt, &in, &quote, &e) != FG_OK)
                plain_refusal(problem, sizeof problem, e.msg);
        }
        if (*problem) {
            html_raw(b, "<p class=\"nhsuk-error-message estimate-problem\"><span "
                        "class=\"nhsuk-u-visually-hidden\">Error: </span>");
            html_text(b, problem);
            html_raw(b, "</p>");
        } else {
            fg_money(money, sizeof money, quote.amount_pence, quote.currency);
            html_raw(b, "<div class=\"nhsuk-inset-text\"><p>A request for ");
            html_int(b, in.quantity);
            html_raw(b, " would cost <strong class=\"estimate\">");
            html_text(b, money);
            html_raw(b, "</strong>. Nothing has been sent.</p></div>");
        }
    }
    html_raw(b, "<form class=\"estimate\" method=\"get\" action=\"/offerings/");
    html_url(b, S(o, "id"), true);
    html_raw(b, "\"><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                "for=\"estimate-quantity\">Quantity</label><input class=\"nhsuk-input "
                "nhsuk-input--width-5\" type=\"number\" id=\"estimate-quantity\" "
                "name=\"quantity\" min=\"1\" max=\"1000000\" value=\"");
    html_text(b, quantity);
    html_raw(b, "\"></div><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                "for=\"estimate-start\">Start date (optional)</label><input class=\"nhsuk-input "
                "nhsuk-input--width-10\" type=\"date\" id=\"estimate-start\" name=\"start\" "
                "value=\"");
    html_text(b, start);
    html_raw(b, "\"></div><button class=\"nhsuk-button nhsuk-button--secondary\" "
                "type=\"submit\">Estimate the price</button></form></div>");
}

/* Opens an NHS.UK form group, marked when `msg` (a problem with its
   field) is not NULL, and writes the problem under its label's place. */
static void group_begin(html_buf *b, const char *msg)
{
    html_put(b, msg ? HTML("<div class=\"nhsuk-form-group nhsuk-form-group--error\">")
                    : HTML("<div class=\"nhsuk-form-group\">"));
}

/* The message of a field in error, with id `id` (a literal), after its
   label; nothing when `msg` is NULL. */
static void field_error(html_buf *b, html_lit id, const char *msg)
{
    if (!msg)
        return;
    html_raw(b, "<span class=\"nhsuk-error-message\" id=\"");
    html_put(b, id);
    html_raw(b, "\"><span class=\"nhsuk-u-visually-hidden\">Error:</span> ");
    html_text(b, msg);
    html_raw(b, "</span>");
}

/* The request part of an offering page: a form for a signed-in trust that
   may request it, or why it cannot.  `pr` (may be NULL) marks the fields
   in error. */
static void request_section(html_page *p, const json_t *o, const request_values *v,
                            const form_problems *pr)
{
    html_buf *b = &p->b;
    const char *id = S(o, "id");
    const char *provider = S(json_object_get(o, "provider"), "ods");
    const char *eq = problem_with(pr, "quantity"), *es = problem_with(pr, "start"),
               *ec = problem_with(pr, "contact"), *en = problem_with(pr, "note");
    char today[FG_DATE_SIZE], token[WEB_TOKEN_SIZE];

    html_raw(b, "<section class=\"request\" aria-labelledby=\"request-heading\">"
                "<h2 id=\"request-heading\">Request this service</h2>");
    if (S(o, "withdrawn_at") || strcmp(S(o, "status"), "withdrawn") == 0) {
        html_raw(b, "<p>This offering was withdrawn and takes no new requests.</p></section>");
        return;
    }
    if (!p->org) {
        html_raw(b, "<p><a href=\"/login?next=/offerings/");
        html_url(b, id, true);
        html_raw(b, "\">Sign in</a> with your trust's token to request it.</p></section>");
        return;
    }
    if (provider && strcmp(provider, p->org) == 0) {
        html_raw(b, "<p>Your trust provides this offering; requests for it appear under "
                    "<a href=\"/requests?list=to-us\">Requests to us</a>.</p></section>");
        return;
    }
    estimate_section(p, o);
    html_raw(b, "<h3 id=\"send-heading\">Send a request</h3>");
    fg_today(today);
    if (!web_new_token(token))
        token[0] = '\0';
    html_raw(b, "<form class=\"request\" method=\"post\" novalidate action=\"/offerings/");
    html_url(b, id, true);
    html_raw(b, "/request\">");
    web_csrf_field(p);
    html_raw(b, "<input type=\"hidden\" name=\"form\" value=\"");
    html_text(b, token);
    html_raw(b, "\"><p>Requesting as <strong>");
    html_text(b, p->org);
    html_raw(b, "</strong>. The provider's rules are checked and the price worked out "
                "when you send it.</p>");
    group_begin(b, eq);
    html_raw(b, "<label class=\"nhsuk-label\" for=\"quantity\">Quantity</label><div "
                "class=\"nhsuk-hint\" id=\"quantity-hint\">How many units of the price, for "
                "example delegates</div>");
    field_error(b, HTML("quantity-error"), eq);
    html_put(b, eq ? HTML("<input class=\"nhsuk-input nhsuk-input--width-5 nhsuk-input--error\" "
                          "aria-describedby=\"quantity-hint quantity-error\"")
                   : HTML("<input class=\"nhsuk-input nhsuk-input--width-5\" "
                          "aria-describedby=\"quantity-hint\""));
    html_raw(b, " type=\"number\" id=\"quantity\" name=\"quantity\" min=\"1\" max=\"1000000\" "
                "required value=\"");
    html_text(b, v ? v->quantity : NULL);
    html_raw(b, "\"></div>");
    group_begin(b, es);
    html_raw(b, "<label class=\"nhsuk-label\" for=\"start\">Start date (optional)</label>");
    field_error(b, HTML("start-error"), es);
    html_put(b, es ? HTML("<input class=\"nhsuk-input nhsuk-input--width-10 nhsuk-input--error\" "
                          "aria-describedby=\"start-error\"")
                   : HTML("<input class=\"nhsuk-input nhsuk-input--width-10\""));
    html_raw(b, " type=\"date\" id=\"start\" name=\"start\" min=\"");
    html_text(b, today);
    html_raw(b, "\" value=\"");
    html_text(b, v ? v->start : NULL);
    html_raw(b, "\"></div>");
    group_begin(b, ec);
    html_raw(b, "<label class=\"nhsuk-label\" for=\"contact\">Contact email</label><div "
                "class=\"nhsuk-hint\" id=\"contact-hint\">Who at your trust the provider "
                "should reply to</div>");
    field_error(b, HTML("contact-error"), ec);
    html_put(b, ec ? HTML("<input class=\"nhsuk-input nhsuk-input--error\" "
                          "aria-describedby=\"contact-hint contact-error\"")
                   : HTML("<input class=\"nhsuk-input\" aria-describedby=\"contact-hint\""));
    html_raw(b, " type=\"email\" id=\"contact\" name=\"contact\" maxlength=\"254\" required "
                "autocomplete=\"email\" spellcheck=\"false\" value=\"");
    html_text(b, v ? v->contact : NULL);
    html_raw(b, "\"></div>");
    group_begin(b, en);
    html_raw(b, "<label class=\"nhsuk-label\" for=\"note\">Note for the provider (optional)"
                "</label>");
    field_error(b, HTML("note-error"), en);
    html_put(b, en ? HTML("<textarea class=\"nhsuk-textarea nhsuk-textarea--error\" "
                          "aria-describedby=\"note-error\"")
                   : HTML("<textarea class=\"nhsuk-textarea\""));
    html_raw(b, " id=\"note\" name=\"note\" rows=\"4\" maxlength=\"2000\">");
    html_text(b, v ? v->note : NULL);
    html_raw(b, "</textarea></div><button class=\"nhsuk-button\" type=\"submit\">"
                "Send request</button></form></section>");
}

/* The whole offering page, with the problems `pr` (may be NULL) above the
   form. */
static void offering_page(html_page *p, const json_t *o, const request_values *v,
                          const form_problems *pr, unsigned status)
{
    html_buf *b = &p->b;
    p->back = "/";
    page_begin(p, S(o, "title"));
    if (pr && pr->n)
        put_errors(b, pr);
    html_raw(b, "<h1 class=\"fgcat-wrap\">");
    html_text(b, S(o, "title"));
    if (strcmp(S(o, "status"), "withdrawn") == 0)
        html_raw(b, " <strong class=\"nhsuk-tag nhsuk-tag--grey badge\">Withdrawn</strong>");
    html_raw(b, "</h1>");
    if (strcmp(S(o, "status"), "withdrawn") == 0) {
        html_raw(b, "<p class=\"withdrawn nhsuk-inset-text\">Withdrawn on ");
        if (S(o, "withdrawn_at"))
            put_when(b, S(o, "withdrawn_at"));
        else
            html_raw(b, "an unknown date");
        html_raw(b, "; it is shown for the record and takes no new requests.</p>");
    }
    offering_details(p, b, o);
    request_section(p, o, v, pr);
    page_end(p, status);
}

/* Loads offering `id`; on failure answers the page and returns NULL. */
static json_t *load_offering(html_page *p, const char *id)
{
    json_t *o;
    fg_error e;
    if (cat_offering_get(p->call->cat, id, &o, &e) == FG_OK)
        return o;
    if (e.status == FG_ENOTFOUND) {
        page_message(p, 404, "Not found", e.msg);
    } else {
        fg_log(FG_LOG_ERROR, "hub: reading an offering: %s", e.msg);
        page_message(p, 500, "Error", "The hub could not read this offering; see its log.");
    }
    return NULL;
}

void page_offering(html_page *p, const char *id)
{
    json_t *o = load_offering(p, id);
    if (!o)
        return;
    offering_page(p, o, NULL, NULL, 200);
    json_decref(o);
}

/* ---- creating a request ------------------------------------------------ */

/* A problem from the catalogue or a plugin with `field`, as staff read it. */
static void add_refusal(form_problems *pr, html_lit field, const char *msg)
{
    char plain[FG_ERROR_MSG_SIZE];
    plain_refusal(plain, sizeof plain, msg);
    add_problem(pr, field, plain);
}

/*
 * Checks the request form's fields one by one, as the catalogue will, and
 * adds a problem for each field that fails; the fields that pass are set
 * in `in`.  The contact is required here: the provider replies to it.
 * Returns true when the quantity is a whole number in range.
 */
static bool check_request_fields(const request_values *v, cat_request_in *in,
                                 form_problems *pr)
{
    bool quantity_ok = false;
    int64_t day;

    if (!v->quantity || !*v->quantity)
        add_problem(pr, HTML("quantity"), "Enter a quantity");
    else if (!fg_parse_int(v->quantity, 1, MAX_QUANTITY, &in->quantity))
        add_problem(pr, HTML("quantity"), "Quantity must be a whole number from 1 to 1000000");
    else
        quantity_ok = true;
    if (v->start && *v->start) {
        if (fg_parse_date(v->start, &day))
            in->start = v->start;
        else
            add_problem(pr, HTML("start"), "Start date must be a real date, like 2027-03-01");
    }
    if (!v->contact || !*v->contact)
        add_problem(pr, HTML("contact"), "Enter a contact email address for the provider to "
                                         "reply to");
    else if (!fg_valid_email(v->contact))
        add_problem(pr, HTML("contact"), "Enter the contact email address in the right "
                                         "format, like name@example.nhs.uk");
    else
        in->contact = v->contact;
    if (v->note && *v->note) {
        if (strlen(v->note) > 2000)
            add_problem(pr, HTML("note"), "The note must be 2000 characters or fewer");
        else if (!fg_utf8_valid(v->note, strlen(v->note)) || fg_has_control(v->note, true))
            add_problem(pr, HTML("note"), "The note must be plain text");
        else
            in->note = v->note;
    }
    return quantity_ok;
}

/*
 * Asks the catalogue and the area's plugin about the request as far as
 * its fields passed, storing nothing, and adds what they refuse to `pr`,
 * each with the field it is about.  A plugin answers with its first
 * problem only, so a request with a start is asked about twice: as it is,
 * and without the start.  When only the first is refused, its problem is
 * the start's.  When both are, with different problems, and the first
 * names the start the user gave, the first is the start's and the second
 * the quantity's (the built-in plugins check the start first); otherwise
 * the first is the quantity's (a plugin that needs a start complains of
 * its absence the second time, which is no problem of the form).  A
 * quantity the form already refused is asked as 1, and only a problem
 * with the start is kept.  Returns the status of a failure that is not a
 * refusal (the hub's or the plugin's), else FG_OK.
 */
static fg_status check_with_plugin(html_page *p, cat_request_in in, bool quantity_ok,
                                   form_problems *pr)
{
    cat_quote quote;
    fg_error e1, e2;
    fg_status rc1, rc2;
    char first[FG_ERROR_MSG_SIZE];
    const char *start = in.start;

    if (!quantity_ok)
        in.quantity = 1;
    rc1 = cat_request_quote(p->call->cat, p->call->cfg->rt, &in, &quote, &e1);
    if (rc1 == FG_OK)
        return FG_OK;
    if (rc1 != FG_EREFUSED && rc1 != FG_EINVAL) {
        add_refusal(pr, HTML("quantity"), e1.msg);
        return rc1;
    }
    if (!start) {
        if (quantity_ok)
            add_refusal(pr, HTML("quantity"), e1.msg);
        return FG_OK;
    }
    snprintf(first, sizeof first, "%s", e1.msg);
    in.start = NULL;
    rc2 = cat_request_quote(p->call->cat, p->call->cfg->rt, &in, &quote, &e2);
    if (rc2 == FG_OK) {
        add_refusal(pr, HTML("start"), first);
    } else if (rc2 != FG_EREFUSED && rc2 != FG_EINVAL) {
        add_refusal(pr, HTML("quantity"), e2.msg);
        return rc2;
    } else if (strcmp(first, e2.msg) != 0 && strstr(first, start)) {
        add_refusal(pr, HTML("start"), first);
        if (quantity_ok)
            add_refusal(pr, HTML("quantity"), e2.msg);
    } else if (quantity_ok) {
        add_refusal(pr, HTML("quantity"), first);
    }
    return FG_OK;
}

/* Puts the problems in the order of the form's fields (a stable sort);
   a field not on the form goes first. */
static void sort_problems(form_problems *pr)
{
    static const char *const order[] = {"quantity", "start", "contact", "note"};
    form_problems sorted = {0};
    for (size_t f = 0; f <= sizeof order / sizeof order[0]; f++) {
        for (size_t i = 0; i < pr->n; i++) {
            size_t rank = 0;
            while (rank < sizeof order / sizeof order[0] &&
                   strcmp(pr->at[i].field.s, order[rank]) != 0)
                rank++;
            rank = rank == sizeof order / sizeof order[0] ? 0 : rank + 1;
            if (rank == f)
                sorted.at[sorted.n++] = pr->at[i];
        }
    }
    *pr = sorted;
}

/* The HTTP status of a refused or failed request. */
static unsigned refusal_status(fg_status st)
{
    switch (st) {
    case FG_EINVAL:
        return 400;
    case FG_ENOTFOUND:
        return 404;
    case FG_EREFUSED:
        return 422;
    case FG_EPLUGIN: /* the area's plugin failed: it is restarted */
        return 503;
    default:
        return 500;
    }
}

void page_request_create(html_page *p, const char *id, const html_form *form)
{
    request_values v = {form_get(form, "quantity"), form_get(form, "start"),
                        form_get(form, "contact"), form_get(form, "note")};
    cat_request_in in = {.offering_id = id};
    const char *form_token = form_get(form, "form");
    json_t *o = load_offering(p, id), *req = NULL;
    char sent[WEB_REQUEST_ID_SIZE], location[WEB_REQUEST_ID_SIZE + 24];
    form_problems pr = {0};
    bool quantity_ok;
    size_t fields;
    unsigned status;
    fg_status rc;
    fg_error e;

    if (!o)
        return;
    if (!web_form_token_ok(form_token)) {
        add_problem(&pr, HTML("quantity"), "This form is out of date: send it again from "
                                           "this page.");
        offering_page(p, o, &v, &pr, 400);
        json_decref(o);
        return;
    }
    if (!web_form_claim(form_token, sent)) {
        /* Sent before (a reload or a second click): show what the first made. */
        if (*sent)
            snprintf(location, sizeof location, "/requests/%s?sent=1", sent);
        else
            snprintf(location, sizeof location, "/requests");
        page_redirect(p, location);
        json_decref(o);
        return;
    }
    if (!p->call->cfg || !p->call->cfg->rt) {
        web_form_done(form_token, NULL);
        add_problem(&pr, HTML("quantity"), "This hub has no area plugins loaded, so it cannot "
                                           "check or quote requests.");
        offering_page(p, o, &v, &pr, 503);
        json_decref(o);
        return;
    }
    /* The requester is the signed-in trust, whatever the form says.  Every
       field is checked, then the provider's rules, and every problem is
       shown at once.  Not under the hub's lock: the plugin quotes before
       the catalogue is written (its own transaction), so one that hangs
       holds up this request only. */
    in.requester_ods = p->org;
    in.person = p->person;
    quantity_ok = check_request_fields(&v, &in, &pr);
    fields = pr.n;
    rc = check_with_plugin(p, in, quantity_ok, &pr);
    sort_problems(&pr);
    if (rc != FG_OK || pr.n) {
        web_form_done(form_token, NULL);
        /* 422 when the provider's rules refused it, 400 for the form alone. */
        status = rc != FG_OK ? refusal_status(rc) : pr.n > fields ? 422 : 400;
        if (status == 500) {
            fg_log(FG_LOG_ERROR, "hub: checking a request: %s", pr.at[pr.n - 1].msg);
            pr.n = 0;
            add_problem(&pr, HTML("quantity"), "The hub could not check the request; see "
                                               "its log.");
        } else if (status == 503) {
            fg_log(FG_LOG_WARN, "hub: %s requested %s: %s", p->org, id, pr.at[pr.n - 1].msg);
        }
        offering_page(p, o, &v, &pr, status);
        json_decref(o);
        return;
    }
    if (cat_request_create(p->call->cat, p->call->cfg->rt, &in, &req, &e) == FG_OK)
        e.status = FG_OK;
    if (req) {
        fg_log(FG_LOG_INFO, "hub: %s requested %s: %s", p->org, id, S(req, "id"));
        web_form_done(form_token, S(req, "id"));
        snprintf(location, sizeof location, "/requests/%.*s?sent=1", WEB_REQUEST_ID_SIZE - 1,
                 S(req, "id"));
        page_redirect(p, location);
    } else {
        /* Refused after all (the offering changed in between) or failed. */
        web_form_done(form_token, NULL);
        status = refusal_status(e.status);
        if (status == 500) {
            fg_log(FG_LOG_ERROR, "hub: creating a request: %s", e.msg);
            add_problem(&pr, HTML("quantity"), "The hub could not store the request; see its "
                                               "log.");
        } else {
            if (status == 503)
                fg_log(FG_LOG_WARN, "hub: %s requested %s: %s", p->org, id, e.msg);
            add_refusal(&pr, HTML("quantity"), e.msg);
        }
        offering_page(p, o, &v, &pr, status);
    }
    json_decref(req);
    json_decref(o);
}

/* ---- my requests ------------------------------------------------------- */

/* The title of offering `id`, remembered in `titles`; borrowed. */
static const char *offering_title(html_page *p, json_t *titles, const char *id)
{
    json_t *o, *t = json_object_get(titles, id);
    fg_error e;
    if (t)
        return json_string_value(t);
    if (cat_offering_get(p->call->cat, id, &o, &e) != FG_OK)
        return NULL;
    json_object_set(titles, id, json_object_get(o, "title"));
    json_decref(o);
    return S(titles, id);
}

/*
 * Opens a cell of a responsive table, closing the one before unless it is
 * the row's `first`: on a narrow screen the NHS.UK table shows each cell
 * under its `heading`.  `cls` (a literal, or NULL) is its extra class.
 */
static void cell(html_buf *b, bool first, html_lit heading, const char *cls)
{
    if (!first)
        html_raw(b, "</td>");
    html_raw(b, "<td class=\"nhsuk-table__cell");
    if (cls) {
        html_raw(b, " ");
        html_text(b, cls);
    }
    html_raw(b, "\"><span class=\"nhsuk-table-responsive__heading\" aria-hidden=\"true\">");
    html_put(b, heading);
    html_raw(b, " </span>");
}

/* An organisation, marked when it is the signed-in one. */
static void put_org(html_page *p, const char *ods)
{
    bool you = ods && strcmp(ods, p->org) == 0;
    if (you)
        html_raw(&p->b, "<strong>");
    html_text(&p->b, ods);
    if (you)
        html_raw(&p->b, "</strong> (you)");
}

/* One row of the requests table. */
static void request_row(html_page *p, json_t *titles, const json_t *r)
{
    html_buf *b = &p->b;
    const json_t *req = json_object_get(r, "requester");
    const json_t *quote = json_object_get(r, "quote");
    const char *offering = S(r, "offering_id");
    html_raw(b, "<tr class=\"nhsuk-table__row\" data-request=\"");
    html_text(b, S(r, "id"));
    html_raw(b, "\">");
    cell(b, true, HTML("Made"), NULL);
    html_raw(b, "<a class=\"request\" href=\"/requests/");
    html_url(b, S(r, "id"), false);
    html_raw(b, "\">");
    put_when(b, S(r, "created_at"));
    html_raw(b, "</a>");
    cell(b, false, HTML("Offering"), NULL);
    put_offering_link(b, offering, offering_title(p, titles, offering));
    cell(b, false, HTML("Requester"), NULL);
    put_org(p, S(req, "ods"));
    if (S(req, "contact")) {
        html_raw(b, "<br>");
        html_text(b, S(req, "contact"));
    }
    cell(b, false, HTML("Provider"), NULL);
    put_org(p, S(json_object_get(r, "provider"), "ods"));
    cell(b, false, HTML("Quantity"), NULL);
    html_int(b, json_integer_value(json_object_get(r, "quantity")));
    cell(b, false, HTML("Start"), NULL);
    if (S(r, "start"))
        put_when(b, S(r, "start"));
    else
        html_raw(b, "\xe2\x80\x94");
    cell(b, false, HTML("Status"), NULL);
    put_status_tag(b, S(r, "status"));
    cell(b, false, HTML("Quote"), "quote");
    put_money(b, json_integer_value(json_object_get(quote, "amount_pence")),
              S(quote, "currency"));
    cell(b, false, HTML("Note"), "note fgcat-pre-line fgcat-wrap");
    html_text(b, S(r, "note"));
    html_raw(b, "</td></tr>");
}

#define REQUESTS_PER_PAGE 20

/* The lists of the requests page: ?list=ours|to-us, else both. */
static const struct {
    const char *value, *heading;
} request_lists[] = {{NULL, "All requests"},
                     {"ours", "Our requests"},
                     {"to-us", "Requests to us"}};
static const char *const request_statuses[] = {"submitted", "accepted", "declined", "completed",
                                               "cancelled"};

/* A link to the requests page with `list`, `status` (NULL: none) and page
   `page`, as an escaped attribute value. */
static void requests_href(html_buf *b, const char *list, const char *status, long long page)
{
    char sep = '?';
    html_raw(b, "/requests");
    if (list) {
        html_raw(b, "?list=");
        html_url(b, list, false);
        sep = '&';
    }
    if (status) {
        html_put(b, sep == '?' ? HTML("?status=") : HTML("&amp;status="));
        html_url(b, status, false);
        sep = '&';
    }
    if (page > 1) {
        html_put(b, sep == '?' ? HTML("?page=") : HTML("&amp;page="));
        html_int(b, page);
    }
}

static void requests_filters(html_page *p, size_t which, const char *status)
{
    html_buf *b = &p->b;
    html_raw(b, "<nav aria-label=\"Lists of requests\"><ul class=\"nhsuk-list "
                "fgcat-inline-list\">");
    for (size_t i = 0; i < sizeof request_lists / sizeof request_lists[0]; i++) {
        html_raw(b, "<li>");
        if (i == which) {
            html_raw(b, "<strong aria-current=\"page\">");
            html_text(b, request_lists[i].heading);
            html_raw(b, "</strong>");
        } else {
            html_raw(b, "<a href=\"");
            requests_href(b, request_lists[i].value, status, 1);
            html_raw(b, "\">");
            html_text(b, request_lists[i].heading);
            html_raw(b, "</a>");
        }
        html_raw(b, "</li>");
    }
    html_raw(b, "</ul></nav><form class=\"filter\" method=\"get\" action=\"/requests\">");
    if (request_lists[which].value) {
        html_raw(b, "<input type=\"hidden\" name=\"list\" value=\"");
        html_text(b, request_lists[which].value);
        html_raw(b, "\">");
    }
    html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"status\">"
                "Status</label><select class=\"nhsuk-select\" id=\"status\" name=\"status\">"
                "<option value=\"\">any</option>");
    for (size_t i = 0; i < sizeof request_statuses / sizeof request_statuses[0]; i++)
        option(b, request_statuses[i], request_statuses[i], status);
    html_raw(b, "</select></div><button class=\"nhsuk-button nhsuk-button--secondary\" "
                "type=\"submit\">Show</button></form>");
}

/* Reads ?list, ?status and ?page; false with the problem in `msg`. */
static bool read_requests_args(const hub_call *call, size_t *which, const char **status,
                               int64_t *page, const char **msg)
{
    const char *list = hub_arg(call, "list"), *pg = hub_arg(call, "page");
    bool known = false;
    *which = 0;
    *status = hub_arg(call, "status");
    *page = 1;
    if (*status && !**status)
        *status = NULL;
    for (size_t i = 1; list && *list && i < sizeof request_lists / sizeof request_lists[0]; i++)
        if (strcmp(list, request_lists[i].value) == 0)
            *which = i;
    if (list && *list && *which == 0) {
        *msg = "list must be ours or to-us.";
        return false;
    }
    for (size_t i = 0; *status && i < sizeof request_statuses / sizeof request_statuses[0]; i++)
        if (strcmp(*status, request_statuses[i]) == 0)
            known = true;
    if (*status && !known) {
        *msg = "status must be submitted, accepted, declined, completed or cancelled.";
        return false;
    }
    if (pg && *pg && !fg_parse_int(pg, 1, MAX_OFFSET, page)) {
        *msg = "page must be a whole number from 1.";
        return false;
    }
    return true;
}

void page_my_requests(html_page *p)
{
    cat_request_filter f = {.org = p->org};
    json_t *all = NULL, *list, *titles, *r;
    html_buf *b = &p->b;
    const char *status, *msg = NULL;
    size_t i, which, n, first, last;
    int64_t page, pages;
    fg_error e;

    if (!read_requests_args(p->call, &which, &status, &page, &msg)) {
        page_message(p, 400, "There is a problem", msg);
        return;
    }
    f.status = status;
    if (cat_request_list(p->call->cat, &f, &all, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: listing requests: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service",
                     "The hub could not list requests; see its log.");
        return;
    }
    /* Ours: made by this trust; to us: for its offerings. */
    list = json_array();
    json_array_foreach(all, i, r) {
        const char *req = S(json_object_get(r, "requester"), "ods");
        bool ours = req && strcmp(req, p->org) == 0;
        if (which == 0 || (which == 1) == ours)
            json_array_append(list, r);
    }
    n = json_array_size(list);
    pages = n ? (int64_t)((n + REQUESTS_PER_PAGE - 1) / REQUESTS_PER_PAGE) : 1;
    if (page > pages)
        page = pages;
    first = (size_t)(page - 1) * REQUESTS_PER_PAGE;
    last = first + REQUESTS_PER_PAGE < n ? first + REQUESTS_PER_PAGE : n;

    titles = json_object();
    page_begin(p, request_lists[which].heading);
    html_raw(b, "<h1>");
    html_text(b, request_lists[which].heading);
    html_raw(b, "</h1><p>");
    html_put(b, which == 2 ? HTML("Requests for the offerings of <strong>")
                           : HTML("Requests made by <strong>"));
    html_text(b, p->org);
    html_put(b, which == 0 ? HTML("</strong>, and requests for its offerings, newest first.</p>")
                           : HTML("</strong>, newest first.</p>"));
    requests_filters(p, which, status);
    if (n == 0) {
        html_raw(b, "<p class=\"notice\">No requests here. <a href=\"/\">Find a service</a> "
                    "and request it from its page.</p>");
    } else {
        html_raw(b, "<p>Requests ");
        html_int(b, (long long)first + 1);
        html_raw(b, " to ");
        html_int(b, (long long)last);
        html_raw(b, " of ");
        html_int(b, (long long)n);
        html_raw(b, "</p><table class=\"nhsuk-table-responsive requests\"><caption "
                    "class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">Requests</caption>"
                    "<thead class=\"nhsuk-table__head\"><tr>"
                    "<th scope=\"col\">Made</th><th scope=\"col\">Offering</th>"
                    "<th scope=\"col\">Requester</th><th scope=\"col\">Provider</th>"
                    "<th scope=\"col\">Quantity</th><th scope=\"col\">Start</th>"
                    "<th scope=\"col\">Status</th><th scope=\"col\">Quote</th>"
                    "<th scope=\"col\">Note</th></tr></thead><tbody class=\"nhsuk-table__body\">");
        for (i = first; i < last; i++) {
            r = json_array_get(list, i);
            request_row(p, titles, r);
        }
        html_raw(b, "</tbody></table>");
        if (pages > 1) {
            html_raw(b, "<nav class=\"nhsuk-pagination paging\" aria-label=\"Pagination\">"
                        "<ul class=\"nhsuk-list nhsuk-pagination__list\">");
            if (page > 1) {
                html_raw(b, "<li class=\"nhsuk-pagination-item--previous\"><a "
                            "class=\"nhsuk-pagination__link nhsuk-pagination__link--prev\" "
                            "rel=\"prev\" href=\"");
                requests_href(b, request_lists[which].value, status, page - 1);
                html_raw(b, "\"><span class=\"nhsuk-pagination__title\">Previous</span>"
                            "<span class=\"nhsuk-u-visually-hidden\">:</span>"
                            "<span class=\"nhsuk-pagination__page\">Page ");
                html_int(b, page - 1);
                html_raw(b, " of ");
                html_int(b, pages);
                html_raw(b, "</span></a></li>");
            }
            if (page < pages) {
                html_raw(b, "<li class=\"nhsuk-pagination-item--next\"><a "
                            "class=\"nhsuk-pagination__link nhsuk-pagination__link--next\" "
                            "rel=\"next\" href=\"");
                requests_href(b, request_lists[which].value, status, page + 1);
                html_raw(b, "\"><span class=\"nhsuk-pagination__title\">Next</span>"
                            "<span class=\"nhsuk-u-visually-hidden\">:</span>"
                            "<span class=\"nhsuk-pagination__page\">Page ");
                html_int(b, page + 1);
                html_raw(b, " of ");
                html_int(b, pages);
                html_raw(b, "</span></a></li>");
            }
            html_raw(b, "</ul></nav>");
        }
    }
    page_end(p, 200);
    json_decref(titles);
    json_decref(list);
    json_decref(all);
}

/* ---- one request ------------------------------------------------------- */

/* The number the `n` decimal digits at `s` make, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Writes "4 December 2026" for "2026-12-04", and adds ", 09:08 UTC" for a
   time stamp "2026-12-04T09:08:33Z"; anything else as it is. */
static void put_when(html_buf *b, const char *s)
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
    size_t n = s ? strlen(s) : 0;
    int y = n >= 10 ? digits(s, 4) : -1, m = y >= 0 && s[4] == '-' ? digits(s + 5, 2) : -1;
    int d = m >= 1 && m <= 12 && s[7] == '-' ? digits(s + 8, 2) : -1;
    char out[64];
    if (d >= 1 && d <= 31 && (n == 10 || s[10] == 'T')) {
        int hh = n >= 16 ? digits(s + 11, 2) : -1, mm = hh >= 0 && s[13] == ':'
                                                            ? digits(s + 14, 2)
                                                            : -1;
        if (mm >= 0)
            snprintf(out, sizeof out, "%d %s %d, %02d:%02d UTC", d, months[m - 1], y, hh, mm);
        else
            snprintf(out, sizeof out, "%d %s %d", d, months[m - 1], y);
        html_text(b, out);
        return;
    }
    html_text(b, s);
}

/* A request's status as an NHS.UK tag, in words. */
static void put_status_tag(html_buf *b, const char *status)
{
    static const struct {
        const char *status;
        html_lit tag;
    } tags[] = {
        {"submitted", HTML("<strong class=\"nhsuk-tag status\">Submitted</strong>")},
        {"accepted", HTML("<strong class=\"nhsuk-tag nhsuk-tag--green status\">Accepted</strong>")},
        {"declined", HTML("<strong class=\"nhsuk-tag nhsuk-tag--red status\">Declined</strong>")},
        {"completed", HTML("<strong class=\"nhsuk-tag nhsuk-tag--white status\">Completed"
                           "</strong>")},
        {"cancelled", HTML("<strong class=\"nhsuk-tag nhsuk-tag--grey status\">Cancelled"
                           "</strong>")}};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        if (status && strcmp(status, tags[i].status) == 0) {
            html_put(b, tags[i].tag);
            return;
        }
    }
    html_raw(b, "<strong class=\"nhsuk-tag nhsuk-tag--grey status\">");
    html_text(b, status);
    html_raw(b, "</strong>");
}

/* Who the signed-in person's trust is to request `r`, and whether the
   person may make the provider's moves (an approver or an admin). */
typedef struct request_role {
    bool requester, provider, approver;
} request_role;

static request_role role_of(const html_page *p, const json_t *r)
{
    const char *req = S(json_object_get(r, "requester"), "ods");
    const char *prov = S(json_object_get(r, "provider"), "ods");
    request_role role = {p->org && req && strcmp(req, p->org) == 0,
                         p->org && prov && strcmp(prov, p->org) == 0, web_may_approve(p)};
    return role;
}

/* A form with one button that makes move `action` on request `id`. */
static void move_button(html_page *p, const char *id, html_lit action, html_lit button,
                        html_lit cls)
{
    html_buf *b = &p->b;
    html_raw(b, "<form class=\"move\" method=\"post\" action=\"/requests/");
    html_url(b, id, false);
    html_raw(b, "/");
    html_put(b, action);
    html_raw(b, "\">");
    web_csrf_field(p);
    html_raw(b, "<button class=\"nhsuk-button ");
    html_put(b, cls);
    html_raw(b, "\" type=\"submit\">");
    html_put(b, button);
    html_raw(b, "</button></form>");
}

/* The moves the signed-in trust may make on `r` now. */
static void request_moves(html_page *p, const json_t *r, const char *reason)
{
    html_buf *b = &p->b;
    const char *id = S(r, "id"), *status = S(r, "status");
    request_role role = role_of(p, r);
    bool submitted = status && strcmp(status, "submitted") == 0;
    bool accepted = status && strcmp(status, "accepted") == 0;

    if (!(role.provider && (submitted || accepted)) && !(role.requester && (submitted || accepted)))
        return;
    html_raw(b, "<section class=\"moves\" aria-labelledby=\"moves-heading\"><h2 "
                "id=\"moves-heading\">What you can do</h2>");
    if (role.provider && !role.approver && (submitted || accepted))
        html_raw(b, "<p>Only an approver or an administrator of your trust can accept, "
                    "decline or complete a request.</p>");
    if (role.provider && role.approver && submitted) {
        html_raw(b, "<p>Accept the request if you can deliver it, or decline it with a "
                    "reason the requester will see.</p>");
        move_button(p, id, HTML("accept"), HTML("Accept request"), HTML(""));
        html_raw(b, "<form class=\"move\" method=\"post\" action=\"/requests/");
        html_url(b, id, false);
        html_raw(b, "/decline\">");
        web_csrf_field(p);
        html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"reason\">Reason for declining</label><textarea "
                    "class=\"nhsuk-textarea\" id=\"reason\" name=\"reason\" rows=\"3\" "
                    "maxlength=\"500\">");
        html_text(b, reason);
        html_raw(b, "</textarea></div><button class=\"nhsuk-button nhsuk-button--secondary\" "
                    "type=\"submit\">Decline request</button></form>");
    }
    if (role.provider && role.approver && accepted) {
        html_raw(b, "<p>Mark the request completed once the service has been delivered.</p>");
        move_button(p, id, HTML("complete"), HTML("Mark as completed"), HTML(""));
    }
    if (role.requester && (submitted || accepted)) {
        html_raw(b, "<p>Cancel the request if your trust no longer needs it.</p>");
        move_button(p, id, HTML("cancel"), HTML("Cancel request"),
                    HTML("nhsuk-button--warning"));
    }
    html_raw(b, "</section>");
}

static void request_history(html_buf *b, const json_t *r)
{
    size_t i;
    json_t *e;
    html_raw(b, "<h2 id=\"history\">History</h2><table class=\"nhsuk-table-responsive "
                "history\"><caption class=\"nhsuk-table__caption nhsuk-u-visually-hidden\">"
                "History of the request, oldest first</caption><thead "
                "class=\"nhsuk-table__head\"><tr><th scope=\"col\">When</th><th "
                "scope=\"col\">Status</th><th scope=\"col\">By</th><th scope=\"col\">Reason"
                "</th></tr></thead><tbody class=\"nhsuk-table__body\">");
    json_array_foreach(json_object_get(r, "history"), i, e) {
        html_raw(b, "<tr class=\"nhsuk-table__row\">");
        cell(b, true, HTML("When"), NULL);
        put_when(b, S(e, "at"));
        cell(b, false, HTML("Status"), NULL);
        put_status_tag(b, S(e, "status"));
        cell(b, false, HTML("By"), "fgcat-wrap");
        html_text(b, S(e, "by"));
        if (S(e, "person")) {
            html_raw(b, "<br>");
            html_text(b, S(e, "person"));
        }
        cell(b, false, HTML("Reason"), "fgcat-pre-line fgcat-wrap");
        html_text(b, S(e, "reason") ? S(e, "reason") : "\xe2\x80\x94");
        html_raw(b, "</td></tr>");
    }
    html_raw(b, "</tbody></table>");
}

/* The whole request page, with `problem` (may be NULL) in an error
   summary linking to `field`. */
static void request_page(html_page *p, const json_t *r, const char *problem, html_lit field,
                         const char *reason, unsigned status)
{
    html_buf *b = &p->b;
    const json_t *req = json_object_get(r, "requester");
    const json_t *quote = json_object_get(r, "quote");
    const char *offering = S(r, "offering_id");
    const char *sent = hub_arg(p->call, "sent");
    json_t *titles = json_object();
    const char *title = offering_title(p, titles, offering);

    p->back = "/requests";
    page_begin(p, title ? title : "Request");
    if (problem)
        page_error_summary(b, field, problem);
    if (sent && role_of(p, r).requester)
        html_raw(b, "<div class=\"nhsuk-panel\"><h2 class=\"nhsuk-panel__title\">Request "
                    "sent</h2><div class=\"nhsuk-panel__body\">The provider has it now; "
                    "this page shows when they answer.</div></div>");
    html_raw(b, "<span class=\"nhsuk-caption-l\">Request</span><h1 class=\"fgcat-wrap\">");
    html_text(b, title ? title : offering);
    html_raw(b, "</h1><p>");
    put_status_tag(b, S(r, "status"));
    html_raw(b, "</p><dl class=\"nhsuk-summary-list request\">");
    dt(b, "Offering");
    put_offering_link(b, offering, title);
    html_raw(b, "</dd></div>");
    dt(b, "Requested by");
    put_org(p, S(req, "ods"));
    if (S(req, "contact")) {
        html_raw(b, "<br><a href=\"mailto:");
        html_text(b, S(req, "contact"));
        html_raw(b, "\">");
        html_text(b, S(req, "contact"));
        html_raw(b, "</a>");
    }
    html_raw(b, "</dd></div>");
    dt(b, "Provider");
    put_org(p, S(json_object_get(r, "provider"), "ods"));
    html_raw(b, "</dd></div>");
    dt(b, "Quantity");
    html_int(b, json_integer_value(json_object_get(r, "quantity")));
    html_raw(b, "</dd></div>");
    dt(b, "Start");
    if (S(r, "start"))
        put_when(b, S(r, "start"));
    else
        html_raw(b, "Not given");
    html_raw(b, "</dd></div>");
    dt(b, "Price quoted");
    html_raw(b, "<span class=\"quote\">");
    put_money(b, json_integer_value(json_object_get(quote, "amount_pence")),
              S(quote, "currency"));
    html_raw(b, "</span></dd></div>");
    dt(b, "Note");
    html_raw(b, "<span class=\"note fgcat-pre-line\">");
    html_text(b, S(r, "note") ? S(r, "note") : "\xe2\x80\x94");
    html_raw(b, "</span></dd></div>");
    dt(b, "Reference");
    html_raw(b, "<span class=\"request-id\">");
    html_text(b, S(r, "id"));
    html_raw(b, "</span></dd></div></dl>");
    request_moves(p, r, reason);
    request_history(b, r);
    page_end(p, status);
    json_decref(titles);
}

/* Loads request `id` when the signed-in trust may see it; otherwise
   answers a 404 page (the same whether it exists or not) and returns
   NULL. */
static json_t *load_request(html_page *p, const char *id)
{
    json_t *r = NULL;
    fg_error e;
    if (cat_request_get(p->call->cat, id, &r, &e) != FG_OK && e.status != FG_ENOTFOUND) {
        fg_log(FG_LOG_ERROR, "hub: reading a request: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service",
                     "The hub could not read this request; see its log.");
        return NULL;
    }
    if (r) {
        request_role role = role_of(p, r);
        if (role.requester || role.provider)
            return r;
        json_decref(r);
    }
    page_message(p, 404, "Request not found",
                 "There is no request with this reference that your trust made or was "
                 "asked for.");
    return NULL;
}

void page_request(html_page *p, const char *id)
{
    json_t *r = load_request(p, id);
    if (!r)
        return;
    request_page(p, r, NULL, HTML(""), NULL, 200);
    json_decref(r);
}

void page_request_move(html_page *p, const char *id, const char *action,
                       const html_form *form)
{
    const char *reason = form_get(form, "reason");
    char location[WEB_REQUEST_ID_SIZE + 16];
    json_t *r = load_request(p, id), *moved = NULL;
    cat_action act;
    unsigned status;
    fg_error e;

    if (!r)
        return;
    if (!cat_action_parse(action, &act)) {
        page_message(p, 404, "Page not found", "There is no such page on this hub.");
        json_decref(r);
        return;
    }
    if (reason && !*reason)
        reason = NULL;
    if (act == CAT_DECLINE && !reason) {
        request_page(p, r, "Enter a reason for declining the request", HTML("reason"), NULL,
                     400);
        json_decref(r);
        return;
    }
    /* Its own write transaction serialises it with pushes, as for a
       request created here. */
    if (cat_request_transition(p->call->cat, id, act, p->org, p->person, reason, &moved, &e) ==
        FG_OK)
        e.status = FG_OK;
    if (e.status == FG_OK) {
        fg_log(FG_LOG_INFO, "hub: %s of %s: %s %s", p->person, p->org, action, id);
        snprintf(location, sizeof location, "/requests/%s", id);
        page_redirect(p, location);
    } else {
        switch (e.status) {
        case FG_EPERM:
            status = 403;
            break;
        case FG_EREFUSED:
            status = 409;
            break;
        case FG_EINVAL:
            status = 400;
            break;
        default:
            status = 500;
            fg_log(FG_LOG_ERROR, "hub: %s %s: %s", action, id, e.msg);
            snprintf(e.msg, sizeof e.msg, "The hub could not record this; see its log.");
        }
        request_page(p, r, e.msg, act == CAT_DECLINE ? HTML("reason") : HTML("moves-heading"),
                     reason, status);
    }
    json_decref(moved);
    json_decref(r);
}
