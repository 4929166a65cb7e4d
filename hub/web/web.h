/*
 * The hub's browser catalogue, shared between its files: html.c (the HTML
 * builder), page.c (the frame every page shares), router.c (forms,
 * sessions, routes) and pages.c (what each page shows).  Internal to the
 * hub; it stands on the hub's calls and replies (../internal.h), which
 * know nothing of it.
 *
 * Every piece of data reaches a page through html_text(), the one escaping
 * helper, html_url() or html_int(); markup goes in with html_raw(), which
 * takes string literals only, so data cannot reach a page unescaped.
 */
#ifndef HUB_HTML_H
#define HUB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "../internal.h"

/* ---- HTML buffers (html.c) --------------------------------------------- */

/* A growing page with a fixed ceiling: writes past it are dropped and the
   page is answered as an error instead. */
typedef struct html_buf {
    char *data;
    size_t len, cap;
    bool full;
} html_buf;

/*
 * Markup written in this code.  Only a string literal makes one: HTML("<p>")
 * compiles, and HTML(variable) does not ("" variable "" is a syntax
 * error).  A helper that takes markup from its caller takes an html_lit.
 */
typedef struct html_lit {
    const char *s;
} html_lit;
#define HTML(literal) ((html_lit){"" literal ""})

/* Writes markup as is. */
void html_put(html_buf *b, html_lit markup);

/* Writes a string literal of markup as is: html_raw(b, "<p>"). */
#define html_raw(b, literal) html_put((b), HTML(literal))

/* Writes a whole number in decimal. */
void html_int(html_buf *b, long long n);

/*
 * Text from anywhere (the catalogue, the user, a plugin): escapes & < > "
 * and ', so it is safe both between tags and inside a quoted attribute, and
 * replaces control characters other than tab and newlines, and invalid
 * UTF-8, with U+FFFD.  NULL writes nothing.
 */
void html_text(html_buf *b, const char *text);

/* Percent-encodes `s` for a URL query value or, with keep_slash, a path;
   the result needs no further escaping in an attribute. */
void html_url(html_buf *b, const char *s, bool keep_slash);

/* ---- pages (page.c) ---------------------------------------------------- */

/* The session cookie's name. */
#define WEB_COOKIE "fgcat_session"

/* One page being answered. */
typedef struct html_page {
    hub_call *call;
    hub_reply *r;
    html_buf b;
    const char *org;       /* the signed-in trust, or NULL (call->org) */
    const char *set_token; /* a session cookie to set, borrowed */
    bool clear_cookie;     /* or clear the session cookie */
} html_page;

/* Starts the page: head, style, and the bar with the signed-in trust. */
void page_begin(html_page *p, const char *title);

/* Ends the page and makes it the answer with `status`. */
void page_end(html_page *p, unsigned status);

/* A whole page with one message (escaped) under a heading. */
void page_message(html_page *p, unsigned status, const char *heading, const char *message);

/* Answers with a redirect (303 See Other) to `location`, a path on this hub
   made by this code (no CR or LF). */
void page_redirect(html_page *p, const char *location);


/* ---- forms (router.c) ------------------------------------------------- */

/* A form body (application/x-www-form-urlencoded), decoded. */
#define FORM_MAX_FIELDS 16
typedef struct html_form {
    char *buf;
    struct {
        const char *name, *value;
    } field[FORM_MAX_FIELDS];
    size_t n;
} html_form;

/* The value of field `name` (the first one), or NULL. */
const char *form_get(const html_form *f, const char *name);

/* ---- the pages themselves (pages.c) ------------------------------------ */

/* GET /: search with filters, facets and paging. */
void page_search(html_page *p);

/* GET /offerings/ID: one offering and, for a signed-in trust, a request
   form. */
void page_offering(html_page *p, const char *id);

/* POST /offerings/ID/request: creates the request as the signed-in trust. */
void page_request_create(html_page *p, const char *id, const html_form *form);

/* GET /requests: the signed-in trust's requests, made or received. */
void page_my_requests(html_page *p);

#endif /* HUB_HTML_H */
