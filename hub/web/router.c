/*
 * The routes of the hub's browser catalogue: form bodies, the session
 * cookie, the Origin check, sign-in and sign-out, and which page answers
 * which path.  The frame is in page.c, what the catalogue pages show in
 * pages.c.
 *
 * A trust signs in by pasting its hub token (the one `fgcat token create`
 * issued for its node); the cookie fgcat_session holds that token, HttpOnly
 * and SameSite=Strict, and every page checks it again, so a revoked token
 * signs its browsers out.  The token is never written to a page, a URL or
 * the log.
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

/* Sets the session cookie to p->set_token, or clears it, when asked to. */
static bool cookie_safe(const char *token)
{
    size_t n = strlen(token);
    if (n == 0 || n >= CAT_TOKEN_SIZE)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = token[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Signs the page in when the session cookie holds a valid token; a cookie
   that no longer does is cleared.  The organisation goes to call->org, so
   the hub's log names it. */
static void find_session(html_page *p)
{
    const char *token = hub_lookup(p->call, MHD_COOKIE_KIND, WEB_COOKIE);
    p->org = NULL;
    p->call->org[0] = '\0';
    if (!token || !*token)
        return;
    if (cookie_safe(token) && hub_token_org(p->call->cat, token, p->call->org)) {
        p->org = p->call->org;
        return;
    }
    p->call->org[0] = '\0';
    p->clear_cookie = true;
}

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
static const char *safe_next(const char *next)
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

static void login_page(html_page *p, unsigned status, const char *next, const char *problem)
{
    page_begin(p, "Sign in");
    html_raw(&p->b, "<h1>Sign in</h1>");
    if (problem) {
        html_raw(&p->b, "<p class=\"error\" role=\"alert\">");
        html_text(&p->b, problem);
        html_raw(&p->b, "</p>");
    }
    if (p->org) {
        html_raw(&p->b, "<p class=\"notice\">You are signed in as <strong>");
        html_text(&p->b, p->org);
        html_raw(&p->b, "</strong>. Sign in again to change trust.</p>");
    }
    html_raw(&p->b, "<p>Sign in with your trust's hub token (the one <code>fgcat token "
                    "create</code> issued) to request services and follow your "
                    "requests. The token stays in this browser until you sign out.</p>"
                    "<form class=\"login\" method=\"post\" action=\"/login\">"
                    "<input type=\"hidden\" name=\"next\" value=\"");
    html_text(&p->b, safe_next(next));
    html_raw(&p->b, "\"><label>Token<input type=\"password\" name=\"token\" required "
                    "autocomplete=\"off\" spellcheck=\"false\" maxlength=\"200\"></label>"
                    "<button type=\"submit\">Sign in</button></form>");
    page_end(p, status);
}

/* Trims ASCII white space (a pasted token often ends with a newline). */
static char *trim(char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static void login_post(html_page *p, const html_form *form)
{
    const char *given = form_get(form, "token");
    const char *next = safe_next(form_get(form, "next"));
    char buf[CAT_TOKEN_SIZE + 8], org[8], *token;

    snprintf(buf, sizeof buf, "%s", given ? given : "");
    token = trim(buf);
    if (given && strlen(given) < sizeof buf && cookie_safe(token) &&
        hub_token_org(p->call->cat, token, org)) {
        snprintf(p->call->org, sizeof p->call->org, "%s", org);
        p->set_token = token;
        p->clear_cookie = false;
        page_redirect(p, next);
        p->set_token = NULL; /* buf ends here; the header holds a copy */
        return;
    }
    login_page(p, 401, next,
               given && *given ? "That token is not valid on this hub (mistyped, or revoked)."
                               : "Enter your trust's token.");
}

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
    if (strcmp(path, "/login") == 0) {
        login_post(p, &form);
    } else if (strcmp(path, "/logout") == 0) {
        p->org = NULL;
        p->call->org[0] = '\0';
        p->clear_cookie = true;
        page_redirect(p, "/");
    } else if (!request_path_id(path, id, sizeof id)) {
        page_message(p, 404, "Not found", "There is no such page on this hub.");
    } else if (!p->org) {
        /* Back to the offering after signing in, when its id is plain. */
        snprintf(next, sizeof next, "/offerings/%s", id);
        if (safe_next(next) == next)
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
    html_page p;

    if (strcmp(path, "/") != 0 && strcmp(path, "/login") != 0 &&
        strcmp(path, "/logout") != 0 && strcmp(path, "/requests") != 0 && !offerings)
        return false;
    memset(&p, 0, sizeof p);
    p.call = call;
    p.r = r;
    find_session(&p);

    if (post && (offerings || strcmp(path, "/login") == 0 || strcmp(path, "/logout") == 0)) {
        route_post(&p, path);
    } else if (!get) {
        not_allowed(&p, offerings || strcmp(path, "/login") == 0 ? "GET, HEAD, POST"
                        : strcmp(path, "/logout") == 0           ? "POST"
                                                                 : "GET, HEAD");
    } else if (strcmp(path, "/") == 0) {
        page_search(&p);
    } else if (strcmp(path, "/login") == 0) {
        login_page(&p, 200, hub_arg(call, "next"), NULL);
    } else if (strcmp(path, "/logout") == 0) {
        not_allowed(&p, "POST");
    } else if (strcmp(path, "/requests") == 0) {
        if (p.org)
            page_my_requests(&p);
        else
            page_redirect(&p, "/login?next=/requests");
    } else if (path[11]) {
        page_offering(&p, path + 11);
    } else {
        page_redirect(&p, "/");
    }
    free(p.b.data);
    return true;
}

