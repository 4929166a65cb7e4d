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

/* Styles, scripts and images come from this hub's /assets/ only (the NHS.UK
   frontend's and fgcat's files); no inline script or style. */
static const char csp[] = "default-src 'none'; style-src 'self'; script-src 'self'; "
                          "img-src 'self'; manifest-src 'self'; form-action 'self'; "
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

/* The NHS logo of the NHS.UK header (its own markup, as the frontend
   gives it). */
#define NHS_LOGO                                                                  \
    "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" "     \
    "viewBox=\"0 0 200 80\" height=\"40\" width=\"100\" focusable=\"false\" "     \
    "role=\"img\" aria-label=\"NHS\"><title>NHS</title><path fill=\"currentcolor\" " \
    "d=\"M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 "   \
    "16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 " \
    "70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 "   \
    "0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 "     \
    "2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 " \
    "65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z\"/></svg>"

#define ASSET_CSS "/assets/nhsuk-frontend-" FGCAT_NHSUK_VERSION ".min.css"

/* One link of the header's navigation, marked when it is the current
   page. */
static void nav_item(html_page *p, html_lit href, html_lit label, const char *here)
{
    bool current = here && strcmp(here, href.s) == 0;
    html_put(&p->b, current ? HTML("<li class=\"nhsuk-header__navigation-item "
                                   "nhsuk-header__navigation-item--current\">")
                            : HTML("<li class=\"nhsuk-header__navigation-item\">"));
    html_raw(&p->b, "<a class=\"nhsuk-header__navigation-link\" href=\"");
    html_put(&p->b, href);
    html_put(&p->b, current ? HTML("\" aria-current=\"page\">") : HTML("\">"));
    html_put(&p->b, label);
    html_raw(&p->b, "</a></li>");
}

void page_begin(html_page *p, const char *title)
{
    char name[256];
    const char *here = p->call->path;
    catalogue_name(p->call, name, sizeof name);
    html_raw(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    html_text(&p->b, title);
    html_raw(&p->b, " \xe2\x80\x93 " SERVICE_NAME " \xe2\x80\x93 fgcat \xc2\xb7 ");
    html_text(&p->b, name);
    html_raw(&p->b, "</title><link rel=\"stylesheet\" href=\"" ASSET_CSS "\">"
                    "<link rel=\"stylesheet\" href=\"/assets/fgcat.css\">"
                    "<link rel=\"icon\" href=\"/assets/images/favicon.svg\" "
                    "type=\"image/svg+xml\">"
                    "<script type=\"module\" src=\"/assets/fgcat.js\"></script>"
                    "</head>\n<body><a class=\"nhsuk-skip-link\" href=\"#maincontent\">"
                    "Skip to main content</a>"
                    "<header class=\"nhsuk-header\" role=\"banner\">"
                    "<div class=\"nhsuk-header__container nhsuk-width-container\">"
                    "<div class=\"nhsuk-header__service\">"
                    "<a class=\"nhsuk-header__service-logo\" href=\"/\" "
                    "aria-label=\"" SERVICE_NAME " homepage\">" NHS_LOGO
                    "<span class=\"nhsuk-header__service-name\">" SERVICE_NAME
                    "</span></a></div>"
                    "<nav class=\"nhsuk-header__account\" aria-label=\"Account\">"
                    "<ul class=\"nhsuk-header__account-list\">");
    if (p->org) {
        html_raw(&p->b, "<li class=\"nhsuk-header__account-item\"><span class=\"who\">"
                        "Signed in as <strong>");
        html_text(&p->b, p->person);
        html_raw(&p->b, "</strong> (");
        html_text(&p->b, p->org);
        html_raw(&p->b, ")</span></li><li class=\"nhsuk-header__account-item\">"
                        "<form class=\"nhsuk-header__account-form\" method=\"post\" "
                        "action=\"/logout\">");
        web_csrf_field(p);
        html_raw(&p->b, "<button class=\"nhsuk-header__account-button\" "
                        "type=\"submit\">Sign out</button></form></li>");
    } else {
        html_raw(&p->b, "<li class=\"nhsuk-header__account-item\"><a "
                        "class=\"nhsuk-header__account-link\" href=\"/login\">Sign in</a>"
                        "</li>");
    }
    html_raw(&p->b, "</ul></nav></div><nav class=\"nhsuk-header__navigation\" "
                    "aria-label=\"Menu\"><div class=\"nhsuk-header__navigation-container "
                    "nhsuk-width-container\"><ul class=\"nhsuk-header__navigation-list\">");
    nav_item(p, HTML("/"), HTML("Find a service"), here);
    if (p->org)
        nav_item(p, HTML("/requests"), HTML("Requests"), here);
    if (p->role && strcmp(p->role, "admin") == 0)
        nav_item(p, HTML("/people"), HTML("People"), here);
    html_raw(&p->b, "</ul></div></nav></header>\n<div class=\"nhsuk-width-container\">");
    if (p->back) {
        html_raw(&p->b, "<a class=\"nhsuk-back-link\" href=\"");
        html_text(&p->b, p->back);
        html_raw(&p->b, "\">Back</a>");
    }
    html_raw(&p->b, "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\">");
}

/* Sets the CSRF cookie when the browser had none (forms.c). */
static void set_csrf_cookie(html_page *p)
{
    char v[128];
    if (!p->set_csrf)
        return;
    snprintf(v, sizeof v, WEB_CSRF_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", p->csrf,
             p->call->cfg && p->call->cfg->tls_cert ? "; Secure" : "");
    hub_reply_header(p->r, "Set-Cookie", v);
}

static void set_session_cookie(html_page *p)
{
    const char *token = p->set_session;
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
    set_csrf_cookie(p);
}

void page_end(html_page *p, unsigned status)
{
    html_raw(&p->b, "</main></div>\n<footer class=\"nhsuk-footer\" role=\"contentinfo\">"
                    "<div class=\"nhsuk-width-container\"><div class=\"nhsuk-footer__meta\">"
                    "<p class=\"nhsuk-body-s\">fgcat " FGCAT_VERSION
                    " \xc2\xb7 shared services of the foundation group</p></div></div>"
                    "</footer></body></html>\n");
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

void page_errors_begin(html_buf *b)
{
    html_raw(b, "<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" "
                "role=\"alert\" tabindex=\"-1\"><h2 class=\"nhsuk-error-summary__title\" "
                "id=\"error-summary-title\">There is a problem</h2>"
                "<div class=\"nhsuk-error-summary__body\"><ul class=\"nhsuk-list "
                "nhsuk-error-summary__list\">");
}

void page_error_item(html_buf *b, html_lit field, const char *message)
{
    html_raw(b, "<li><a class=\"error\" href=\"#");
    html_put(b, field);
    html_raw(b, "\">");
    html_text(b, message);
    html_raw(b, "</a></li>");
}

void page_errors_end(html_buf *b)
{
    html_raw(b, "</ul></div></div>");
}

void page_error_summary(html_buf *b, html_lit field, const char *message)
{
    page_errors_begin(b);
    page_error_item(b, field, message);
    page_errors_end(b);
}

void page_message(html_page *p, unsigned status, const char *heading, const char *message)
{
    page_begin(p, heading);
    html_raw(&p->b, "<h1>");
    html_text(&p->b, heading);
    html_raw(&p->b, "</h1><p class=\"nhsuk-body-l error\">");
    html_text(&p->b, message);
    html_raw(&p->b, "</p><p><a href=\"/\">Find a service</a></p>");
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

