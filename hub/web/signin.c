/*
 * Signing in and out of the browser catalogue, on its own so that another
 * way of signing in (personal accounts) can replace it.
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

#include "web.h"

/* ---- sessions ---------------------------------------------------------- */

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
void web_find_session(html_page *p)
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

/* ---- sign in and out --------------------------------------------------- */

void page_login(html_page *p, unsigned status, const char *next, const char *problem)
{
    page_begin(p, "Sign in");
    html_raw(&p->b, "<h1>Sign in</h1>");
    if (problem) {
        html_raw(&p->b, "<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" "
                        "role=\"alert\" tabindex=\"-1\"><h2 class=\"nhsuk-error-summary__title\" "
                        "id=\"error-summary-title\">There is a problem</h2><div "
                        "class=\"nhsuk-error-summary__body\"><ul class=\"nhsuk-list "
                        "nhsuk-error-summary__list\"><li><a class=\"error\" href=\"#token\">");
        html_text(&p->b, problem);
        html_raw(&p->b, "</a></li></ul></div></div>");
    }
    if (p->org) {
        html_raw(&p->b, "<p class=\"notice nhsuk-inset-text\">You are signed in as <strong>");
        html_text(&p->b, p->org);
        html_raw(&p->b, "</strong>. Sign in again to change trust.</p>");
    }
    html_raw(&p->b, "<p>Sign in with your trust's hub token (the one <code>fgcat token "
                    "create</code> issued) to request services and follow your "
                    "requests. The token stays in this browser until you sign out.</p>"
                    "<form class=\"login\" method=\"post\" action=\"/login\" novalidate>");
    web_csrf_field(p);
    html_raw(&p->b, "<input type=\"hidden\" name=\"next\" value=\"");
    html_text(&p->b, web_safe_next(next));
    html_raw(&p->b, "\"><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"token\">Your trust's token</label><input class=\"nhsuk-input\" "
                    "type=\"password\" id=\"token\" name=\"token\" required "
                    "autocomplete=\"off\" spellcheck=\"false\" maxlength=\"200\"></div>"
                    "<button class=\"nhsuk-button\" type=\"submit\">Sign in</button></form>");
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

void page_login_post(html_page *p, const html_form *form)
{
    const char *given = form_get(form, "token");
    const char *next = web_safe_next(form_get(form, "next"));
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
    page_login(p, 401, next,
               given && *given ? "That token is not valid on this hub (mistyped, or revoked)."
                               : "Enter your trust's token.");
}

