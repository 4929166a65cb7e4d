/*
 * The frame every page of the browser catalogue shares: head and style,
 * the bar with the signed-in trust, the footer, the security headers and
 * the session cookie, messages and redirects.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";


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

#define STYLE                                                                  \
    "<style>"                                                                  \
    "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#f6f7f9}" \
    "header.bar{background:#005eb8;color:#fff;padding:.6em 1.2em;display:flex;" \
    "flex-wrap:wrap;gap:1em;align-items:center}"                               \
    "header.bar a,header.bar button{color:#fff}"                               \
    "header.bar .brand{font-weight:700;text-decoration:none;font-size:1.15em}" \
    "header.bar nav{margin-left:auto;display:flex;gap:1em;align-items:center}" \
    "header.bar form{margin:0}"                                                \
    "header.bar button{background:none;border:1px solid #fff;border-radius:3px;" \
    "cursor:pointer;padding:.15em .6em;font:inherit}"                          \
    "main{max-width:72em;margin:0 auto;padding:1em 1.2em 3em}"                 \
    "footer{color:#666;font-size:.85em;text-align:center;padding:1em}"         \
    "form.search{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-end;background:#fff;" \
    "padding:.8em;border:1px solid #d8dde3;border-radius:4px}"                 \
    "form.search label,form.request label,form.login label{display:flex;"      \
    "flex-direction:column;font-size:.85em;gap:.2em}"                          \
    "input,select,textarea,button{font:inherit}"                               \
    "form.request,form.login{display:grid;gap:.7em;max-width:32em;background:#fff;" \
    "padding:1em;border:1px solid #d8dde3;border-radius:4px}"                  \
    ".layout{display:grid;grid-template-columns:1fr 15em;gap:1.5em}"           \
    "@media(max-width:50em){.layout{grid-template-columns:1fr}}"               \
    "ol.results{padding-left:1.5em}ol.results li{margin:.9em 0}"               \
    ".meta{color:#555;font-size:.9em}"                                         \
    ".facets h3{font-size:.95em;margin:1em 0 .3em}"                            \
    ".facets ul{list-style:none;padding:0;margin:0;font-size:.9em}"            \
    ".error{background:#fde8e8;border-left:4px solid #d5281b;padding:.6em .9em}" \
    ".notice{background:#e8f1fb;border-left:4px solid #005eb8;padding:.6em .9em}" \
    ".withdrawn{background:#fff4e5;border-left:4px solid #ed8b00;padding:.6em .9em}" \
    ".badge{font-size:.75em;background:#ed8b00;color:#fff;border-radius:3px;"  \
    "padding:.05em .4em;vertical-align:middle}"                                \
    "dl.offering{display:grid;grid-template-columns:10em 1fr;gap:.3em 1em}"    \
    "dl.offering dt{font-weight:600}dl.offering dd{margin:0}"                  \
    ".description{white-space:pre-wrap}"                                       \
    "table{border-collapse:collapse;width:100%;background:#fff}"               \
    "th,td{border:1px solid #d8dde3;padding:.35em .5em;text-align:left;vertical-align:top}" \
    "td.note{white-space:pre-wrap;max-width:20em}"                             \
    ".paging{display:flex;gap:1.5em}"                                          \
    "</style>"

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
    html_raw(&p->b, STYLE);
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

static void set_session_cookie(html_page *p)
{
    const char *token = p->set_token;
    char v[512];
    if (!token && !p->clear_cookie)
        return;
    snprintf(v, sizeof v, WEB_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             token ? token : "", token ? "" : "; Max-Age=0",
             p->call->cfg && p->call->cfg->tls_cert ? "; Secure" : "");
    hub_reply_header(p->r, "Set-Cookie", v);
}

/* True when `token` is made only of characters a cookie may hold as is. */
/* The headers every page and redirect carries. */
static void common_headers(html_page *p)
{
    hub_reply_header(p->r, "Content-Security-Policy", csp);
    hub_reply_header(p->r, "Cache-Control", "no-store");
    hub_reply_header(p->r, "Referrer-Policy", "same-origin");
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
    hub_reply_header(p->r, "Location", location);
    common_headers(p);
}

