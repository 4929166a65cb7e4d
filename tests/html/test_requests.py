#!/usr/bin/env python3
"""Requesting a service in the browser, and "my requests".

A trust signed in as RXX sends the request form; the hub creates the
request with the area plugin's quote (checked against `fgcat request list
--json` on the hub's catalogue), with RXX as requester whatever the form
says.  "My requests" shows it, with status and quote, to RXX and to the
provider RTF -- and not to a third trust, RYJ.  A plugin's refusal is
shown verbatim (the CLI's words for the same request), bad input is a
clear 400, and nothing is created by a refused, foreign-Origin or
signed-out POST.  A move made elsewhere (the provider accepting with the
CLI) shows on the page.
"""

import datetime
import os

import htmltest
from htmltest import Hub, Client, expect

OFFERING = "RTF/integrated-care-community-nursing"
PATH = "/offerings/%s/request" % OFFERING


def day(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def hub_requests(box):
    return box.ok(["request", "list", "--json"]).json()


def rows(res):
    """{request id: {column: text}} of a "my requests" page."""
    expect(res.status == 200, "my requests answers 200\n" + res.describe())
    table = res.tree.find("table", cls="requests")
    if table is None:
        return {}
    heads = [th.text() for th in table.find("thead").find_all("th")]
    out = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [htmltest.cell_text(td) for td in tr.find_all("td")]
        out[tr.attrs["data-request"]] = dict(zip(heads, cells))
    return out


def check_create(box, hub, rxx, rtf, ryj):
    before = hub_requests(box)
    note = "Two community teams <b>& a \"quoted\" line\nand a second line"
    res = rxx.post(PATH, {"quantity": "12", "start": day(90), "contact": "lead@example.nhs.uk",
                          "note": note, "requester": "RYJ", "org": "RYJ",
                          "requester_ods": "RYJ"})
    expect(res.status == 303, "the request is created, then shown (POST-redirect-GET)\n"
           + res.describe())
    after = hub_requests(box)
    expect(len(after) == len(before) + 1, "one request more on the hub")
    req = after[0]
    expect(req["offering_id"] == OFFERING and req["requester"]["ods"] == "RXX",
           "the requester is the signed-in trust, not the form's RYJ: %r" % req["requester"])
    expect(req["requester"]["contact"] == "lead@example.nhs.uk" and req["quantity"] == 12 and
           req["start"] == day(90) and req["status"] == "submitted",
           "the request carries the form's values: %r" % req)
    expect(req["note"].replace("\r\n", "\n") == note, "the note arrives whole: %r" % req["note"])
    expect(req["quote"] == {"amount_pence": 12 * 185000, "currency": "GBP"},
           "the plugin quoted 12 x £1,850: %r" % req["quote"])
    rid = req["id"]
    expect(res.header("Location") == "/requests/%s?sent=1" % rid,
           "it goes on to the request's page\n" + res.describe())
    # The request's page shows the quote and the request's id.
    res = rxx.get(res.header("Location"))
    expect(res.status == 200 and res.tree.find(cls="quote").text() == "£22,200.00",
           "the page shows the quote\n" + res.describe())
    expect(res.tree.find(cls="request-id").text() == rid, "the page gives the request's id")
    expect(res.tree.find(cls="nhsuk-panel") is not None, "and says it was sent")

    # Visible to the requester and the provider, not to anyone else.
    mine = rows(rxx.get("/requests"))
    expect(rid in mine, "RXX sees its request\n%r" % mine)
    row = mine[rid]
    expect(row["Status"] == "Submitted" and row["Quote"] == "£22,200.00" and
           row["Quantity"] == "12" and row["Start"] == htmltest.long_date(day(90)),
           "status, quote, quantity, start: %r" % row)
    expect(row["Requester"].startswith("RXX (you)") and row["Provider"] == "RTF",
           "who made it and who provides it: %r" % row)
    expect(row["Note"].replace("\r\n", "\n") == note, "the note, escaped: %r" % row["Note"])
    theirs = rows(rtf.get("/requests"))
    expect(rid in theirs and theirs[rid]["Provider"] == "RTF (you)",
           "the provider RTF sees the request for its offering: %r" % theirs)
    expect(rid not in rows(ryj.get("/requests")), "a third trust (RYJ) does not see it")
    others = [r["id"] for r in box.ok(["request", "list", "--org", "RYJ", "--json"]).json()]
    expect(set(rows(ryj.get("/requests"))) == set(others),
           "RYJ sees exactly the CLI's list for RYJ: %r" % others)

    # A move made with the CLI on the hub shows on the page.
    box.ok(["request", "accept", rid, "--org", "RTF"])
    expect(rows(rxx.get("/requests"))[rid]["Status"] == "Accepted", "the acceptance shows")
    return rid


def check_refusals(box, hub, rxx, rtf):
    count = len(hub_requests(box))
    # The plugin's refusals in the plugin's own words: the CLI's message
    # without "request refused by the ... plugin: ", each linked to its field.
    for fields, cli_args, field in [({"quantity": "4"}, ["--quantity", "4"], "quantity"),
                                    ({"quantity": "12", "start": day(3)},
                                     ["--quantity", "12", "--start", day(3)], "start")]:
        fields = dict(fields, contact="lead@example.nhs.uk")
        res = rxx.post(PATH, fields)
        expect(res.status == 422, "a plugin refusal is 422\n" + res.describe())
        cli = box.run(["request", "create", OFFERING, "--org", "RXX"] + cli_args)
        expect(cli.code == 4, "the CLI refuses it too", cli)
        message = cli.stderr.strip()[len("fgcat: "):]
        expect(message.startswith("request refused by the integrated-care-training plugin: "),
               "the CLI names the plugin: %r" % message)
        message = message.split(" plugin: ", 1)[1]
        message = message[0].upper() + message[1:]
        expect(res.errors() == [message],
               "the page shows the plugin's message: %r, not %r" % (message, res.errors()))
        links = [a.attrs["href"] for a in res.tree.find_all("a", cls="error")]
        expect(links == ["#" + field], "the message links to %s: %r" % (field, links))
        form = res.tree.find("form", cls="request")
        expect(form is not None and form.find("input", name="quantity").attrs["value"] ==
               fields["quantity"], "the form comes back with what was typed")
    # Every problem at once: a quantity below the cohort, a start inside the
    # notice period and no contact are three messages, each linked to its
    # field and shown beside it; nothing is stored.
    before = len(hub_requests(box))
    res = rxx.post(PATH, {"quantity": "3", "start": day(5), "note": "three problems"})
    expect(res.status == 422, "the provider's rules refused it\n" + res.describe())
    links = [a.attrs["href"] for a in res.tree.find_all("a", cls="error")]
    expect(links == ["#quantity", "#start", "#contact"],
           "one message per field, in the form's order: %r\n%s" % (res.errors(), res.describe()))
    errors = dict(zip(links, res.errors()))
    expect("below this programme's minimum of 8" in errors["#quantity"] and
           "42 days' notice" in errors["#start"] and "contact email" in errors["#contact"],
           "each says what is wrong: %r" % errors)
    for field in ("quantity", "start", "contact"):
        inline = res.tree.find(id=field + "-error")
        expect(inline is not None and errors["#" + field] in inline.text(),
               "the %s field shows its problem too\n%s" % (field, res.describe()))
        expect(field + "-error" in res.tree.find(id=field).attrs.get("aria-describedby", ""),
               "the %s field is described by its problem" % field)
    expect(res.tree.find("textarea", name="note").text() == "three problems",
           "the note comes back as typed")
    # A quantity that is not a number is the form's problem; the start is
    # still checked against the provider's rules.
    res = rxx.post(PATH, {"quantity": "lots", "start": day(5)})
    links = [a.attrs["href"] for a in res.tree.find_all("a", cls="error")]
    expect(links == ["#quantity", "#start", "#contact"],
           "a bad number, a start too soon and no contact: %r" % res.errors())
    expect(len(hub_requests(box)) == before, "nothing was stored")
    # Bad input: a clear 400, naming the field.
    for fields, word in [({"quantity": "0"}, "Quantity"), ({"quantity": "many"}, "Quantity"),
                         ({}, "quantity"), ({"quantity": "1000001"}, "Quantity"),
                         ({"quantity": "12", "start": "2027-02-30"}, "Start"),
                         ({"quantity": "12", "contact": "not-an-address"}, "contact"),
                         ({"quantity": "12", "contact": ""}, "contact"),
                         ({"quantity": "12", "note": "x" * 2001}, "note"),
                         ({"quantity": "12", "note": "bell\x07"}, "note")]:
        fields = dict({"contact": "lead@example.nhs.uk"}, **fields)
        res = rxx.post(PATH, fields)
        expect(res.status == 400, "%r is refused with 400\n%s" % (fields, res.describe()))
        expect(len(res.errors()) == 1 and word in res.errors()[0],
               "%r: one message naming %s: %r" % (fields, word, res.errors()))
    # The provider cannot request its own offering.
    res = rtf.post(PATH, {"quantity": "12", "contact": "lead@example.nhs.uk"})
    expect(res.status == 422 and "cannot request its own offering" in res.errors()[0],
           "the provider is refused\n" + res.describe())
    # Unknown and withdrawn offerings.
    res = rxx.post("/offerings/RTF/no-such-thing/request", {"quantity": "12"})
    expect(res.status == 404, "an unknown offering is 404\n" + res.describe())
    res = rxx.post("/offerings/RTF/wound-care-pilot/request", {"quantity": "12", "contact": "lead@example.nhs.uk"})
    expect(res.status == 422 and "withdrawn" in res.errors()[0],
           "a withdrawn offering takes no request\n" + res.describe())
    # A foreign Origin, a signed-out browser: refused before anything is done.
    for origin in ["http://evil.example", "null"]:
        res = rxx.post(PATH, {"quantity": "12"}, origin=origin)
        expect(res.status == 403, "Origin %r is refused\n%s" % (origin, res.describe()))
    res = rxx.post(PATH, {"quantity": "12"}, cookie=False)
    expect(res.status == 303 and res.header("Location") == "/login?next=/offerings/" + OFFERING,
           "a signed-out POST goes to sign in\n" + res.describe())
    res = rxx.request("POST", PATH, body="quantity=12", headers={"Content-Type": "text/plain"})
    expect(res.status == 415, "a non-form body is refused\n" + res.describe())
    expect(len(hub_requests(box)) == count, "no refused POST created a request")


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-requests") as box:
        box.seed()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli",
                                       "data", "withdrawn.json")])
        with Hub(box) as hub:
            rxx, rtf, ryj = Client(hub), Client(hub), Client(hub)
            rxx.login(*hub.person("RXX"))
            rtf.login(*hub.person("RTF"))
            ryj.login(*hub.person("RYJ"))
            res = ryj.get("/requests")
            expect(rows(res) == {} and "No requests here" in res.body, "RYJ starts with none")
            check_create(box, hub, rxx, rtf, ryj)
            # RYJ makes one of its own: RXX must not see it, RTF (provider) must.
            res = ryj.post(PATH, {"quantity": "10", "contact": "lead@example.nhs.uk"})
            expect(res.status == 303, "RYJ can request too\n" + res.describe())
            ryj_id = hub_requests(box)[0]["id"]
            expect(set(rows(ryj.get("/requests"))) == {ryj_id}, "RYJ sees only its own")
            expect(ryj_id not in rows(rxx.get("/requests")), "RXX does not see RYJ's request")
            expect(ryj_id in rows(rtf.get("/requests")), "RTF sees both requests")
            check_refusals(box, hub, rxx, rtf)


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
