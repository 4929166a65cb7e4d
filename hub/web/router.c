/*
 * The routes of the hub's browser catalogue: form bodies, the Origin and
 * CSRF checks, and which page answers which path.  The frame is in page.c,
 * signing in and out in signin.c, what the catalogue pages show in
 * pages.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"
#include "util.h"

#define MAX_FORM_BYTES ((size_t)64 * 1024)
#define MAX_NEXT 200

/* ---- forms ------------------------------------------------------------- */

const char *form_get(const html_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->field[i].name, name) == 0)
            return f->field[i].value;
    return NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes one name or value in place ('+' is a space, %XX a byte); false
   when an escape is malformed or the result is not UTF-8 text. */
static bool form_decode(char *s)
{
    char *w = s;
    const char *r = s;
    while (*r) {
        if (*r == '+') {
            *w++ = ' ';
            r++;
        } else if (*r == '%') {
            int hi = hex_digit(r[1]), lo = hi < 0 ? -1 : hex_digit(r[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return fg_utf8_valid(s, strlen(s));
}

/*
 * Parses an application/x-www-form-urlencoded body of `len` bytes into `f`
 * (free f->buf after).  Returns NULL, or what is wrong with it.
 */
static const char *form_parse(const char *body, size_t len, html_form *f)
{
    char *p, *end;
    memset(f, 0, sizeof *f);
    if (len > MAX_FORM_BYTES)
        return "the form is larger than this hub accepts";
    if (memchr(body, '\0', len))
        return "the form is not properly encoded";
    f->buf = fg_xmalloc(len + 1);
    memcpy(f->buf, body, len);
    f->buf[len] = '\0';
    for (p = f->buf; *p; p = end) {
        char *eq;
        end = p + strcspn(p, "&");
        if (*end)
            *end++ = '\0';
        if (!*p)
            continue;
        if (f->n == FORM_MAX_FIELDS)
            return "the form has too many fields";
        eq = strchr(p, '=');
        if (eq)
            *eq++ = '\0';
        if (!form_decode(p) || (eq && !form_decode(eq)))
            return "the form is not properly encoded UTF-8 text";
        f->field[f->n].name = p;
        f->field[f->n].value = eq ? eq : "";
        f->n++;
    }
    return NULL;
}

/* ---- sessions and origins ---------------------------------------------- */

/*
 * True when a POST may be trusted to come from this hub's own pages: its
 * Origin header, when the browser sends one, must be this hub's scheme and
 * Host.  (The session cookie is SameSite=Strict as well.)
 */
static bool same_origin(const hub_call *call)
{
    const char *origin = hub_lookup(call, MHD_HEADER_KIND, "Origin");
    const char *host = hub_lookup(call, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    const char *scheme = call->cfg && call->cfg->tls_cert ? "https://" : "http://";
    size_t n = strlen(scheme);
    if (!origin)
        return true;
    return host && *host && strncasecmp(origin, scheme, n) == 0 &&
           strcasecmp(origin + n, host) == 0;
}

static bool form_content_type(const hub_call *call)
{
    static const char want[] = "application/x-www-form-urlencoded";
    const char *type = hub_lookup(call, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t n = sizeof want - 1;
    return type && strncasecmp(type, want, n) == 0 &&
           (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* A path on this hub to go back to after signing in: "/" followed by
   [A-Za-z0-9/_.-] only, never "//"; else "/requests". */
const char *web_safe_next(const char *next)
{
    size_t n;
    if (!next || next[0] != '/' || next[1] == '/' || (n = strlen(next)) > MAX_NEXT)
        return "/requests";
    for (size_t i = 0; i < n; i++) {
        char c = next[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '.' || c == '-'))
            return "/requests";
    }
    return next;
}

/* ---- sign in and out --------------------------------------------------- */

/* ---- routes ------------------------------------------------------------ */

static void not_allowed(html_page *p, const char *allow)
{
    hub_reply_header(p->r, "Allow", allow);
    page_message(p, 405, "Not allowed", "This page does not take that method.");
}

/* The checks every POST passes before its form is read. */
static const char *post_problem(html_page *p, unsigned *status)
{
    if (!same_origin(p->call)) {
        *status = 403;
        return "This form was not sent from this hub's own pages, so it was refused.";
    }
    if (!form_content_type(p->call)) {
        *status = 415;
        return "Forms are taken as application/x-www-form-urlencoded only.";
    }
    if (p->call->body_len > MAX_FORM_BYTES) {
        *status = 413;
        return "The form is larger than this hub accepts.";
    }
    return NULL;
}

/* The offering id of "/offerings/ID/request", into buf; false when the
   path is not one. */
static bool request_path_id(const char *path, char *buf, size_t size)
{
    const char *id = path + strlen("/offerings/");
    size_t n = strlen(id), suffix = strlen("/request");
    if (n <= suffix || strcmp(id + n - suffix, "/request") != 0 || n - suffix >= size)
        return false;
    memcpy(buf, id, n - suffix);
    buf[n - suffix] = '\0';
    return true;
}

/* POST /requests/ID/ACTION: signed in only. */
static void move_post(html_page *p, const char *rest, const html_form *form)
{
    char id[WEB_REQUEST_ID_SIZE], location[WEB_REQUEST_ID_SIZE + 32];
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : 0;
    if (!slash || n == 0 || n >= sizeof id || strchr(slash + 1, '/')) {
        page_message(p, 404, "Page not found", "There is no such page on this hub.");
        return;
    }
    memcpy(id, rest, n);
    id[n] = '\0';
    if (!p->org) {
        char next[WEB_REQUEST_ID_SIZE + 16];
        snprintf(next, sizeof next, "/requests/%s", id);
        if (web_safe_next(next) == next)
            snprintf(location, sizeof location, "/login?next=%s", next);
        else
            snprintf(location, sizeof location, "/login");
        page_redirect(p, location);
        return;
    }
    page_request_move(p, id, slash + 1, form);
}

static void route_post(html_page *p, const char *path)
{
    html_form form;
    const char *problem;
    unsigned status = 400;
    char id[128], next[160], location[200];

    if ((problem = post_problem(p, &status)) != NULL) {
        page_message(p, status, "Refused", problem);
        return;
    }
    if ((problem = form_parse(p->call->body, p->call->body_len, &form)) != NULL) {
        free(form.buf);
        page_message(p, 400, "Refused", problem);
        return;
    }
    if (!web_csrf_ok(p, &form)) {
        free(form.buf);
        page_message(p, 403, "Refused",
                     "This form has expired or was not sent from this hub's own pages. Go "
                     "back, reload the page and send it again.");
        return;
    }
    if (strcmp(path, "/login") == 0) {
        page_login_post(p, &form);
    } else if (strcmp(path, "/account/password") == 0) {
        page_password_post(p, &form);
    } else if (strncmp(path, "/people/", 8) == 0) {
        if (!p->org)
            page_redirect(p, "/login?next=/people");
        else if (!p->role || strcmp(p->role, "admin") != 0)
            page_message(p, 403, "Refused", "Only an admin of your trust manages its people.");
        else if (strcmp(path + 8, "add") != 0 && strcmp(path + 8, "role") != 0 &&
                 strcmp(path + 8, "remove") != 0 && strcmp(path + 8, "reset") != 0)
            page_message(p, 404, "Page not found", "There is no such page on this hub.");
        else
            page_people_post(p, path + 8, &form);
    } else if (strcmp(path, "/logout") == 0) {
        web_end_session(p);
        page_redirect(p, "/");
    } else if (strncmp(path, "/requests/", 10) == 0) {
        move_post(p, path + 10, &form);
    } else if (!request_path_id(path, id, sizeof id)) {
        page_message(p, 404, "Not found", "There is no such page on this hub.");
    } else if (!p->org) {
        /* Back to the offering after signing in, when its id is plain. */
        snprintf(next, sizeof next, "/offerings/%s", id);
        if (web_safe_next(next) == next)
            snprintf(location, sizeof location, "/login?next=%s", next);
        else
            snprintf(location, sizeof location, "/login");
        page_redirect(p, location);
    } else {
        page_request_create(p, id, &form);
    }
    free(form.buf);
}

bool hub_web_route(hub_call *call, hub_reply *r)
{
    const char *path = call->path;
    bool get = strcmp(call->method, "GET") == 0 || strcmp(call->method, "HEAD") == 0;
    bool post = strcmp(call->method, "POST") == 0;
    bool offerings = strncmp(path, "/offerings/", 11) == 0;
    bool requests = strncmp(path, "/requests/", 10) == 0 && path[10];
    bool account = strcmp(path, "/account/password") == 0;
    bool people = strcmp(path, "/people") == 0 || strncmp(path, "/people/", 8) == 0;
    html_page p;

    memset(&p, 0, sizeof p);
    p.call = call;
    p.r = r;
    if (strncmp(path, "/assets/", 8) == 0 && get) {
        page_asset(&p, path + 8);
        free(p.b.data);
        return true;
    }
    web_find_session(&p);
    web_csrf_find(&p);

    if (strcmp(path, "/") != 0 && strcmp(path, "/login") != 0 &&
        strcmp(path, "/logout") != 0 && strcmp(path, "/requests") != 0 && !offerings &&
        !requests && !account && !people) {
        /* Every other address a browser may type gets a page, not JSON. */
        page_message(&p, 404, "Page not found",
                     "If you typed the address, check it is correct. If you pasted it, "
                     "check you copied the whole address.");
    } else if (post && (offerings || requests || account || (people && path[7]) ||
                        strcmp(path, "/login") == 0 ||
                        strcmp(path, "/logout") == 0)) {
        route_post(&p, path);
    } else if (!get) {
        not_allowed(&p, offerings || requests || account || strcmp(path, "/login") == 0
                            ? "GET, HEAD, POST"
                        : (people && path[7]) || strcmp(path, "/logout") == 0 ? "POST"
                                                                              : "GET, HEAD");
    } else if (strcmp(path, "/") == 0) {
        page_search(&p);
    } else if (strcmp(path, "/login") == 0) {
        page_login(&p, 200, hub_arg(call, "next"), NULL, NULL);
    } else if (account) {
        page_password(&p);
    } else if ((people && path[7]) || strcmp(path, "/logout") == 0) {
        not_allowed(&p, "POST");
    } else if (people && !p.org) {
        page_redirect(&p, "/login?next=/people");
    } else if (people && (!p.role || strcmp(p.role, "admin") != 0)) {
        page_message(&p, 403, "Refused", "Only an admin of your trust manages its people.");
    } else if (people) {
        page_people(&p);
    } else if (strcmp(path, "/requests") == 0) {
        if (p.org)
            page_my_requests(&p);
        else
            page_redirect(&p, "/login?next=/requests");
    } else if (requests && strchr(path + 10, '/')) {
        page_message(&p, 404, "Page not found", "There is no such page on this hub.");
    } else if (requests && !p.org) {
        char location[WEB_REQUEST_ID_SIZE + 32];
        snprintf(location, sizeof location, "/login?next=%.*s", WEB_REQUEST_ID_SIZE, path);
        page_redirect(&p, web_safe_next(path) == path ? location : "/login");
    } else if (requests) {
        page_request(&p, path + 10);
    } else if (path[11]) {
        page_offering(&p, path + 11);
    } else {
        page_redirect(&p, "/");
    }
    free(p.b.data);
    json_decref(p.who);
    return true;
}


void hub_web_refused(hub_call *call, hub_reply *r, unsigned status, const char *why)
{
    html_page page = {.call = call, .r = r};
    page_message(&page, status, "Refused", why);
}
