/*
 * The people of a trust, managed in the browser by the trust's admins:
 * GET /people lists them; POST /people/add, /people/role, /people/remove
 * and /people/reset change them.  An admin acts on their own trust only:
 * a person is added to the admin's trust whatever the form says (a form
 * naming another trust is refused), and a person of another trust cannot
 * be changed.  An admin does not change or remove their own account (so
 * that a trust cannot lose its last admin by a slip); another admin or the
 * hub's operator does.  A new person, or one who forgot their password,
 * gets a one-time link shown once on the page, to be passed on privately.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "util.h"
#include "web.h"

#define LINK_LIFETIME ((int64_t)24 * 3600)

static const char *const roles[] = {"requester", "approver", "admin"};

/* The roles as options of a select, `current` selected. */
static void role_options(html_buf *b, const char *current)
{
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
        html_raw(b, "<option value=\"");
        html_text(b, roles[i]);
        html_put(b, current && strcmp(current, roles[i]) == 0 ? HTML("\" selected>")
                                                               : HTML("\">"));
        html_text(b, roles[i]);
        html_raw(b, "</option>");
    }
}

/* A one-button form posting `email` to /people/ACTION. */
static void person_button(html_page *p, html_lit action, const char *email, html_lit label,
                          html_lit cls)
{
    html_raw(&p->b, "<form class=\"person-move\" method=\"post\" action=\"/people/");
    html_put(&p->b, action);
    html_raw(&p->b, "\">");
    web_csrf_field(p);
    html_raw(&p->b, "<input type=\"hidden\" name=\"email\" value=\"");
    html_text(&p->b, email);
    html_raw(&p->b, "\"><button class=\"nhsuk-button nhsuk-button--small ");
    html_put(&p->b, cls);
    html_raw(&p->b, "\" type=\"submit\">");
    html_put(&p->b, label);
    html_raw(&p->b, "</button></form>");
}

/* The address of this hub's pages, for a link: the hub-url setting, else
   what the browser called it. */
static void hub_address(html_page *p, char *out, size_t size)
{
    char *url = NULL;
    fg_error e;
    const char *host = hub_lookup(p->call, MHD_HEADER_KIND, "Host");
    if (cat_meta_get(p->call->cat, CAT_SETTING_HUB_URL, &url, &e) == FG_OK && url) {
        snprintf(out, size, "%s", url);
        free(url);
        return;
    }
    snprintf(out, size, "%s%s", p->call->cfg->tls_cert ? "https://" : "http://",
             host ? host : "localhost");
}

/* The whole page: `problem` (may be NULL) in an error summary; `link`
   (may be NULL) the one-time link just made for `whom`. */
static void people_page(html_page *p, unsigned status, const char *problem, const char *typed,
                        const char *whom, const char *link)
{
    html_buf *b = &p->b;
    json_t *list = NULL, *person;
    fg_error e;
    size_t i;

    if (cat_person_list(p->call->cat, p->org, &list, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: listing people: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service", "Try again later.");
        return;
    }
    page_begin(p, "People");
    if (problem)
        page_error_summary(b, HTML("email"), problem);
    html_raw(b, "<h1>People of ");
    html_text(b, p->org);
    html_raw(b, "</h1>");
    if (link) {
        html_raw(b, "<div class=\"nhsuk-inset-text link-made\"><p>Give this link to <strong>");
        html_text(b, whom);
        html_raw(b, "</strong> privately. It sets their password, works once and expires in "
                    "24 hours:</p><p class=\"fgcat-wrap\"><code>");
        html_text(b, link);
        html_raw(b, "</code></p></div>");
    }
    html_raw(b, "<table class=\"nhsuk-table-responsive people\"><caption "
                "class=\"nhsuk-table__caption\">Accounts</caption><thead "
                "class=\"nhsuk-table__head\"><tr><th scope=\"col\">Email</th><th "
                "scope=\"col\">Role</th><th scope=\"col\">Password</th><th "
                "scope=\"col\">Change</th></tr></thead><tbody class=\"nhsuk-table__body\">");
    json_array_foreach(list, i, person) {
        const char *email = json_string_value(json_object_get(person, "email"));
        const char *role = json_string_value(json_object_get(person, "role"));
        const char *locked = json_string_value(json_object_get(person, "locked_until"));
        bool self = strcasecmp(email, p->person) == 0;
        html_raw(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell "
                    "fgcat-wrap\"><span class=\"nhsuk-table-responsive__heading\">Email "
                    "</span>");
        html_text(b, email);
        html_raw(b, "</td><td class=\"nhsuk-table__cell\"><span "
                    "class=\"nhsuk-table-responsive__heading\">Role </span>");
        html_text(b, role);
        html_raw(b, "</td><td class=\"nhsuk-table__cell\"><span "
                    "class=\"nhsuk-table-responsive__heading\">Password </span>");
        if (locked) {
            html_raw(b, "locked until ");
            html_text(b, locked);
        } else {
            html_put(b, json_is_true(json_object_get(person, "password_set"))
                            ? HTML("set")
                            : HTML("not set yet"));
        }
        html_raw(b, "</td><td class=\"nhsuk-table__cell fgcat-wrap\"><span "
                    "class=\"nhsuk-table-responsive__heading\">Change </span>");
        if (self) {
            html_raw(b, "This is you");
        } else {
            html_raw(b, "<form class=\"person-move\" method=\"post\" action=\"/people/role\">");
            web_csrf_field(p);
            html_raw(b, "<input type=\"hidden\" name=\"email\" value=\"");
            html_text(b, email);
            html_raw(b, "\"><label class=\"nhsuk-label\" for=\"role-");
            html_int(b, (long long)i);
            html_raw(b, "\">Role of ");
            html_text(b, email);
            html_raw(b, "</label><select class=\"nhsuk-select\" name=\"role\" id=\"role-");
            html_int(b, (long long)i);
            html_raw(b, "\">");
            role_options(b, role);
            html_raw(b, "</select> <button class=\"nhsuk-button nhsuk-button--small "
                        "nhsuk-button--secondary\" type=\"submit\">Change role</button></form>");
            person_button(p, HTML("reset"), email, HTML("New password link"),
                          HTML("nhsuk-button--secondary"));
            person_button(p, HTML("remove"), email, HTML("Remove"),
                          HTML("nhsuk-button--warning"));
        }
        html_raw(b, "</td></tr>");
    }
    html_raw(b, "</tbody></table><h2 id=\"add-heading\">Add a person</h2>"
                "<form method=\"post\" action=\"/people/add\" novalidate>");
    web_csrf_field(p);
    html_raw(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"email\">"
                "Email address</label><input class=\"nhsuk-input\" type=\"email\" "
                "id=\"email\" name=\"email\" spellcheck=\"false\" maxlength=\"254\" value=\"");
    html_text(b, typed ? typed : "");
    html_raw(b, "\"></div><div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" "
                "for=\"role\">Role</label><div class=\"nhsuk-hint\" id=\"role-hint\">A "
                "requester finds services and requests them; an approver also accepts, "
                "declines and completes requests made to your trust; an admin also manages "
                "its people.</div><select class=\"nhsuk-select\" id=\"role\" name=\"role\" "
                "aria-describedby=\"role-hint\">");
    role_options(b, "requester");
    html_raw(b, "</select></div><button class=\"nhsuk-button\" type=\"submit\">Add person"
                "</button></form>");
    json_decref(list);
    page_end(p, status);
}

void page_people(html_page *p)
{
    people_page(p, 200, NULL, NULL, NULL, NULL);
}

/* The person `email` when they are of the admin's trust; else a refusal
   page (and false). */
static bool own_person(html_page *p, const char *email)
{
    json_t *person = NULL;
    fg_error e;
    bool own;
    if (!email || cat_person_get(p->call->cat, email, &person, &e) != FG_OK) {
        people_page(p, 404, "There is no such person.", NULL, NULL, NULL);
        return false;
    }
    own = strcmp(json_string_value(json_object_get(person, "ods")), p->org) == 0;
    json_decref(person);
    if (!own)
        people_page(p, 403, "That person is not of your trust: you manage your own trust's "
                            "people only.",
                    NULL, NULL, NULL);
    else if (strcasecmp(email, p->person) == 0)
        people_page(p, 403, "You cannot change your own account here; ask another admin of "
                            "your trust or the hub's operator.",
                    NULL, NULL, NULL);
    return own && strcasecmp(email, p->person) != 0;
}

/* Makes a one-time link for `email` and shows it on the page. */
static void show_link(html_page *p, const char *email, unsigned status)
{
    char secret[CAT_TOKEN_SIZE], base[256], link[600];
    fg_error e;
    if (cat_person_reset(p->call->cat, email, LINK_LIFETIME, secret, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: making a password link: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service", "Try again later.");
        return;
    }
    hub_address(p, base, sizeof base);
    snprintf(link, sizeof link, "%s/account/password?secret=%s", base, secret);
    people_page(p, status, NULL, NULL, email, link);
}

void page_people_post(html_page *p, const char *action, const html_form *form)
{
    const char *email = form_get(form, "email"), *role_name = form_get(form, "role");
    const char *org = form_get(form, "org");
    cat_role role = CAT_ROLE_REQUESTER;
    fg_error e;

    if (strcmp(action, "add") == 0) {
        if (org && strcmp(org, p->org) != 0) {
            people_page(p, 403, "You can add people to your own trust only.", email, NULL,
                        NULL);
            return;
        }
        if (!role_name || !cat_role_parse(role_name, &role)) {
            people_page(p, 400, "Choose a role.", email, NULL, NULL);
            return;
        }
        if (cat_person_add(p->call->cat, email ? email : "", p->org, role, &e) != FG_OK) {
            people_page(p, e.status == FG_EINVAL || e.status == FG_ECONFLICT ? 400 : 500,
                        e.status == FG_EINVAL      ? "Enter an email address, like "
                                                     "name@nhs.net."
                        : e.status == FG_ECONFLICT ? "That address already has an account."
                                                   : "The hub could not add the person.",
                        email, NULL, NULL);
            return;
        }
        fg_log(FG_LOG_INFO, "hub: %s added %s to %s as %s", p->person, email, p->org,
               cat_role_name(role));
        show_link(p, email, 200);
        return;
    }
    if (!own_person(p, email))
        return;
    if (strcmp(action, "reset") == 0) {
        show_link(p, email, 200);
        return;
    }
    if (strcmp(action, "role") == 0) {
        if (!role_name || !cat_role_parse(role_name, &role)) {
            people_page(p, 400, "Choose a role.", NULL, NULL, NULL);
            return;
        }
        if (cat_person_set_role(p->call->cat, email, role, &e) != FG_OK) {
            fg_log(FG_LOG_ERROR, "hub: changing a role: %s", e.msg);
            page_message(p, 500, "Sorry, there is a problem with the service",
                         "Try again later.");
            return;
        }
    } else if (cat_person_remove(p->call->cat, email, &e) != FG_OK) {
        fg_log(FG_LOG_ERROR, "hub: removing a person: %s", e.msg);
        page_message(p, 500, "Sorry, there is a problem with the service", "Try again later.");
        return;
    }
    fg_log(FG_LOG_INFO, "hub: %s: %s %s", p->person, action, email);
    page_redirect(p, "/people");
}
