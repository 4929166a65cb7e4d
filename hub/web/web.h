/*
 * The hub's browser catalogue, shared between its files: html.c (the HTML
 * builder), page.c (the NHS.UK frame every page shares), router.c (forms,
 * sessions, routes), forms.c (CSRF and one-time form tokens), assets.c
 * (the static files under /assets/) and pages.c (what each page shows).  Internal to the
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

/* The service's name, in the NHS.UK header and every title. */
#define SERVICE_NAME "Shared services catalogue"

/* The session cookie's name. */
#define WEB_COOKIE "fgcat_session"

/* One page being answered. */
typedef struct html_page {
    hub_call *call;
    hub_reply *r;
    html_buf b;
    const char *org;       /* the signed-in person's trust, or NULL (call->org) */
    const char *person;    /* the signed-in person's address, or NULL (in who) */
    const char *role;      /* ... and role: "requester", "approver", "admin" */
    json_t *who;           /* the session's person, owned */
    const char *set_session; /* a session cookie to set, borrowed */
    bool clear_cookie;     /* or clear the session cookie */
    const char *back;      /* a back link above the page (a path), or NULL */
    char csrf[33];         /* the CSRF token of the page's forms (forms.c) */
    bool set_csrf;         /* set it as a cookie: the browser had none */
} html_page;

/* Starts the page: head, style, and the bar with the signed-in trust. */
void page_begin(html_page *p, const char *title);

/* Ends the page and makes it the answer with `status`. */
void page_end(html_page *p, unsigned status);

/* The NHS.UK error summary: begin, one item per problem (`message`
   escaped, linking to the field with id `field`), end; or all three for
   one problem. */
void page_errors_begin(html_buf *b);
void page_error_item(html_buf *b, html_lit field, const char *message);
void page_errors_end(html_buf *b);
void page_error_summary(html_buf *b, html_lit field, const char *message);

/* A whole page with one message (escaped) under a heading. */
void page_message(html_page *p, unsigned status, const char *heading, const char *message);

/* Answers with a redirect (303 See Other) to `location`, a path on this hub
   made by this code (no CR or LF). */
void page_redirect(html_page *p, const char *location);


/* ---- static files (assets.c) ------------------------------------------ */

/* GET /assets/NAME: the NHS.UK frontend's and fgcat's CSS, JavaScript and
   images, with long-lived cache headers; an HTML 404 page for any other
   name. */
void page_asset(html_page *p, const char *name);

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

/* A path on this hub to go back to after signing in: `next` when it is
   "/" followed by [A-Za-z0-9/_.-] only, never "//"; else "/requests"
   (router.c). */
const char *web_safe_next(const char *next);

/* ---- signing in (signin.c) --------------------------------------------- */

/* Signs the page in when the session cookie names a live session (with
   the person's trust and role as they are now); a cookie that does not is
   cleared. */
void web_find_session(html_page *p);

/* POST /logout: ends the session and clears its cookie. */
void web_end_session(html_page *p);

/* GET /login: the sign-in page, with `problem` (may be NULL) and the
   address typed (may be NULL). */
void page_login(html_page *p, unsigned status, const char *next, const char *problem,
                const char *email);

/* POST /login: signs in with the form's address and password, starts a
   session and goes to its next page. */
void page_login_post(html_page *p, const html_form *form);

/* GET /account/password?secret=S: the form to set a password through a
   one-time link (account.c). */
void page_password(html_page *p);

/* POST /account/password: sets it, then the sign-in page. */
void page_password_post(html_page *p, const html_form *form);

/* GET /people: an admin's page of their trust's people (people.c). */
void page_people(html_page *p);

/* POST /people/ACTION (add, role, remove, reset) by an admin. */
void page_people_post(html_page *p, const char *action, const html_form *form);

/* True when the signed-in person may accept, decline and complete their
   trust's requests (an approver or an admin). */
bool web_may_approve(const html_page *p);

/* ---- form tokens (forms.c) -------------------------------------------- */

#define WEB_CSRF_COOKIE "fgcat_csrf"
#define WEB_TOKEN_SIZE 33 /* 32 hex digits and a NUL */
#define WEB_REQUEST_ID_SIZE 64

/* A new random token of 32 hex digits; false when no randomness is had. */
bool web_new_token(char out[WEB_TOKEN_SIZE]);

/* Reads the CSRF cookie into p->csrf, or makes a new one to set. */
void web_csrf_find(html_page *p);

/* True when the form's "csrf" field equals the request's CSRF cookie. */
bool web_csrf_ok(const html_page *p, const html_form *form);

/* Writes the hidden "csrf" field every form carries. */
void web_csrf_field(html_page *p);

/* True when `form` looks like a one-time form token this hub made. */
bool web_form_token_ok(const char *form);

/*
 * Claims one-time form token `form`: true the first time; false when it
 * was sent before, with the request it created in `request` ("" while
 * that first POST is still being answered).
 */
bool web_form_claim(const char *form, char request[WEB_REQUEST_ID_SIZE]);

/* Records the request a claimed form created, or with NULL frees the
   token to be sent again (the request was refused). */
void web_form_done(const char *form, const char *request);

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

/* GET /requests/ID: one request, its history and the moves the signed-in
   trust may make; a 404 page to any other trust. */
void page_request(html_page *p, const char *id);

/* POST /requests/ID/ACTION: accept, decline, complete or cancel. */
void page_request_move(html_page *p, const char *id, const char *action,
                       const html_form *form);

#endif /* HUB_HTML_H */
