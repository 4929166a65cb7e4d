#!/usr/bin/env python3
"""The request workflow in the pages: a page per request, its moves, its
lists; POST-redirect-GET, one-time form tokens and CSRF tokens.

- /requests/ID shows a request and its history to its requester and its
  provider only: to a third trust, and for an unknown id, the same 404
  page; a visitor is sent to sign in.
- The page offers each move only when the life cycle allows it and to the
  trust that may make it: accept and decline (with a reason) to the
  provider of a submitted request, complete to the provider of an accepted
  one, cancel to the requester of either.  A move is a POST answered by a
  303 back to the page, which shows the new status and the history
  (checked against `fgcat request show --json`).  A move the life cycle
  forbids, or another trust's move, is refused with the reason on the page
  and changes nothing; declining with no reason is a 400 naming the field.
- Every POST needs the CSRF token of its cookie: a missing or wrong one is
  a 403 and changes nothing.  A request form sent twice with the same
  one-time token (a reload, a double click) makes one request, and the
  second answer goes to it.
- "Requests to us" and "Our requests" split the list; a status filter and
  pages of 20 (25 requests here); a bad filter is a 400 page.
"""

import re

import htmltest
from htmltest import Hub, Client, expect

OFFERING = "RTF/integrated-care-community-nursing"
PATH = "/offerings/%s/request" % OFFERING


def create(box, client, quantity="12"):
    res = client.post(PATH, {"quantity": quantity, "contact": "lead@example.nhs.uk"})
    expect(res.status == 303, "the request is made\n" + res.describe())
    m = re.fullmatch(r"/requests/([^/?]+)\?sent=1", res.header("Location") or "")
    expect(m, "it redirects to the request's page\n" + res.describe())
    return m.group(1)


def shown(box, rid):
    return box.ok(["request", "show", rid, "--json"]).json()


def moves(res):
    """The moves a request page offers, by the last part of their action."""
    return sorted(f.attrs["action"].rsplit("/", 1)[1] for f in res.tree.find_all("form", cls="move"))


def check_page_and_moves(box, rxx, rtf, ryj, visitor):
    rid = create(box, rxx)
    res = rxx.get("/requests/" + rid)
    expect(res.status == 200 and res.tree.find(cls="status").text() == "Submitted",
           "the requester sees it submitted\n" + res.describe())
    expect(moves(res) == ["cancel"], "the requester may only cancel: %r" % moves(res))
    res = rtf.get("/requests/" + rid)
    expect(moves(res) == ["accept", "decline"], "the provider may accept or decline: %r"
           % moves(res))
    for who, path in [(ryj, "/requests/" + rid), (rxx, "/requests/no-such-request")]:
        res = who.get(path)
        expect(res.status == 404 and res.tree.find("h1").text() == "Request not found",
               "%s is the same 404 page to a third trust and for no such request\n%s"
               % (path, res.describe()))
    res = visitor.get("/requests/" + rid)
    expect(res.status == 303 and res.header("Location") == "/login?next=/requests/" + rid,
           "a visitor is sent to sign in\n" + res.describe())

    # Refused moves change nothing and say why.
    for who, action, status in [(rxx, "accept", 403), (ryj, "cancel", 404),
                                (rtf, "complete", 409), (rtf, "frobnicate", 404)]:
        res = who.post("/requests/%s/%s" % (rid, action), {})
        expect(res.status == status, "%s is refused with %d\n%s" % (action, status,
                                                                  res.describe()))
        if status != 404:
            expect(len(res.errors()) == 1, "the page says why\n" + res.describe())
    res = rtf.post("/requests/%s/decline" % rid, {"reason": ""})
    expect(res.status == 400 and res.errors() == ["Enter a reason for declining the request"]
           and res.tree.find("a", cls="error").attrs["href"] == "#reason",
           "declining needs a reason, linked to its field\n" + res.describe())
    for fields in [{"csrf": ""}, {"csrf": "0" * 32}, {}]:
        res = rtf.post("/requests/%s/accept" % rid, fields, csrf=False)
        expect(res.status == 403, "a POST without its CSRF token is refused: %r\n%s"
               % (fields, res.describe()))
    expect(shown(box, rid)["status"] == "submitted", "nothing moved it yet")

    # Accept, then complete: each a POST-redirect-GET.
    res = rtf.post("/requests/%s/accept" % rid, {})
    expect(res.status == 303 and res.header("Location") == "/requests/" + rid,
           "accepting redirects back to the page\n" + res.describe())
    res = rtf.get("/requests/" + rid)
    expect(res.tree.find(cls="status").text() == "Accepted" and moves(res) == ["complete"],
           "accepted; the provider may now complete it: %r" % moves(res))
    expect(moves(rxx.get("/requests/" + rid)) == ["cancel"], "the requester may still cancel")
    res = rtf.post("/requests/%s/complete" % rid, {})
    expect(res.status == 303, "completed\n" + res.describe())
    res = rxx.get("/requests/" + rid)
    expect(res.tree.find(cls="status").text() == "Completed" and moves(res) == [],
           "no move is left on a completed request")
    history = [[htmltest.cell_text(td).strip() for td in tr.find_all("td")]
               for tr in res.tree.find("table", cls="history").find("tbody").find_all("tr")]
    want = shown(box, rid)["history"]
    expect([e.get("person") for e in want] == ["approver.rxx@example.nhs.uk"] +
           ["approver.rtf@example.nhs.uk"] * 2,
           "each move records the signed-in person: %r" % want)
    expect([(h[1], h[2]) for h in history] ==
           [(e["status"].capitalize(), e["by"] + e["person"]) for e in want],
           "the page's history is the catalogue's: %r vs %r" % (history, want))

    # Decline with a reason, and the requester's cancel.
    rid2 = create(box, rxx)
    res = rtf.post("/requests/%s/decline" % rid2, {"reason": "No trainers free <b>in</b> May"})
    expect(res.status == 303, "declined\n" + res.describe())
    res = rxx.get("/requests/" + rid2)
    expect(res.tree.find(cls="status").text() == "Declined" and
           "No trainers free <b>in</b> May" in res.tree.find("table", cls="history").text(),
           "the requester sees the reason, as text\n" + res.describe())
    rid3 = create(box, rxx)
    res = rxx.post("/requests/%s/cancel" % rid3, {})
    expect(res.status == 303 and shown(box, rid3)["status"] == "cancelled",
           "the requester cancels\n" + res.describe())


def check_form_token(box, rxx):
    before = len(box.ok(["request", "list", "--json"]).json())
    fields = {"quantity": "12", "form": "ab" * 16, "contact": "lead@example.nhs.uk"}
    first = rxx.post(PATH, fields)
    again = rxx.post(PATH, fields)
    expect(first.status == 303 and again.status == 303 and
           again.header("Location") == first.header("Location"),
           "the same form sent twice goes to the same request\n%s\n%s"
           % (first.describe(), again.describe()))
    expect(len(box.ok(["request", "list", "--json"]).json()) == before + 1,
           "and makes one request")
    res = rxx.post(PATH, {"quantity": "12", "form": "not-a-token", "contact": "lead@example.nhs.uk"})
    expect(res.status == 400 and len(res.errors()) == 1,
           "a form without a good form token is refused\n" + res.describe())
    res = rxx.post(PATH, {"quantity": "4", "form": "cd" * 16, "contact": "lead@example.nhs.uk"})
    expect(res.status == 422, "a refused request\n" + res.describe())
    res = rxx.post(PATH, {"quantity": "12", "form": "cd" * 16, "contact": "lead@example.nhs.uk"})
    expect(res.status == 303, "its form token may be sent again once fixed\n" + res.describe())


def check_lists(box, rxx, rtf):
    for _ in range(25 - len(box.ok(["request", "list", "--org", "RXX", "--json"]).json())):
        create(box, rxx, "10")
    res = rtf.get("/requests?list=to-us")
    expect(res.status == 200 and res.tree.find("h1").text() == "Requests to us",
           "the provider's list of requests to it\n" + res.describe())
    rows = res.tree.find("table", cls="requests").find("tbody").find_all("tr")
    expect(len(rows) == 20, "20 on a page: %d" % len(rows))
    nxt = res.tree.find("a", rel="next")
    expect(nxt is not None and nxt.attrs["href"] == "/requests?list=to-us&page=2",
           "a link to the next page\n" + res.describe())
    res = rtf.get("/requests?list=to-us&page=2")
    expect(len(res.tree.find("table", cls="requests").find("tbody").find_all("tr")) == 5,
           "the last 5 on page 2")
    res = rtf.get("/requests?list=ours")
    expect("No requests here" in res.body, "RTF made none itself\n" + res.describe())
    res = rxx.get("/requests?list=ours&status=cancelled")
    ids = [tr.attrs["data-request"] for tr in
           res.tree.find("table", cls="requests").find("tbody").find_all("tr")]
    want = [r["id"] for r in box.ok(["request", "list", "--org", "RXX", "--status",
                                     "cancelled", "--json"]).json()]
    expect(ids == want and ids, "the status filter: %r vs %r" % (ids, want))
    for q in ["list=theirs", "status=lost", "page=0", "page=x"]:
        res = rxx.get("/requests?" + q)
        expect(res.status == 400, "%s is a 400 page\n%s" % (q, res.describe()))


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-workflow") as box:
        box.seed()
        with Hub(box) as hub:
            rxx, rtf, ryj, visitor = Client(hub), Client(hub), Client(hub), Client(hub)
            rxx.login(*hub.person("RXX"))
            rtf.login(*hub.person("RTF"))
            ryj.login(*hub.person("RYJ"))
            check_page_and_moves(box, rxx, rtf, ryj, visitor)
            check_form_token(box, rxx)
            check_lists(box, rxx, rtf)


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
