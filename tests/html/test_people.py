#!/usr/bin/env python3
"""An admin manages their trust's people in the browser, on a default hub.

/people lists the admin's own trust's people only (never another trust's,
never a secret); adding a person shows a one-time link once, with which
the new person sets a password and signs in; an admin changes a role,
makes a new link and removes a person (whose sessions end at once).
Refused, each with its page and nothing changed: a form adding someone
to another trust, changing or removing a person of another trust, an
admin changing their own account, an address already taken or malformed;
an approver or a requester cannot open /people or post to it; a visitor
is sent to sign in.
"""

import htmltest
from htmltest import Hub, Client, expect


def people(box):
    return {p["email"]: (p["ods"], p["role"]) for p in box.ok(["user", "list", "--json"]).json()}


def listed(res):
    table = res.tree.find("table", cls="people")
    return [htmltest.cell_text(tr.find("td")).replace("Email", "", 1).strip()
            for tr in table.find("tbody").find_all("tr")]


def link_on(res):
    box = res.tree.find("div", cls="link-made")
    expect(box is not None, "the page shows a one-time link\n" + res.describe())
    return box.find("code").text().strip()


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-people") as box:
        box.seed()
        with Hub(box) as hub:
            admin, approver, visitor = Client(hub), Client(hub), Client(hub)
            admin.login(*hub.person("RXX", "admin", "ada@example.nhs.uk"))
            approver.login(*hub.person("RXX", "approver", "abe@example.nhs.uk"))
            other = Client(hub)
            other.login(*hub.person("RTF", "approver", "tom@example.nhs.uk"))

            res = admin.get("/")
            expect(res.tree.find("a", href="/people") is not None, "admins see 'People'")
            expect(approver.get("/").tree.find("a", href="/people") is None,
                   "an approver does not")
            res = admin.get("/people")
            expect(res.status == 200 and sorted(listed(res)) ==
                   ["abe@example.nhs.uk", "ada@example.nhs.uk"],
                   "the admin's own trust's people only: %r" % listed(res))

            # Add a person: the link is shown once and works.
            res = admin.post("/people/add", {"email": "amy@example.nhs.uk", "role": "requester"})
            expect(res.status == 200, "a person is added\n" + res.describe())
            link = link_on(res)
            expect(link.startswith(hub.origin + "/account/password?secret=fgr_"),
                   "a link to this hub: %r" % link)
            expect(people(box)["amy@example.nhs.uk"] == ("RXX", "requester"),
                   "added to the admin's trust")
            amy = Client(hub)
            secret = link.rsplit("=", 1)[1]
            res = amy.post("/account/password", {"secret": secret,
                                                 "password": "velvet morning tide",
                                                 "confirm": "velvet morning tide"})
            expect(res.status == 303, "the new person sets a password\n" + res.describe())
            hub.tokens.append(secret)
            amy.login("amy@example.nhs.uk", "velvet morning tide")
            expect(amy.get("/people").status == 403, "a requester cannot open /people")
            res = admin.get("/people")
            expect(secret not in res.body, "the link is shown once")

            # Change a role, a new link, remove.
            res = admin.post("/people/role", {"email": "amy@example.nhs.uk", "role": "approver"})
            expect(res.status == 303 and people(box)["amy@example.nhs.uk"][1] == "approver",
                   "the role is changed\n" + res.describe())
            res = admin.post("/people/reset", {"email": "amy@example.nhs.uk"})
            hub.tokens.append(link_on(res).rsplit("=", 1)[1])
            res = admin.post("/people/remove", {"email": "amy@example.nhs.uk"})
            expect(res.status == 303 and "amy@example.nhs.uk" not in people(box),
                   "the person is removed\n" + res.describe())
            expect(amy.get("/requests").status == 303, "and signed out at once")

            # Refused, nothing changed.
            before = people(box)
            for client, path, fields, status, message in [
                    (admin, "/people/add", {"email": "eve@example.nhs.uk", "role": "admin",
                                            "org": "RTF"}, 403, "your own trust only"),
                    (admin, "/people/role", {"email": "tom@example.nhs.uk", "role": "requester"},
                     403, "not of your trust"),
                    (admin, "/people/remove", {"email": "tom@example.nhs.uk"}, 403,
                     "not of your trust"),
                    (admin, "/people/reset", {"email": "tom@example.nhs.uk"}, 403,
                     "not of your trust"),
                    (admin, "/people/role", {"email": "ada@example.nhs.uk", "role": "requester"},
                     403, "your own account"),
                    (admin, "/people/remove", {"email": "ada@example.nhs.uk"}, 403,
                     "your own account"),
                    (admin, "/people/add", {"email": "abe@example.nhs.uk", "role": "admin"},
                     400, "already has an account"),
                    (admin, "/people/add", {"email": "not-an-address", "role": "admin"}, 400,
                     "Enter an email address"),
                    (admin, "/people/add", {"email": "eve@example.nhs.uk", "role": "boss"}, 400,
                     "Choose a role"),
                    (admin, "/people/remove", {"email": "nobody@example.nhs.uk"}, 404,
                     "no such person")]:
                res = client.post(path, fields)
                errors = res.errors()
                expect(res.status == status and len(errors) == 1 and message in errors[0],
                       "%s %r: %d, %r\n%s" % (path, fields, status, message, res.describe()))
            for client, path in [(approver, "/people/add"), (other, "/people/remove")]:
                res = client.post(path, {"email": "tom@example.nhs.uk", "role": "admin"})
                expect(res.status == 403, "a non-admin is refused\n" + res.describe())
            res = visitor.get("/people")
            expect(res.status == 303 and res.header("Location") == "/login?next=/people",
                   "a visitor is sent to sign in")
            expect(people(box) == before, "nothing changed: %r" % people(box))


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
