#!/usr/bin/env python3
"""Markup in data and in requests is shown as text, never run.

Offerings imported with markup in every free-text field (title, summary,
description, provider name, a region, the contact address, a plugin
attribute) and search terms and filters full of markup and quotes: every
page must read back exactly the original text (so it was escaped, not
dropped), contain only the elements the pages are built from (checked on
every page by htmltest.check_page, with no event handler attribute), and
never carry the raw markup in its bytes.
"""

import json
import os
import urllib.parse

import htmltest
from htmltest import Hub, Client, expect, offering_ids, query

TITLE = 'Probe <script>alert("t")</script> & <img src=x onerror=alert(1)> \'q\''
SUMMARY = 'Probe summary "><svg onload=alert(2)> &lt;already escaped&gt;'
DESCRIPTION = '</div><iframe src="javascript:alert(3)"></iframe>\n<b>bold</b> &amp; done'
PROVIDER = '<a href="http://evil.example/">Evil</a> Trust'
REGION = '"><script>r</script>'
CONTACT = 'a"onmouseover=alert(1)"@x.example'
PARTNERS = "BDP </dd><script>alert(4)</script>"
# Markup that must never reach a page's bytes unescaped.  (Attribute
# break-outs like '" onfocus="' are caught on the parsed page instead:
# check_page refuses any on* attribute.)
RAW = ["<script", "<img", "<svg", "<iframe", "<b>", "</textarea><b>", "<a href=\"http://evil"]

QUERIES = ['"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>", "</textarea><b>x",
           "&lt;script&gt;", "javascript:alert(1)", "\" autofocus onfocus=\"alert(1)"]


# The frame's own script and NHS logo, the only ones a page may hold.
FRAME = ['<script type="module" src="/assets/fgcat.js"></script>',
         '<svg class="nhsuk-header__logo"']


def no_raw_markup(res):
    body = res.body
    for own in FRAME:
        expect(body.count(own) <= 1, "the frame's %r appears once\n%s" % (own, res.describe()))
        body = body.replace(own, "")
    for raw in RAW:
        expect(raw not in body, "the page carries raw %r\n%s" % (raw, res.describe()))


def make_probes(box):
    """Imports two offerings with markup in every free-text field."""
    everything = box.ok(["export"]).json()
    training = next(o for o in everything if o["area"] == "integrated-care-training")
    planning = next(o for o in everything if o["area"] == "health-planning")
    a = dict(training, id=training["provider"]["ods"] + "/xss-probe", title=TITLE,
             summary=SUMMARY, description=DESCRIPTION, regions=[REGION, "England"],
             contact=CONTACT, provider=dict(training["provider"], name=PROVIDER))
    b = dict(planning, id=planning["provider"]["ods"] + "/xss-partners",
             title="Partners probe", attributes=dict(planning["attributes"], partners=PARTNERS))
    probes = []
    for o in (a, b):
        for k in ("rev", "updated_at", "withdrawn_at"):
            o.pop(k, None)
        probes.append(o)
    path = os.path.join(box.tmp, "probes.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(probes, f)
    box.ok(["import", path])
    return a["id"], b["id"]


def check_data(box, client, probe, partners):
    # In the result list.
    res = client.get(query(q="probe"))
    expect(probe in offering_ids(res), "the search finds the probe\n" + res.describe())
    no_raw_markup(res)
    links = res.tree.find("ol", cls="results").find_all("a", cls="offering")
    li = [a.parent.parent for a in links if a.attrs["href"] == "/offerings/" + probe][0]
    expect(li.find("a").text() == TITLE, "the title reads back: %r" % li.find("a").text())
    expect(PROVIDER in li.find(cls="meta").text(), "the provider name reads back")
    expect(SUMMARY in li.text(), "the summary reads back")
    # On its page, every field reads back exactly.
    res = client.get("/offerings/" + probe)
    expect(res.status == 200, "the probe's page\n" + res.describe())
    no_raw_markup(res)
    expect(res.tree.find("h1").text() == TITLE, "the heading is the title, as text")
    expect(TITLE in res.tree.find("title").text(), "the page title too")
    expect(res.tree.find("p", cls="summary").text() == SUMMARY, "the summary")
    expect(res.tree.find("div", cls="description").text() == DESCRIPTION, "the description")
    dl = res.tree.find("dl", cls="offering")
    links = dl.find_all("a")
    region = [a for a in links if a.text() == REGION]
    expect(region and urllib.parse.parse_qs(region[0].attrs["href"][2:]) == {"region": [REGION]},
           "the region reads back and links to its search: %r" % [a.attrs for a in links])
    mail = [a for a in links if a.text() == CONTACT]
    expect(mail and mail[0].attrs["href"] == "mailto:" + CONTACT and len(mail[0].attrs) == 1,
           "the contact is one mailto link with no extra attribute: %r"
           % [a.attrs for a in links])
    provider = htmltest.definitions(res)["Provider"]
    expect(provider.startswith(PROVIDER + " ("), "the provider name: %r" % provider)
    res = client.get("/offerings/" + partners)
    no_raw_markup(res)
    shown = htmltest.definitions(res)
    expect(shown.get("Partners") == PARTNERS,
           "a plugin attribute reads back as text, under its label: %r" % shown)


def check_queries(box, client):
    for text in QUERIES:
        for field in ("q", "provider", "region", "tag", "max_price", "area", "delivery"):
            res = client.get(query(**{field: text}))
            expect(res.status in (200, 400), "%s=%r answers\n%s" % (field, text, res.describe()))
            no_raw_markup(res)
            form = res.tree.find("form", cls="search")
            if field in ("area", "delivery"):
                if res.status == 200:
                    chosen = [o.attrs["value"] for o in
                              form.find("select", name=field).find_all("option")
                              if "selected" in o.attrs]
                    expect(chosen == [text], "the %s menu keeps %r: %r" % (field, text, chosen))
            else:
                value = form.find("input", name=field).attrs.get("value")
                expect(value == text, "the %s box keeps %r, not %r" % (field, text, value))
            # Links carry the value URL-encoded and read back the same.
            for a in res.tree.find_all("a"):
                href = a.attrs.get("href", "")
                if href.startswith("/?") and field in ("q", "provider", "region", "tag"):
                    got = urllib.parse.parse_qs(href[2:]).get(field)
                    if got is not None:
                        expect(got == [text], "a link carries %s=%r, not %r"
                               % (field, text, got))


def check_request_note(box, hub, probe):
    client = Client(hub)
    client.login(*hub.person("RXX"))
    note = '</td></tr></table><script>alert(5)</script><b>x</b>'
    res = client.post("/offerings/%s/request" % probe,
                      {"quantity": "10", "contact": "x@y.example", "note": note,
                       "start": "\"><script>alert(6)</script>"})
    expect(res.status == 400, "a bad start date is refused\n" + res.describe())
    no_raw_markup(res)
    form = res.tree.find("form", cls="request")
    expect(form.find("input", name="start").attrs["value"] == "\"><script>alert(6)</script>",
           "the form gives the bad date back as text")
    expect(form.find("textarea", name="note").text() == note, "and the note")
    res = client.post("/offerings/%s/request" % probe,
                      {"quantity": "10", "contact": "x@y.example", "note": note})
    expect(res.status == 303, "the request is made\n" + res.describe())
    res = client.get(res.header("Location"))
    no_raw_markup(res)
    expect(res.tree.find(cls="note").text() == note, "the note reads back as text")
    res = client.get("/requests")
    no_raw_markup(res)
    notes = [htmltest.cell_text(td) for td in res.tree.find_all("td", cls="note")]
    expect(notes == [note], "the note reads back as text on 'my requests': %r" % notes)
    table = res.tree.find("table", cls="requests")
    titles = [a.text() for a in table.find_all("a", cls="offering")]
    expect(titles == [TITLE], "the offering's title reads back there too: %r" % titles)


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-xss") as box:
        box.seed()
        probe, partners = make_probes(box)
        with Hub(box) as hub:
            client = Client(hub)
            check_data(box, client, probe, partners)
            check_queries(box, client)
            check_request_note(box, hub, probe)


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
