#!/usr/bin/env python3
"""People's accounts in the browser catalogue, on a default hub.

The one-time password link: an incomplete link, a password the rules
refuse, two passwords that differ each get the form again with one
message; a used link and a link replaced by a newer one are refused (410).
Roles: a requester of the provider trust sees no accept button and a
forged accept is refused (403) and recorded nowhere; an approver of
another trust cannot see the request; a person of the requesting trust
may cancel it; a change of role applies to a session at once.  The hub
mails (to an SMTP sink on loopback) the provider's approver when the
request arrives and the requester when it is accepted, with a link to
the request's page.  Sessions:
removing a person ends their sessions at once; a session unused for
--session-idle, or older than --session-max however used, is over.
Failed sign-ins lock an account after five (the right password is then
refused too), and twenty failures from one address refuse every sign-in
from it for a while (429).
"""

import datetime
import os
import sys
import time

import htmltest
from htmltest import Hub, Client, expect

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from smtpsink import SmtpSink  # noqa: E402

OFFERING = "RTF/integrated-care-community-nursing"


def signed_in(client):
    return client.get("/requests").status == 200


def check_password_link(hub):
    hub.box.ok(["user", "add", "pat@example.nhs.uk", "--org", "RXX", "--role", "requester"])
    client = Client(hub)
    res = client.get("/account/password")
    expect(res.status == 400 and res.tree.find("input", name="password") is None,
           "a link without its secret has no form\n" + res.describe())
    old = hub.reset_link("pat@example.nhs.uk")
    path = hub.reset_link("pat@example.nhs.uk")
    secret = path.rsplit("=", 1)[1]
    for fields, message in [({"password": "", "confirm": ""}, "Enter a new password"),
                            ({"password": "Password1234", "confirm": "Password1234"},
                             "common"),
                            ({"password": "short", "confirm": "short"}, "12"),
                            ({"password": "plain lantern harbour",
                              "confirm": "plain lantern harbor"}, "not the same")]:
        res = client.post("/account/password", dict(fields, secret=secret))
        errors = res.errors()
        expect(res.status == 400 and len(errors) == 1 and message in errors[0],
               "%r: the form again with one message (%s): %r\n%s"
               % (fields, message, errors, res.describe()))
    good = {"password": "plain lantern harbour", "confirm": "plain lantern harbour"}
    res = client.post("/account/password", dict(good, secret=old.rsplit("=", 1)[1]))
    expect(res.status == 410 and res.tree.find("input", name="password") is None,
           "a replaced link is refused\n" + res.describe())
    res = client.post("/account/password", dict(good, secret=secret))
    expect(res.status == 303, "the newer link sets the password\n" + res.describe())
    page = client.get(res.header("Location"))
    expect("Your password is set" in page.body, "the sign-in page says so")
    res = client.post("/account/password", dict(good, secret=secret))
    expect(res.status == 410, "a used link is refused\n" + res.describe())
    hub.tokens += [secret, old.rsplit("=", 1)[1]]
    client.login("pat@example.nhs.uk", "plain lantern harbour")


def moves(res):
    return sorted(f.attrs.get("action").rsplit("/", 1)[1]
                  for f in res.tree.find_all("form", cls="move"))


def mail_to(sink, count, rid):
    """The sink's messages about request `rid`, once `count` have come."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = [m for m in sink.taken() if rid in m.body]
        if len(got) >= count:
            return got
        time.sleep(0.1)
    return [m for m in sink.taken() if rid in m.body]


def check_roles(hub, box, sink):
    ann, raj, rita, gus = Client(hub), Client(hub), Client(hub), Client(hub)
    ann.login(*hub.person("RXX", "requester", "ann@example.nhs.uk"))
    raj.login(*hub.person("RTF", "approver", "raj@example.nhs.uk"))
    rita.login(*hub.person("RTF", "requester", "rita@example.nhs.uk"))
    gus.login(*hub.person("RJ1", "approver", "gus@example.nhs.uk"))
    start = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    res = ann.post("/offerings/%s/request" % OFFERING,
                   {"quantity": "10", "start": start, "contact": "ann@example.nhs.uk"})
    expect(res.status == 303, "ann requests\n" + res.describe())
    rid = res.header("Location").split("/")[2].split("?")[0]
    mails = mail_to(sink, 1, rid)
    expect([m.rcpts for m in mails] == [["raj@example.nhs.uk"]],
           "the provider's approver, not its requester, hears of the request: %r" % mails)

    page = rita.get("/requests/" + rid)
    expect(page.status == 200 and moves(page) == [] and
           "Only an approver or an administrator" in page.body,
           "a requester of the provider sees no accept button, and why\n" + page.describe())
    res = rita.post("/requests/%s/accept" % rid, {})
    expect(res.status == 403 and "rita@example.nhs.uk is a requester at RTF" in res.body,
           "a forged accept by a requester is refused\n" + res.describe())
    res = gus.get("/requests/" + rid)
    expect(res.status == 404, "an approver of another trust cannot see it\n" + res.describe())
    res = gus.post("/requests/%s/accept" % rid, {})
    expect(res.status in (403, 404), "nor accept it\n" + res.describe())
    got = box.ok(["request", "show", rid, "--json"]).json()
    expect(got["status"] == "submitted" and len(got["history"]) == 1,
           "no refused move was recorded: %r" % got)

    # A change of role applies to the session at once.
    box.ok(["user", "role", "rita@example.nhs.uk", "approver"])
    expect(moves(rita.get("/requests/" + rid)) == ["accept", "decline"],
           "rita, now an approver, may accept")
    box.ok(["user", "role", "rita@example.nhs.uk", "requester"])
    res = raj.post("/requests/%s/accept" % rid, {})
    expect(res.status == 303, "raj, an approver, accepts\n" + res.describe())
    mails = mail_to(sink, 2, rid)
    accepted = [m for m in mails if m.rcpts == ["ann@example.nhs.uk"]]
    expect(len(mails) == 2 and len(accepted) == 1 and
           "%s/requests/%s" % (hub.origin, rid) in accepted[0].body and
           "raj@example.nhs.uk" in accepted[0].body and
           "accepted" in accepted[0].headers.get("subject", "").lower(),
           "the requester hears it was accepted, by whom, with the link: %r %s"
           % (mails, accepted[0].body if accepted else ""))
    res = ann.post("/requests/%s/cancel" % rid, {"reason": "budget moved"})
    expect(res.status == 303, "a person of the requesting trust cancels\n" + res.describe())
    got = box.ok(["request", "show", rid, "--json"]).json()
    expect([(h["status"], h["by"], h.get("person")) for h in got["history"]] ==
           [("submitted", "RXX", "ann@example.nhs.uk"), ("accepted", "RTF", "raj@example.nhs.uk"),
            ("cancelled", "RXX", "ann@example.nhs.uk")],
           "the history names each person: %r" % got["history"])

    # Removing a person ends their sessions at once.
    box.ok(["user", "remove", "gus@example.nhs.uk"])
    expect(not signed_in(gus), "a removed person is signed out at once")


def check_lockout_and_rate_limit(hub):
    email, password = hub.person("RBV", "requester")
    client = Client(hub)
    for _ in range(5):
        res = client.post("/login", {"email": email, "password": "wrong " + password})
        expect(res.status == 401, "a wrong password\n" + res.describe())
    res = client.post("/login", {"email": email, "password": password})
    expect(res.status == 429 and "locked" in " ".join(res.errors()) and
           "fgcat_session=fgs" not in str(res.headers.get("set-cookie")),
           "after five failures even the right password is refused\n" + res.describe())
    other_email, other_password = hub.person("RYJ", "requester")
    # 6 failures so far from this address; 14 more reach the limit of 20.
    for i in range(14):
        res = client.post("/login", {"email": "nobody%d@example.nhs.uk" % i,
                                     "password": "not a password at all"})
        expect(res.status == 401, "failure %d\n%s" % (i, res.describe()))
    res = client.post("/login", {"email": other_email, "password": other_password})
    expect(res.status == 429 and "too many failed sign-ins from your network"
           in " ".join(res.errors()),
           "twenty failures from one address refuse its sign-ins\n" + res.describe())


def check_expiry(box):
    with Hub(box, extra_args=["--session-idle", "2s"]) as hub:
        client = Client(hub)
        client.login(*hub.person("RXX", "requester", "idle@example.nhs.uk"))
        expect(signed_in(client), "signed in")
        time.sleep(3.2)
        expect(not signed_in(client), "a session unused for --session-idle is over")
    with Hub(box, extra_args=["--session-idle", "1h", "--session-max", "3s"]) as hub:
        client = Client(hub)
        client.login(*hub.person("RXX", "requester", "max@example.nhs.uk"))
        for _ in range(2):
            expect(signed_in(client), "in use, within --session-max")
            time.sleep(1)
        time.sleep(1.5)
        expect(not signed_in(client), "a session older than --session-max is over")


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-accounts") as box:
        box.seed()
        sink = SmtpSink().start()
        try:
            with Hub(box, extra_args=["--smtp", sink.url, "--mail-from", "hub@example.nhs.uk",
                                      "--smtp-insecure-plain", "--smtp-retry-min", "1s"]) as hub:
                check_password_link(hub)
                check_roles(hub, box, sink)
                check_lockout_and_rate_limit(hub)
        finally:
            sink.stop()
        check_expiry(box)


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
