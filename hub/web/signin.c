/*
 * Signing in and out of the browser catalogue with a personal account.
 *
 * A person signs in with their e-mail address and password (people.c
 * checks it, and locks an account out after repeated failures); the hub
 * starts a session (session.c) whose random secret the cookie
 * fgcat_session holds, HttpOnly, SameSite=Strict, and Secure under TLS.
 * Every page looks the session up again, with the person's current trust
 * and role, so that signing out, a removal, a new password or a change
 * of role applies at once.  Sync tokens are for machines: they never sign
 * anyone in to the pages.  Failed sign-ins are also counted per client
 * address, so that one address cannot try many accounts.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"
#include "web.h"

/* ---- failed sign-ins per client address -------------------------------- */

#define LIMIT_WINDOW 900   /* seconds over which failures are counted */
#define LIMIT_FAILURES 20  /* failures from one address in the window */
#define LIMIT_SLOTS 512    /* addresses remembered (the oldest is forgotten) */

struct hub_signin_limit {
    pthread_mutex_t lock;
    struct {
        char addr[48];
        int64_t since; /* the window's start */
        unsigned failures;
    } slot[LIMIT_SLOTS];
};

struct hub_signin_limit *hub_signin_limit_new(void)
{
    struct hub_signin_limit *l = fg_xmalloc(sizeof *l);
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

void hub_signin_limit_free(struct hub_signin_limit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/*
 * Whether `addr` has failed LIMIT_FAILURES times within the window; with
 * `failed`, counts one more failure first.  The slot of the address, or
 * of the oldest window, is taken under the lock.
 */
static bool address_limited(struct hub_signin_limit *l, const char *addr, bool failed)
{
    int64_t now = (int64_t)time(NULL);
    size_t at = 0;
    bool limited;

    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < LIMIT_SLOTS; i++) {
        if (strcmp(l->slot[i].addr, addr) == 0) {
            at = i;
            break;
        }
        if (l->slot[i].since < l->slot[at].since)
            at = i;
    }
    if (strcmp(l->slot[at].addr, addr) != 0 || now - l->slot[at].since >= LIMIT_WINDOW) {
        snprintf(l->slot[at].addr, sizeof l->slot[at].addr, "%s", addr);
        l->slot[at].since = now;
        l->slot[at].failures = 0;
    }
    if (failed)
        l->slot[at].failures++;
    limited = l->slot[at].failures >= LIMIT_FAILURES;
    pthread_mutex_unlock(&l->lock);
    return limited;
}

/* ---- sessions ---------------------------------------------------------- */

void web_find_session(html_page *p)
{
    const char *secret = hub_lookup(p->call, MHD_COOKIE_KIND, WEB_COOKIE);
    fg_error e;

    p->org = p->person = p->role = NULL;
    p->call->org[0] = '\0';
    if (!secret || !*secret)
        return;
    if (cat_session_find(p->call->cat, secret, p->call->cfg->session_idle, &p->who, &e) !=
        FG_OK) {
        /* Only a session that is over loses its cookie; a catalogue that
           cannot be read now signs nobody in for this page alone. */
        if (e.status != FG_ENOTFOUND)
            fg_log(FG_LOG_WARN, "hub: reading a session: %s", e.msg);
        else
            p->clear_cookie = true;
        return;
    }
    snprintf(p->call->org, sizeof p->call->org, "%s",
             json_string_value(json_object_get(p->who, "ods")));
    p->org = p->call->org;
    p->person = json_string_value(json_object_get(p->who, "email"));
    p->role = json_string_value(json_object_get(p->who, "role"));
}

void web_end_session(html_page *p)
{
    const char *secret = hub_lookup(p->call, MHD_COOKIE_KIND, WEB_COOKIE);
    fg_error e;
    if (secret && *secret && cat_session_end(p->call->cat, secret, &e) != FG_OK)
        fg_log(FG_LOG_WARN, "hub: ending a session: %s", e.msg);
    p->org = p->person = p->role = NULL;
    p->call->org[0] = '\0';
    p->clear_cookie = true;
}

bool web_may_approve(const html_page *p)
{
    return p->role && strcmp(p->role, "requester") != 0;
}

/* ---- sign in and out --------------------------------------------------- */

void page_login(html_page *p, unsigned status, const char *next, const char *problem,
                const char *email)
{
    page_begin(p, "Sign in");
    if (problem)
        page_error_summary(&p->b, HTML("email"), problem);
    html_raw(&p->b, "<h1>Sign in</h1>");
    if (!problem && hub_arg(p->call, "done") && strcmp(hub_arg(p->call, "done"), "password") == 0)
        html_raw(&p->b, "<p class=\"notice nhsuk-inset-text\">Your password is set. Sign in "
                        "with your email address and your new password.</p>");
    if (p->person) {
        html_raw(&p->b, "<p class=\"notice nhsuk-inset-text\">You are signed in as <strong>");
        html_text(&p->b, p->person);
        html_raw(&p->b, "</strong>. Sign in again to change account.</p>");
    }
    html_raw(&p->b, "<p>Sign in with your own account to request services for your trust "
                    "and follow its requests. Your trust's administrator or the hub's "
                    "operator gives you an account and a link to set your password.</p>"
                    "<form class=\"login\" method=\"post\" action=\"/login\" novalidate>");
    web_csrf_field(p);
    html_raw(&p->b, "<input type=\"hidden\" name=\"next\" value=\"");
    html_text(&p->b, web_safe_next(next));
    html_raw(&p->b, "\"><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"email\">Email address</label><input class=\"nhsuk-input\" "
                    "type=\"email\" id=\"email\" name=\"email\" autocomplete=\"username\" "
                    "spellcheck=\"false\" maxlength=\"254\" value=\"");
    html_text(&p->b, email ? email : "");
    html_raw(&p->b, "\"></div><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"password\">Password</label><input class=\"nhsuk-input\" "
                    "type=\"password\" id=\"password\" name=\"password\" "
                    "autocomplete=\"current-password\" maxlength=\"128\"></div>"
                    "<button class=\"nhsuk-button\" type=\"submit\">Sign in</button></form>");
    page_end(p, status);
}

void page_login_post(html_page *p, const html_form *form)
{
    const char *email = form_get(form, "email"), *password = form_get(form, "password");
    const char *next = web_safe_next(form_get(form, "next"));
    char secret[CAT_TOKEN_SIZE];
    json_t *who = NULL;
    fg_error e;
    fg_status st;

    if (!email || !*email || !password || !*password) {
        page_login(p, 400, next, "Enter your email address and password.", email);
        return;
    }
    if (address_limited(p->call->srv->signin, p->call->client, false)) {
        page_login(p, 429, next,
                   "There have been too many failed sign-ins from your network. Try again "
                   "in 15 minutes.",
                   email);
        return;
    }
    st = cat_person_sign_in(p->call->cat, email, password, &who, &e);
    /* Signing in again replaces the browser's session; sessions that
       ended unvisited go as others start. */
    if (st == FG_OK && hub_lookup(p->call, MHD_COOKIE_KIND, WEB_COOKIE))
        st = cat_session_end(p->call->cat, hub_lookup(p->call, MHD_COOKIE_KIND, WEB_COOKIE),
                             &e);
    if (st == FG_OK)
        st = cat_session_purge(p->call->cat, p->call->cfg->session_idle, &e);
    if (st == FG_OK)
        st = cat_session_create(p->call->cat, json_string_value(json_object_get(who, "email")),
                                p->call->cfg->session_max, secret, &e);
    if (st == FG_OK) {
        snprintf(p->call->org, sizeof p->call->org, "%s",
                 json_string_value(json_object_get(who, "ods")));
        fg_log(FG_LOG_INFO, "hub: %s of %s signed in",
               json_string_value(json_object_get(who, "email")),
               json_string_value(json_object_get(who, "ods")));
        json_decref(who);
        p->set_session = secret;
        p->clear_cookie = false;
        page_redirect(p, next);
        p->set_session = NULL; /* secret ends here; the header holds a copy */
        return;
    }
    json_decref(who);
    if (st == FG_EPERM || st == FG_EREFUSED)
        address_limited(p->call->srv->signin, p->call->client, true);
    if (st == FG_EPERM)
        page_login(p, 401, next, "The email address or password is not right.", email);
    else if (st == FG_EREFUSED)
        page_login(p, 429, next, e.msg, email);
    else {
        fg_log(FG_LOG_ERROR, "hub: signing in: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service",
                     "Try again later.");
    }
}
