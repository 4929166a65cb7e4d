#!/usr/bin/env python3
"""A member trust requests a built-in offering in the browser, the provider
accepts it in the browser, and the member sees it accepted with its history
naming both people.

Ann (a requester at RXX) is new: she sets her password through the
one-time link `fgcat user reset` printed.  She requests; Rita, a requester
at the provider RTF, sees the request but no way to accept it and why;
Raj, RTF's approver, accepts it.

A real hub with the built-in catalogue and default settings.  The whole
journey is made with the keyboard only: Tab moves the focus (the test
fails when a control cannot be reached that way), typing fills a field,
Enter follows a link or presses a button.  Every page on the way is checked
by Browser.check(): the NHS.UK stylesheet, the skip link, axe-core WCAG 2.2
AA with no violation at 1280 and 390 px, no sideways scroll at 390 px, and
screenshots.  Then the same request journey again in a browser that runs
no JavaScript, with the mouse: the pages work without it.
"""

import re
import time

import browsertest
from browsertest import Browser, Keys, expect
from selenium.webdriver.common.action_chains import ActionChains
from htmltest import Hub

OFFERING = "RTF/integrated-care-community-nursing"
MAX_TABS = 120


def tab_to(b, css):
    """Presses Tab until the focus is on the element `css` selects."""
    target = b.find(css)
    for _ in range(MAX_TABS):
        if b.driver.switch_to.active_element == target:
            return target
        ActionChains(b.driver).send_keys(Keys.TAB).perform()
    raise browsertest.Failure("Tab never reaches %s on %s" % (css, b.path()))


def press(b, css, *keys):
    """Tabs to `css` and types `keys` there (Enter follows or submits)."""
    tab_to(b, css).send_keys(*keys)


def wait_path(b, pattern):
    """Waits (up to 20 s) for the browser to reach a path matching `pattern`."""
    for _ in range(200):
        if re.fullmatch(pattern, b.path()):
            return b.path()
        time.sleep(0.1)
    raise browsertest.Failure("the browser is at %s, not %s" % (b.path(), pattern))


def sign_in(b, person, next_path):
    """Signs `person` (email, password) in from the sign-in page."""
    b.get("/login?next=" + next_path)
    press(b, "#email", person[0])
    press(b, "#password", person[1], Keys.ENTER)
    wait_path(b, next_path.replace("?", r"\?"))


def set_password(b, hub, email, password):
    """The new person's first password, from their one-time link."""
    hub.box.ok(["user", "add", email, "--org", "RXX", "--role", "requester"])
    b.get(hub.reset_link(email))
    b.check("set-password")
    press(b, "#password", password)
    press(b, "#confirm", password, Keys.ENTER)
    wait_path(b, r"/login\?done=password")
    expect("Your password is set" in b.text(), "the sign-in page says the password is set")
    return email, password


def keyboard_journey(b, ann, rita, raj):
    # The member trust finds the offering and signs in on its way.
    b.get("/")
    b.check("search")
    press(b, "#q", "community nursing", Keys.ENTER)
    wait_path(b, r"/\?q=community\+nursing.*")
    b.check("search-results")
    press(b, 'ol.results a[href="/offerings/%s"]' % OFFERING, Keys.ENTER)
    wait_path(b, "/offerings/" + OFFERING)
    b.check("offering")
    press(b, 'section.request a[href^="/login"]', Keys.ENTER)
    wait_path(b, r"/login\?next=.*")
    b.check("sign-in")
    press(b, "#email", ann[0])
    press(b, "#password", ann[1], Keys.ENTER)
    wait_path(b, "/offerings/" + OFFERING)
    b.check("offering-signed-in")
    # The request: quantity and a note, sent with Enter on the button.
    press(b, "#quantity", "12")
    press(b, "#contact", "lead@example.nhs.uk")
    press(b, "#note", "Two community teams")
    press(b, "form.request button[type=submit]", Keys.ENTER)
    path = wait_path(b, r"/requests/[^/?]+\?sent=1")
    rid = path[len("/requests/"):-len("?sent=1")]
    expect("Request sent" in b.text(".nhsuk-panel"), "the member is told it was sent")
    expect(b.text(".status") == "Submitted", "the request is submitted")
    expect(b.text(".quote") == "£22,200.00", "12 delegates at £1,850 each")
    b.check("request-sent")
    press(b, "form[action='/logout'] button", Keys.ENTER)
    wait_path(b, "/")

    # A requester of the provider sees it, and that she may not accept it.
    sign_in(b, rita, "/requests/" + rid)
    expect(b.find_all("form.move") == [] and
           "Only an approver or an administrator" in b.text(),
           "a requester of the provider has no accept button, and is told why")
    b.check("request-provider-requester")
    press(b, "form[action='/logout'] button", Keys.ENTER)
    wait_path(b, "/")

    # The provider's approver signs in, finds it among the requests to it,
    # accepts.
    sign_in(b, raj, "/requests")
    press(b, 'a[href="/requests?list=to-us"]', Keys.ENTER)
    wait_path(b, r"/requests\?list=to-us")
    b.check("requests-to-us")
    press(b, 'a.request[href="/requests/%s"]' % rid, Keys.ENTER)
    wait_path(b, "/requests/" + rid)
    b.check("request-provider")
    expect(b.find_all("form[action$='/cancel']") == [], "the provider cannot cancel")
    press(b, "form[action$='/accept'] button", Keys.ENTER)
    wait_path(b, "/requests/" + rid)
    expect(b.text(".status") == "Accepted", "the provider sees it accepted")
    expect(b.find_all("form[action$='/accept']") == [], "no second accept")
    b.find("form[action$='/complete'] button")
    press(b, "form[action='/logout'] button", Keys.ENTER)
    wait_path(b, "/")

    # The member sees it accepted, with its history.
    sign_in(b, ann, "/requests")
    b.check("requests")
    press(b, 'a.request[href="/requests/%s"]' % rid, Keys.ENTER)
    wait_path(b, "/requests/" + rid)
    expect(b.text(".status") == "Accepted", "the member sees it accepted")
    history = [r.text for r in b.find_all("table.history tbody tr")]
    expect(len(history) == 2 and "Submitted" in history[0] and "RXX" in history[0] and
           ann[0] in history[0] and "Accepted" in history[1] and "RTF" in history[1] and
           raj[0] in history[1],
           "the history shows both moves and both people, oldest first: %r" % history)
    b.check("request-accepted")
    return rid


def without_javascript(b, person):
    """The same request made with JavaScript off (mouse clicks)."""
    b.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    b.get("/login?next=/offerings/" + OFFERING)
    b.find("#email").send_keys(person[0])
    b.find("#password").send_keys(person[1])
    b.find("form.login button").click()
    wait_path(b, "/offerings/" + OFFERING)
    b.find("#quantity").send_keys("10")
    b.find("#contact").send_keys("lead@example.nhs.uk")
    b.find("form.request button").click()
    wait_path(b, r"/requests/[^/?]+\?sent=1")
    expect(b.text(".status") == "Submitted", "requested without JavaScript")


def scenario(opts):
    with browsertest.clitest.Sandbox(opts, "fgcat-browser-journey") as box:
        box.seed()
        with Hub(box) as hub:
            rita = hub.person("RTF", "requester", "rita@example.nhs.uk")
            raj = hub.person("RTF", "approver", "raj@example.nhs.uk")
            with Browser(hub, opts.shots) as b:
                ann = set_password(b, hub, "ann@example.nhs.uk", "plain lantern harbour")
                rid = keyboard_journey(b, ann, rita, raj)
                b.get("/no/such/page")
                b.check("not-found")
            with Browser(hub, opts.shots) as b:
                without_javascript(b, ann)
        reqs = {r["id"]: r for r in box.ok(["request", "list", "--json"]).json()}
        expect(reqs[rid]["status"] == "accepted" and
               [(h["status"], h.get("person")) for h in reqs[rid]["history"]] ==
               [("submitted", "ann@example.nhs.uk"), ("accepted", "raj@example.nhs.uk")],
               "the catalogue holds the accepted request with its history: %r" % reqs[rid])
        expect(len(reqs) == 2, "each form made exactly one request: %r" % list(reqs))


if __name__ == "__main__":
    browsertest.main(scenario, __doc__)
