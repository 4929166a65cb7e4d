/*
 * What the browser catalogue's pages show: search with filters, facets and
 * paging; one offering with its request form; creating a request; and a
 * trust's own requests.  The frame, forms and sessions are in web/html.c.
 *
 * Every value from the catalogue, the user or a plugin goes through
 * html_text(); links are built with html_url().  A request is shown only
 * to the trust that made it and the provider of its offering (SPEC §8):
 * "my requests" lists exactly cat_request_list's answer for the signed-in
 * organisation, and a new request's requester is always that organisation.
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

static void put_price(html_buf *b, const json_t *price)
{
    put_money(b, json_integer_value(json_object_get(price, "amount_pence")),
              S(price, "currency"));
    html_raw(b, " ");
    html_text(b, S(price, "unit"));
}

/* <p class="error"> with `message`, verbatim but escaped. */
static void put_error(html_buf *b, const char *message)
{
    html_raw(b, "<p class=\"error\" role=\"alert\">");
    html_text(b, message);
    html_raw(b, "</p>");
}

static void put_offering_link(html_buf *b, const char *id, const char *title)
{
    html_raw(b, "<a class=\"offering\" href=\"/offerings/");
    html_url(b, id, true);
    html_raw(b, "\">");
    html_text(b, title ? title : id);
    html_raw(b, "</a>");
}

/* ---- search ------------------------------------------------------------ */

/* The search form's fields, in the order links carry them. */
enum { F_Q, F_AREA, F_PROVIDER, F_DELIVERY, F_REGION, F_MAX_PRICE, F_TAG, F_WITHDRAWN, F_LIMIT,
       F_COUNT };
static const char *const field_names[F_COUNT] = {
    "q", "area", "provider", "delivery", "region", "max_price", "tag", "include_withdrawn",
    "limit"};

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

/* A text input with its label: the label, the name and the extra
   attributes are literals, joined by the compiler. */
#define text_field(b, label, name, value, extra)                               \
    text_field_((b), HTML("<label>" label "<input type=\"text\" name=\"" name "\" value=\""), \
                (value), HTML("\"" extra "></label>"))
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

    html_raw(b, "<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">");
    text_field(b, "Search", "q", s->v[F_Q], " size=\"30\" autofocus");
    html_raw(b, "<label>Area<select name=\"area\"><option value=\"\">any</option>");
    json_object_foreach(areas, area, counts) {
        char label[256];
        snprintf(label, sizeof label, "%s (%lld)", area,
                 (long long)json_integer_value(json_object_get(counts, "active")));
        option(b, area, label, s->v[F_AREA]);
        if (s->v[F_AREA] && strcmp(s->v[F_AREA], area) == 0)
            listed = true;
    }
    if (s->v[F_AREA] && !listed) /* keep a filter the catalogue does not know */
        option(b, s->v[F_AREA], s->v[F_AREA], s->v[F_AREA]);
    html_raw(b, "</select></label>");
    text_field(b, "Provider (ODS)", "provider", s->v[F_PROVIDER], " size=\"6\"");
    html_raw(b, "<label>Delivery<select name=\"delivery\"><option value=\"\">any</option>");
    option(b, "on-site", "on-site", s->v[F_DELIVERY]);
    option(b, "remote", "remote", s->v[F_DELIVERY]);
    option(b, "blended", "blended", s->v[F_DELIVERY]);
    html_raw(b, "</select></label>");
    text_field(b, "Region", "region", s->v[F_REGION], " size=\"12\"");
    text_field(b, "Max price (\xc2\xa3)", "max_price", s->v[F_MAX_PRICE],
               " size=\"8\" inputmode=\"decimal\"");
    text_field(b, "Tag", "tag", s->v[F_TAG], " size=\"12\"");
    html_raw(b, "<label>Per page<input type=\"number\" name=\"limit\" min=\"1\" max=\"1000\" "
                "value=\"");
    html_int(b, s->q.limit);
    html_raw(b, "\"></label><label><span><input type=\"checkbox\" name=\"include_withdrawn\" "
                "value=\"1\"");
    if (s->q.include_withdrawn)
        html_raw(b, " checked");
    html_raw(b, "> include withdrawn</span></label><button type=\"submit\">Search</button>"
                "</form>");
}

static void result_item(html_buf *b, const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const char *status = S(o, "status");
    html_raw(b, "<li>");
    put_offering_link(b, S(o, "id"), S(o, "title"));
    if (status && strcmp(status, "withdrawn") == 0)
        html_raw(b, " <span class=\"badge\">withdrawn</span>");
    html_raw(b, "<div class=\"meta\">");
    html_text(b, S(provider, "name"));
    html_raw(b, " (");
    html_text(b, S(provider, "ods"));
    html_raw(b, ") \xc2\xb7 ");
    html_text(b, S(o, "area"));
    html_raw(b, " \xc2\xb7 ");
    html_text(b, S(o, "delivery"));
    html_raw(b, " \xc2\xb7 ");
    put_price(b, json_object_get(o, "price"));
    html_raw(b, "</div><div>");
    html_text(b, S(o, "summary"));
    html_raw(b, "</div></li>");
}

static void facets_html(html_buf *b, const search_form *s, json_t *facets)
{
    static const struct {
        const char *group, *heading;
        int field;
    } groups[] = {{"area", "Area", F_AREA},
                  {"provider", "Provider", F_PROVIDER},
                  {"delivery", "Delivery", F_DELIVERY},
                  {"tag", "Tag", F_TAG}};
    html_raw(b, "<aside class=\"facets\"><h2>Refine</h2>");
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        json_t *counts = json_object_get(facets, groups[g].group), *n;
        const char *value;
        if (json_object_size(counts) == 0)
            continue;
        html_raw(b, "<h3>");
        html_text(b, groups[g].heading);
        html_raw(b, "</h3><ul>");
        if (s->v[groups[g].field]) {
            html_raw(b, "<li><a href=\"");
            search_href(b, s, groups[g].field, NULL, 0);
            html_raw(b, "\">any</a></li>");
        }
        json_object_foreach(counts, value, n) {
            html_raw(b, "<li><a href=\"");
            search_href(b, s, groups[g].field, value, 0);
            html_raw(b, "\">");
            html_text(b, value);
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
    html_raw(&p->b, "<h1>Shared services catalogue</h1>");
    search_form_html(p, &s, areas);
    if (!ok) {
        put_error(&p->b, problem);
    } else {
        size_t i;
        json_t *o;
        more = json_array_size(results) > (size_t)s.q.limit;
        shown = more ? (size_t)s.q.limit : json_array_size(results);
        html_raw(&p->b, "<div class=\"layout\"><section class=\"results\">");
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
            html_raw(&p->b, "<ol class=\"results\" start=\"");
            html_int(&p->b, s.q.offset + 1);
            html_raw(&p->b, "\">");
            json_array_foreach(results, i, o) {
                if (i < shown)
                    result_item(&p->b, o);
            }
            html_raw(&p->b, "</ol>");
        }
        html_raw(&p->b, "<nav class=\"paging\">");
        if (s.q.offset > 0) {
            html_raw(&p->b, "<a rel=\"prev\" href=\"");
            search_href(&p->b, &s, -1, NULL,
                        s.q.offset > s.q.limit ? s.q.offset - s.q.limit : 0);
            html_raw(&p->b, "\">\xe2\x86\x90 Previous</a>");
        }
        if (more) {
            html_raw(&p->b, "<a rel=\"next\" href=\"");
            search_href(&p->b, &s, -1, NULL, s.q.offset + s.q.limit);
            html_raw(&p->b, "\">Next \xe2\x86\x92</a>");
        }
        html_raw(&p->b, "</nav></section>");
        facets_html(&p->b, &s, facets);
        html_raw(&p->b, "</div>");
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
#define dt(b, term) html_raw((b), "<dt>" term "</dt><dd>")

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

static void offering_details(html_buf *b, const json_t *o)
{
    const json_t *provider = json_object_get(o, "provider");
    const json_t *dur = json_object_get(o, "duration_days");
    const json_t *cap = json_object_get(o, "capacity");
    const char *description = S(o, "description");
    const char *key;
    json_t *value;

    html_raw(b, "<p class=\"summary\">");
    html_text(b, S(o, "summary"));
    html_raw(b, "</p>");
    if (description && *description) {
        html_raw(b, "<div class=\"description\">");
        html_text(b, description);
        html_raw(b, "</div>");
    }
    html_raw(b, "<dl class=\"offering\">");
    dt(b, "Id");
    html_text(b, S(o, "id"));
    html_raw(b, "</dd>");
    dt(b, "Area");
    filter_link(b, "area", S(o, "area"));
    html_raw(b, "</dd>");
    dt(b, "Provider");
    html_text(b, S(provider, "name"));
    html_raw(b, " (");
    filter_link(b, "provider", S(provider, "ods"));
    html_raw(b, ")</dd>");
    dt(b, "Delivery");
    html_text(b, S(o, "delivery"));
    html_raw(b, "</dd>");
    if (json_is_integer(dur)) {
        dt(b, "Duration");
        html_int(b, json_integer_value(dur));
        html_raw(b, " days</dd>");
    }
    dt(b, "Capacity");
    if (json_is_integer(cap)) {
        html_int(b, json_integer_value(cap));
        html_raw(b, " at a time</dd>");
    } else {
        html_raw(b, "unlimited</dd>");
    }
    dt(b, "Price");
    put_price(b, json_object_get(o, "price"));
    html_raw(b, "</dd>");
    dt(b, "Regions");
    list_links(b, json_object_get(o, "regions"), "region");
    html_raw(b, "</dd>");
    dt(b, "Tags");
    list_links(b, json_object_get(o, "tags"), "tag");
    html_raw(b, "</dd>");
    dt(b, "Contact");
    html_raw(b, "<a href=\"mailto:");
    html_text(b, S(o, "contact"));
    html_raw(b, "\">");
    html_text(b, S(o, "contact"));
    html_raw(b, "</a></dd>");
    json_object_foreach(json_object_get(o, "attributes"), key, value) {
        char *text = json_is_string(value)
                         ? NULL
                         : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        html_raw(b, "<dt>");
        html_text(b, key);
        html_raw(b, "</dt><dd>");
        html_text(b, text ? text : json_string_value(value));
        html_raw(b, "</dd>");
        free(text);
    }
    dt(b, "Status");
    html_text(b, S(o, "status"));
    if (S(o, "withdrawn_at")) {
        html_raw(b, " since ");
        html_text(b, S(o, "withdrawn_at"));
    }
    html_raw(b, "</dd>");
    dt(b, "Revision");
    html_int(b, json_integer_value(json_object_get(o, "rev")));
    html_raw(b, ", updated ");
    html_text(b, S(o, "updated_at"));
    html_raw(b, "</dd></dl>");
}

/* The request part of an offering page: a form for a signed-in trust that
   may request it, or why it cannot. */
static void request_section(html_page *p, const json_t *o, const request_values *v)
{
    html_buf *b = &p->b;
    const char *id = S(o, "id");
    const char *provider = S(json_object_get(o, "provider"), "ods");
    char today[FG_DATE_SIZE];

    html_raw(b, "<section class=\"request\"><h2>Request this service</h2>");
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
                    "<a href=\"/requests\">My requests</a>.</p></section>");
        return;
    }
    fg_today(today);
    html_raw(b, "<form class=\"request\" method=\"post\" action=\"/offerings/");
    html_url(b, id, true);
    html_raw(b, "/request\"><p>Requesting as <strong>");
    html_text(b, p->org);
    html_raw(b, "</strong>; the provider's plugin checks the request and quotes it.</p>"
                "<label>Quantity<input type=\"number\" name=\"quantity\" min=\"1\" "
                "max=\"1000000\" required value=\"");
    html_text(b, v ? v->quantity : NULL);
    html_raw(b, "\"></label><label>Start date (optional)<input type=\"date\" name=\"start\" "
                "min=\"");
    html_text(b, today);
    html_raw(b, "\" value=\"");
    html_text(b, v ? v->start : NULL);
    html_raw(b, "\"></label><label>Contact e-mail (optional)<input type=\"email\" "
                "name=\"contact\" maxlength=\"254\" value=\"");
    html_text(b, v ? v->contact : NULL);
    html_raw(b, "\"></label><label>Note (optional)<textarea name=\"note\" rows=\"4\" "
                "maxlength=\"2000\">");
    html_text(b, v ? v->note : NULL);
    html_raw(b, "</textarea></label><button type=\"submit\">Send request</button></form>"
                "</section>");
}

/* The whole offering page, with `problem` (may be NULL) above the form. */
static void offering_page(html_page *p, const json_t *o, const request_values *v,
                          const char *problem, unsigned status)
{
    html_buf *b = &p->b;
    page_begin(p, S(o, "title"));
    html_raw(b, "<p><a href=\"/\">\xe2\x86\x90 Search</a></p><h1>");
    html_text(b, S(o, "title"));
    if (strcmp(S(o, "status"), "withdrawn") == 0)
        html_raw(b, " <span class=\"badge\">withdrawn</span>");
    html_raw(b, "</h1>");
    if (strcmp(S(o, "status"), "withdrawn") == 0) {
        html_raw(b, "<p class=\"withdrawn\">Withdrawn on ");
        html_text(b, S(o, "withdrawn_at") ? S(o, "withdrawn_at") : "an unknown date");
        html_raw(b, "; it is shown for the record and takes no new requests.</p>");
    }
    offering_details(b, o);
    if (problem)
        put_error(b, problem);
    request_section(p, o, v);
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

static void request_result(html_page *p, const json_t *o, const json_t *req)
{
    html_buf *b = &p->b;
    const json_t *quote = json_object_get(req, "quote");
    page_begin(p, "Request sent");
    html_raw(b, "<h1>Request sent</h1><p class=\"notice\">Your request for ");
    put_offering_link(b, S(o, "id"), S(o, "title"));
    html_raw(b, " was checked and quoted by the provider's plugin and is now <strong>");
    html_text(b, S(req, "status"));
    html_raw(b, "</strong>.</p><dl class=\"offering\">");
    dt(b, "Request");
    html_text(b, S(req, "id"));
    html_raw(b, "</dd>");
    dt(b, "Quantity");
    html_int(b, json_integer_value(json_object_get(req, "quantity")));
    html_raw(b, "</dd>");
    dt(b, "Quote");
    html_raw(b, "<strong class=\"quote\">");
    put_money(b, json_integer_value(json_object_get(quote, "amount_pence")),
              S(quote, "currency"));
    html_raw(b, "</strong></dd>");
    dt(b, "Start");
    html_text(b, S(req, "start") ? S(req, "start") : "not given");
    html_raw(b, "</dd></dl><p><a href=\"/requests\">My requests</a></p>");
    page_end(p, 201);
}

void page_request_create(html_page *p, const char *id, const html_form *form)
{
    request_values v = {form_get(form, "quantity"), form_get(form, "start"),
                        form_get(form, "contact"), form_get(form, "note")};
    cat_request_in in = {.offering_id = id};
    json_t *o = load_offering(p, id), *req = NULL;
    char problem[FG_ERROR_MSG_SIZE];
    unsigned status;
    fg_error e;

    if (!o)
        return;
    /* The requester is the signed-in trust, whatever the form says. */
    in.requester_ods = p->org;
    in.start = v.start && *v.start ? v.start : NULL;
    in.contact = v.contact && *v.contact ? v.contact : NULL;
    in.note = v.note && *v.note ? v.note : NULL;
    if (!v.quantity || !fg_parse_int(v.quantity, 1, MAX_QUANTITY, &in.quantity)) {
        offering_page(p, o, &v, "Quantity must be a whole number from 1 to 1000000.", 400);
        json_decref(o);
        return;
    }
    if (!p->call->cfg || !p->call->cfg->rt) {
        offering_page(p, o, &v, "This hub has no area plugins loaded, so it cannot check or "
                                "quote requests.", 503);
        json_decref(o);
        return;
    }
    /* Not under the hub's lock: the plugin quotes before the catalogue is
       written (its own transaction), so one that hangs holds up this
       request only. */
    if (cat_request_create(p->call->cat, p->call->cfg->rt, &in, &req, &e) == FG_OK)
        e.status = FG_OK;
    if (req) {
        fg_log(FG_LOG_INFO, "hub: %s requested %s: %s", p->org, id, S(req, "id"));
        request_result(p, o, req);
    } else {
        switch (e.status) {
        case FG_EINVAL:
            status = 400;
            break;
        case FG_ENOTFOUND:
            status = 404;
            break;
        case FG_EREFUSED:
            status = 422;
            break;
        case FG_EPLUGIN: /* the area's plugin failed: it is restarted */
            status = 503;
            fg_log(FG_LOG_WARN, "hub: %s requested %s: %s", p->org, id, e.msg);
            break;
        default:
            status = 500;
        }
        if (status == 500) {
            fg_log(FG_LOG_ERROR, "hub: creating a request: %s", e.msg);
            snprintf(problem, sizeof problem, "The hub could not store the request; see its "
                                              "log.");
        } else {
            snprintf(problem, sizeof problem, "%s", e.msg);
        }
        offering_page(p, o, &v, problem, status);
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

void page_my_requests(html_page *p)
{
    cat_request_filter f = {.org = p->org};
    json_t *list = NULL, *titles, *r;
    html_buf *b = &p->b;
    size_t i;
    fg_error e;

    if (cat_request_list(p->call->cat, &f, &list, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: listing requests: %s", e.msg);
        page_message(p, 500, "Error", "The hub could not list requests; see its log.");
        return;
    }
    titles = json_object();
    page_begin(p, "My requests");
    html_raw(b, "<h1>My requests</h1><p>Requests made by <strong>");
    html_text(b, p->org);
    html_raw(b, "</strong>, and requests for its offerings, newest first.</p>");
    if (json_array_size(list) == 0) {
        html_raw(b, "<p class=\"notice\">No requests yet. <a href=\"/\">Find a service</a> "
                    "and request it from its page.</p>");
    } else {
        html_raw(b, "<table class=\"requests\"><thead><tr><th>Made</th><th>Offering</th>"
                    "<th>Requester</th><th>Provider</th><th>Quantity</th><th>Start</th>"
                    "<th>Status</th><th>Quote</th><th>Note</th></tr></thead><tbody>");
        json_array_foreach(list, i, r) {
            const json_t *req = json_object_get(r, "requester");
            const json_t *quote = json_object_get(r, "quote");
            const char *offering = S(r, "offering_id");
            html_raw(b, "<tr data-request=\"");
            html_text(b, S(r, "id"));
            html_raw(b, "\"><td>");
            html_text(b, S(r, "created_at"));
            html_raw(b, "</td><td>");
            put_offering_link(b, offering, offering_title(p, titles, offering));
            html_raw(b, "</td><td>");
            put_org(p, S(req, "ods"));
            if (S(req, "contact")) {
                html_raw(b, "<br>");
                html_text(b, S(req, "contact"));
            }
            html_raw(b, "</td><td>");
            put_org(p, S(json_object_get(r, "provider"), "ods"));
            html_raw(b, "</td><td>");
            html_int(b, json_integer_value(json_object_get(r, "quantity")));
            html_raw(b, "</td><td>");
            html_text(b, S(r, "start") ? S(r, "start") : "\xe2\x80\x94");
            html_raw(b, "</td><td class=\"status\">");
            html_text(b, S(r, "status"));
            html_raw(b, "</td><td class=\"quote\">");
            put_money(b, json_integer_value(json_object_get(quote, "amount_pence")),
                      S(quote, "currency"));
            html_raw(b, "</td><td class=\"note\">");
            html_text(b, S(r, "note"));
            html_raw(b, "</td></tr>");
        }
        html_raw(b, "</tbody></table>");
    }
    page_end(p, 200);
    json_decref(titles);
    json_decref(list);
}
