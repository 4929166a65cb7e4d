#!/usr/bin/env python3
"""The pages the journey does not pass through, checked in a real browser.

A real hub with the built-in catalogue and default settings.  Each page is
checked by Browser.check() (the NHS.UK stylesheet, the skip link, axe-core
WCAG 2.2 AA with no violation at 1280 and 390 px, no sideways scroll at
390 px, screenshots): the signed-out pages (sign-in, sign-in with a wrong
password, the page that sets a password from a one-time link, with a
problem too, an offering and a withdrawn one), an admin's people page,
page 2 of the search and of the
requests list, the price estimate with a price and with a problem, a
request refused with every problem in its error summary, a decline
without a reason, a move the life cycle no longer allows, and the 404
pages (an unknown address, an unknown offering, an unknown request).
"""

import datetime
import os
import time

import browsertest
from browsertest import Browser, expect
from htmltest import Hub

OFFERING = "RTF/integrated-care-community-nursing"
WITHDRAWN = "RTF/wound-care-pilot"
HERE = os.path.dirname(os.path.abspath(__file__))


def day(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def sign_in(b, person, next_path):
    b.get("/login?next=" + next_path)
    b.find("#email").send_keys(person[0])
    b.find("#password").send_keys(person[1])
    b.find("form.login button").click()


def errors(b):
    """The error summary's messages, once the page that has them is in."""
    for _ in range(200):
        found = b.find_all(".nhsuk-error-summary a")
        if found:
            return [a.text for a in found]
        time.sleep(0.1)
    return []


def signed_out(b, hub):
    b.get("/login")
    b.check("sign-in-page")
    b.find("#email").send_keys("nobody@example.nhs.uk")
    b.find("#password").send_keys("not the password")
    b.find("form.login button").click()
    expect(errors(b), "a wrong password is a problem in the error summary")
    b.check("sign-in-wrong-password")
    hub.box.ok(["user", "add", "new.starter@example.nhs.uk", "--org", "RXX", "--role",
                "requester"])
    b.get(hub.reset_link("new.starter@example.nhs.uk"))
    b.check("set-password")
    b.find("#password").send_keys("plain lantern harbour")
    b.find("#confirm").send_keys("plain lantern harbor")
    b.find("form button[type=submit]").click()
    expect(errors(b) == ["The two passwords are not the same"],
           "two different passwords are a problem in the error summary")
    b.check("set-password-problem")
    b.get("/offerings/" + WITHDRAWN)
    expect("Withdrawn on" in b.text(), "the withdrawn offering says so")
    b.check("offering-withdrawn")
    b.get("/?q=care&limit=5&offset=5")
    expect(b.find_all("a[rel=prev]") and b.find_all("ol.results li"), "page 2 of a search")
    b.check("search-page-2")
    for path, name in [("/no/such/page", "not-found-address"),
                       ("/offerings/RTF/no-such-offering", "not-found-offering")]:
        b.get(path)
        b.check(name)


def signed_in_member(b, rxx, rid):
    sign_in(b, rxx, "/offerings/" + OFFERING)
    b.get("/offerings/%s?quantity=12" % OFFERING)
    expect(b.text("strong.estimate") == "£22,200.00", "the estimate for 12 delegates")
    b.check("estimate-price")
    b.get("/offerings/%s?quantity=4&start=%s" % (OFFERING, day(90)))
    expect("minimum of 8" in b.text(".estimate-problem"), "the estimate says why not")
    b.check("estimate-problem")
    # Every problem at once: a cohort too small, a start too soon, no contact.
    b.get("/offerings/" + OFFERING)
    b.find("#quantity").send_keys("3")
    b.driver.execute_script("document.getElementById('start').value = arguments[0];", day(5))
    b.find("form.request button").click()
    found = errors(b)
    expect(len(found) == 3, "three problems in the error summary: %r" % found)
    b.check("request-refused")
    b.get("/requests?page=2")
    expect(b.find_all("a[rel=prev]"), "page 2 of the requests list")
    b.check("requests-page-2")
    b.get("/requests/00000000-0000-4000-8000-000000000000")
    b.check("not-found-request")
    b.get("/requests/" + rid)
    b.check("request-member")


def signed_in_provider(b, rtf, rid, moved):
    sign_in(b, rtf, "/requests/" + rid)
    b.find("form[action$='/decline'] button").click()
    expect(errors(b) == ["Enter a reason for declining the request"],
           "declining needs a reason: %r" % errors(b))
    b.check("decline-without-reason")
    # A move the life cycle no longer allows (cancelled in another window).
    b.get("/requests/" + moved)
    b.find("form[action$='/accept'] button")
    return b


def scenario(opts):
    with browsertest.clitest.Sandbox(opts, "fgcat-browser-pages") as box:
        box.seed()
        box.ok(["import", os.path.join(HERE, "..", "cli", "data", "withdrawn.json")])
        # 21 requests: the list has a second page.
        for _ in range(21):
            box.ok(["request", "create", OFFERING, "--org", "RXX", "--quantity", "12"])
        ids = [r["id"] for r in box.ok(["request", "list", "--json"]).json()]
        with Hub(box) as hub:
            rxx, rtf = hub.person("RXX", "admin"), hub.person("RTF")
            with Browser(hub, opts.shots) as b:
                signed_out(b, hub)
            with Browser(hub, opts.shots) as b:
                signed_in_member(b, rxx, ids[0])
                b.get("/people")
                expect("People of RXX" in b.text("h1"), "an admin's people page")
                b.check("people")
            with Browser(hub, opts.shots) as b:
                signed_in_provider(b, rtf, ids[0], ids[1])
                box.ok(["request", "cancel", ids[1], "--org", "RXX"])
                b.find("form[action$='/accept'] button").click()
                expect(errors(b), "a move no longer allowed is refused with its reason")
                b.check("move-refused")
        expect(len(box.ok(["request", "list", "--json"]).json()) == 21,
               "the refused form stored nothing")


if __name__ == "__main__":
    browsertest.main(scenario, __doc__)
