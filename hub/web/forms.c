/*
 * The tokens every form of the browser catalogue carries.
 *
 * CSRF: a random value in the cookie fgcat_csrf (SameSite=Strict, HttpOnly)
 * and in a hidden field "csrf" of every form; a POST whose field does not
 * equal its cookie is refused.  Another site can neither read the cookie
 * nor set it, so it cannot make a form this hub accepts (beside the Origin
 * check and the SameSite session cookie).
 *
 * One-time form tokens: the request form carries a random "form" value;
 * the first POST with it creates the request and remembers which one, and
 * any later POST with the same value (a reload, a double click, the back
 * button) is sent to that same request instead of creating another.  The
 * hub keeps the last FORM_SEEN of them in memory, shared by its threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "web.h"

#define FORM_SEEN 1024

/* True when `s` is a token this code made: WEB_TOKEN_SIZE - 1 hex digits. */
static bool token_shape(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n != WEB_TOKEN_SIZE - 1)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

bool web_new_token(char out[WEB_TOKEN_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[(WEB_TOKEN_SIZE - 1) / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[WEB_TOKEN_SIZE - 1] = '\0';
    return true;
}

void web_csrf_find(html_page *p)
{
    const char *cookie = hub_lookup(p->call, MHD_COOKIE_KIND, WEB_CSRF_COOKIE);
    if (token_shape(cookie)) {
        memcpy(p->csrf, cookie, WEB_TOKEN_SIZE);
        return;
    }
    if (web_new_token(p->csrf))
        p->set_csrf = true;
    else
        p->csrf[0] = '\0';
}

bool web_csrf_ok(const html_page *p, const html_form *form)
{
    const char *cookie = hub_lookup(p->call, MHD_COOKIE_KIND, WEB_CSRF_COOKIE);
    const char *field = form_get(form, "csrf");
    unsigned char diff = 0;
    if (!token_shape(cookie) || !token_shape(field))
        return false;
    for (size_t i = 0; i < WEB_TOKEN_SIZE - 1; i++)
        diff |= (unsigned char)(cookie[i] ^ field[i]);
    return diff == 0;
}

void web_csrf_field(html_page *p)
{
    html_raw(&p->b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_text(&p->b, p->csrf);
    html_raw(&p->b, "\">");
}

/* ---- one-time form tokens ---------------------------------------------- */

static struct {
    char form[WEB_TOKEN_SIZE];
    char request[WEB_REQUEST_ID_SIZE];
} seen[FORM_SEEN];
static size_t seen_next;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

bool web_form_token_ok(const char *form)
{
    return token_shape(form);
}

/* The slot holding `form`, or FORM_SEEN; under seen_lock. */
static size_t find_form(const char *form)
{
    for (size_t i = 0; i < FORM_SEEN; i++)
        if (strcmp(seen[i].form, form) == 0)
            return i;
    return FORM_SEEN;
}

bool web_form_claim(const char *form, char request[WEB_REQUEST_ID_SIZE])
{
    size_t i;
    bool fresh;
    pthread_mutex_lock(&seen_lock);
    i = find_form(form);
    fresh = i == FORM_SEEN;
    if (fresh) {
        snprintf(seen[seen_next].form, WEB_TOKEN_SIZE, "%s", form);
        seen[seen_next].request[0] = '\0';
        seen_next = (seen_next + 1) % FORM_SEEN;
    } else {
        memcpy(request, seen[i].request, WEB_REQUEST_ID_SIZE);
    }
    pthread_mutex_unlock(&seen_lock);
    return fresh;
}

void web_form_done(const char *form, const char *request)
{
    size_t i;
    pthread_mutex_lock(&seen_lock);
    i = find_form(form);
    if (i < FORM_SEEN) {
        if (request)
            snprintf(seen[i].request, WEB_REQUEST_ID_SIZE, "%s", request);
        else
            seen[i].form[0] = '\0'; /* not used after all: it may be sent again */
    }
    pthread_mutex_unlock(&seen_lock);
}
