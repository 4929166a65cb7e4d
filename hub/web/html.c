/*
 * The hub's browser catalogue: the frame every page shares (HTML buffers
 * and the one escaping helper, head and bar, security headers), form
 * bodies, the session cookie, the Origin check, sign-in and sign-out, and
 * the routes.  What the catalogue pages show is in web/pages.c.
 *
 * A trust signs in by pasting its hub token (the one `fgcat token create`
 * issued for its node); the cookie fgcat_session holds that token, HttpOnly
 * and SameSite=Strict, and every page checks it again, so a revoked token
 * signs its browsers out.  The token is never written to a page, a URL or
 * the log.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"
#include "util.h"

#define MAX_PAGE_BYTES ((size_t)16 * 1024 * 1024)
#define MAX_FORM_BYTES ((size_t)64 * 1024)
#define MAX_NEXT 200
#define COOKIE "fgcat_session"

static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";

/* ---- HTML buffers ------------------------------------------------------ */

/* Makes room for `n` more bytes and a NUL; false once the page is full. */
static bool reserve(html_buf *b, size_t n)
{
    size_t cap;
    char *grown;
    if (b->full)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    if (b->len + n + 1 > MAX_PAGE_BYTES) {
        b->full = true;
        return false;
    }
    cap = b->cap ? b->cap : 8192;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (cap > MAX_PAGE_BYTES)
        cap = MAX_PAGE_BYTES;
    grown = realloc(b->data, cap);
    if (!grown)
        abort();
    b->data = grown;
    b->cap = cap;
    return true;
}

static void put(html_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void html_raw(html_buf *b, const char *markup)
{
    put(b, markup, strlen(markup));
}

void html_rawf(html_buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* The length of the UTF-8 sequence a lead byte starts, or 0. */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

void html_text(html_buf *b, const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd";
    size_t i = 0, n;
    if (!text)
        return;
    n = strlen(text);
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        size_t run = i, k;
        /* Copy the longest stretch that needs nothing done first. */
        while (run < n && (unsigned char)text[run] >= 0x20 &&
               (unsigned char)text[run] < 0x7f && !strchr("&<>\"'", text[run]))
            run++;
        if (run > i) {
            put(b, text + i, run - i);
            i = run;
            continue;
        }
        switch (c) {
        case '&':
            html_raw(b, "&amp;");
            break;
        case '<':
            html_raw(b, "&lt;");
            break;
        case '>':
            html_raw(b, "&gt;");
            break;
        case '"':
            html_raw(b, "&quot;");
            break;
        case '\'':
            html_raw(b, "&#39;");
            break;
        case '\t':
        case '\n':
        case '\r':
            put(b, text + i, 1);
            break;
        default:
            k = c >= 0x80 ? utf8_len(c) : 0;
            if (k && i + k <= n && fg_utf8_valid(text + i, k)) {
                put(b, text + i, k);
                i += k;
                continue;
            }
            put(b, replacement, 3); /* a control character or broken UTF-8 */
        }
        i++;
    }
}

void html_url(html_buf *b, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            put(b, s, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(b, esc, 3);
        }
    }
}

/* ---- pages ------------------------------------------------------------- */

bool page_header(hub_reply *r, const char *name, const char *value)
{
    if (!r->header_name[0]) {
        snprintf(r->header_name, sizeof r->header_name, "%s", name);
        snprintf(r->header_value, sizeof r->header_value, "%s", value);
        return true;
    }
    for (size_t i = 0; i < HUB_MORE_HEADERS; i++) {
        if (!r->more[i].name[0]) {
            snprintf(r->more[i].name, sizeof r->more[i].name, "%s", name);
            snprintf(r->more[i].value, sizeof r->more[i].value, "%s", value);
            return true;
        }
    }
    return false;
}

/* The catalogue's name: its file name without the directory or ".db". */
static void catalogue_name(const hub_call *call, char *buf, size_t size)
{
    const char *path = call->cfg && call->cfg->db_path ? call->cfg->db_path : "catalogue";
    const char *slash = strrchr(path, '/');
    size_t n;
    snprintf(buf, size, "%s", slash && slash[1] ? slash + 1 : path);
    n = strlen(buf);
    if (n > 3 && strcmp(buf + n - 3, ".db") == 0)
        buf[n - 3] = '\0';
}

static const char style[] =
    "<style>"
    "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#f6f7f9}"
    "header.bar{background:#005eb8;color:#fff;padding:.6em 1.2em;display:flex;"
    "flex-wrap:wrap;gap:1em;align-items:center}"
    "header.bar a,header.bar button{color:#fff}"
    "header.bar .brand{font-weight:700;text-decoration:none;font-size:1.15em}"
    "header.bar nav{margin-left:auto;display:flex;gap:1em;align-items:center}"
    "header.bar form{margin:0}"
    "header.bar button{background:none;border:1px solid #fff;border-radius:3px;"
    "cursor:pointer;padding:.15em .6em;font:inherit}"
    "main{max-width:72em;margin:0 auto;padding:1em 1.2em 3em}"
    "footer{color:#666;font-size:.85em;text-align:center;padding:1em}"
    "form.search{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-end;background:#fff;"
    "padding:.8em;border:1px solid #d8dde3;border-radius:4px}"
    "form.search label,form.request label,form.login label{display:flex;"
    "flex-direction:column;font-size:.85em;gap:.2em}"
    "input,select,textarea,button{font:inherit}"
    "form.request,form.login{display:grid;gap:.7em;max-width:32em;background:#fff;"
    "padding:1em;border:1px solid #d8dde3;border-radius:4px}"
    ".layout{display:grid;grid-template-columns:1fr 15em;gap:1.5em}"
    "@media(max-width:50em){.layout{grid-template-columns:1fr}}"
    "ol.results{padding-left:1.5em}ol.results li{margin:.9em 0}"
    ".meta{color:#555;font-size:.9em}"
    ".facets h3{font-size:.95em;margin:1em 0 .3em}"
    ".facets ul{list-style:none;padding:0;margin:0;font-size:.9em}"
    ".error{background:#fde8e8;border-left:4px solid #d5281b;padding:.6em .9em}"
    ".notice{background:#e8f1fb;border-left:4px solid #005eb8;padding:.6em .9em}"
    ".withdrawn{background:#fff4e5;border-left:4px solid #ed8b00;padding:.6em .9em}"
    ".badge{font-size:.75em;background:#ed8b00;color:#fff;border-radius:3px;"
    "padding:.05em .4em;vertical-align:middle}"
    "dl.offering{display:grid;grid-template-columns:10em 1fr;gap:.3em 1em}"
    "dl.offering dt{font-weight:600}dl.offering dd{margin:0}"
    ".description{white-space:pre-wrap}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{border:1px solid #d8dde3;padding:.35em .5em;text-align:left;vertical-align:top}"
    "td.note{white-space:pre-wrap;max-width:20em}"
    ".paging{display:flex;gap:1.5em}"
    "</style>";

void page_begin(html_page *p, const char *title)
{
    char name[256];
    catalogue_name(p->call, name, sizeof name);
    html_raw(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    html_text(&p->b, title);
    html_raw(&p->b, " \xe2\x80\x94 fgcat \xc2\xb7 ");
    html_text(&p->b, name);
    html_raw(&p->b, "</title>");
    html_raw(&p->b, style);
    html_raw(&p->b, "</head>\n<body><header class=\"bar\"><a class=\"brand\" href=\"/\">"
                    "fgcat</a><span class=\"catalogue\">");
    html_text(&p->b, name);
    html_raw(&p->b, "</span><nav><a href=\"/\">Search</a>");
    if (p->org) {
        html_raw(&p->b, "<a href=\"/requests\">My requests</a><span class=\"who\">"
                        "Signed in as <strong>");
        html_text(&p->b, p->org);
        html_raw(&p->b, "</strong></span><form method=\"post\" action=\"/logout\">"
                        "<button type=\"submit\">Sign out</button></form>");
    } else {
        html_raw(&p->b, "<a href=\"/login\">Sign in</a>");
    }
    html_raw(&p->b, "</nav></header>\n<main>");
}

static void set_session_cookie(html_page *p);

/* The headers every page and redirect carries. */
static void common_headers(html_page *p)
{
    page_header(p->r, "Content-Security-Policy", csp);
    page_header(p->r, "Cache-Control", "no-store");
    page_header(p->r, "Referrer-Policy", "same-origin");
    set_session_cookie(p);
}

void page_end(html_page *p, unsigned status)
{
    html_raw(&p->b, "</main>\n<footer>fgcat " FGCAT_VERSION
                    " \xc2\xb7 shared services of the foundation group</footer>"
                    "</body></html>\n");
    if (p->b.full) {
        /* Only a result list far beyond any real catalogue gets here. */
        free(p->b.data);
        memset(&p->b, 0, sizeof p->b);
        html_raw(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>fgcat</title></head><body><p>This page would be too large; "
                        "ask for fewer results.</p></body></html>\n");
        status = 500;
    }
    p->r->status = status;
    p->r->content_type = "text/html; charset=utf-8";
    p->r->body = p->b.data;
    p->r->len = p->b.len;
    memset(&p->b, 0, sizeof p->b);
    common_headers(p);
}

void page_message(html_page *p, unsigned status, const char *heading, const char *message)
{
    page_begin(p, heading);
    html_raw(&p->b, "<h1>");
    html_text(&p->b, heading);
    html_raw(&p->b, "</h1><p class=\"error\" role=\"alert\">");
    html_text(&p->b, message);
    html_raw(&p->b, "</p><p><a href=\"/\">Back to the catalogue</a></p>");
    page_end(p, status);
}

void page_redirect(html_page *p, const char *location)
{
    free(p->b.data);
    memset(&p->b, 0, sizeof p->b);
    html_raw(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>fgcat</title></head><body><p><a href=\"");
    html_text(&p->b, location);
    html_raw(&p->b, "\">Continue</a></p></body></html>\n");
    p->r->status = 303;
    p->r->content_type = "text/html; charset=utf-8";
    p->r->body = p->b.data;
    p->r->len = p->b.len;
    memset(&p->b, 0, sizeof p->b);
    page_header(p->r, "Location", location);
    common_headers(p);
}

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
    f->buf = malloc(len + 1);
    if (!f->buf)
        abort();
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
static void set_session_cookie(html_page *p)
{
    const char *token = p->set_token;
    char v[512];
    if (!token && !p->clear_cookie)
        return;
    snprintf(v, sizeof v, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             token ? token : "", token ? "" : "; Max-Age=0",
             p->call->cfg && p->call->cfg->tls_cert ? "; Secure" : "");
    page_header(p->r, "Set-Cookie", v);
}

/* True when `token` is made only of characters a cookie may hold as is. */
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
    const char *token = hub_lookup(p->call->conn, MHD_COOKIE_KIND, COOKIE);
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
    const char *origin = hub_lookup(call->conn, MHD_HEADER_KIND, "Origin");
    const char *host = hub_lookup(call->conn, MHD_HEADER_KIND,
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
    const char *type = hub_lookup(call->conn, MHD_HEADER_KIND,
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
    page_header(p->r, "Allow", allow);
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

bool hub_html_route(hub_call *call, hub_reply *r)
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
