/*
 * Setting a password through a one-time link: GET /account/password
 * ?secret=S shows the form, POST /account/password sets the password
 * (people.c checks the rules and uses the link up) and goes to the
 * sign-in page.  The secret travels in the link's query, which the hub
 * never logs, and in a hidden field of the form.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "web.h"

/* The error summary and the form, with `problem` (may be NULL) linked to
   `field`. */
static void password_page(html_page *p, unsigned status, const char *secret,
                          const char *problem, html_lit field)
{
    page_begin(p, "Set your password");
    if (problem)
        page_error_summary(&p->b, field, problem);
    html_raw(&p->b, "<h1>Set your password</h1><p>Choose a password of at least 12 "
                    "characters that you do not use anywhere else. A few ordinary words "
                    "together make a good one. Easily guessed passwords, such as "
                    "<code>Password123</code>, and your own email address are refused.</p>"
                    "<form method=\"post\" action=\"/account/password\" novalidate>");
    web_csrf_field(p);
    html_raw(&p->b, "<input type=\"hidden\" name=\"secret\" value=\"");
    html_text(&p->b, secret);
    html_raw(&p->b, "\"><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"password\">New password</label><input class=\"nhsuk-input\" "
                    "type=\"password\" id=\"password\" name=\"password\" "
                    "autocomplete=\"new-password\" maxlength=\"128\"></div>"
                    "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                    "for=\"confirm\">Confirm the new password</label><input "
                    "class=\"nhsuk-input\" type=\"password\" id=\"confirm\" name=\"confirm\" "
                    "autocomplete=\"new-password\" maxlength=\"128\"></div>"
                    "<button class=\"nhsuk-button\" type=\"submit\">Set password</button>"
                    "</form>");
    page_end(p, status);
}

/* A link that is no longer good: no form, what to do instead. */
static void dead_link(html_page *p, unsigned status, const char *why)
{
    page_message(p, status, "This link cannot be used", why);
}

void page_password(html_page *p)
{
    const char *secret = hub_arg(p->call, "secret");
    if (!secret || !*secret) {
        dead_link(p, 400, "The link is incomplete. Copy the whole link from the message "
                          "you were sent, or ask your trust's administrator for a new one.");
        return;
    }
    password_page(p, 200, secret, NULL, HTML("password"));
}

void page_password_post(html_page *p, const html_form *form)
{
    const char *secret = form_get(form, "secret");
    const char *password = form_get(form, "password"), *confirm = form_get(form, "confirm");
    char email[CAT_EMAIL_MAX + 1];
    fg_error e;

    if (!secret || !*secret) {
        dead_link(p, 400, "The form has no link in it. Open the link you were sent again.");
        return;
    }
    if (!password || !*password) {
        password_page(p, 400, secret, "Enter a new password", HTML("password"));
        return;
    }
    if (!confirm || strcmp(password, confirm) != 0) {
        password_page(p, 400, secret, "The two passwords are not the same", HTML("confirm"));
        return;
    }
    switch (cat_person_set_password(p->call->cat, secret, password, email, &e)) {
    case FG_OK:
        fg_log(FG_LOG_INFO, "hub: %s set a password", email);
        page_redirect(p, "/login?done=password");
        break;
    case FG_EINVAL:
        password_page(p, 400, secret, e.msg, HTML("password"));
        break;
    case FG_EPERM:
        dead_link(p, 410, e.msg);
        break;
    default:
        fg_log(FG_LOG_ERROR, "hub: setting a password: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service", "Try again later.");
    }
}
