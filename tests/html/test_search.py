#!/usr/bin/env python3
"""The search page against `fgcat search --json` on the same catalogue.

Every filter of the form (text, area, provider, delivery, region, max
price, tag, include withdrawn) gives exactly the offerings, in the same
order, that the CLI gives for the same filters; facets give the CLI's
counts and their links apply the filter; paging walks the whole result
list with no gap or repeat; the area menu lists the catalogue's areas.
Hostile text is answered like the CLI answers it: the same offerings, or
400 with the CLI's message where the CLI refuses (exit 2) -- never a 5xx.
"""

import os
import re

import htmltest
from htmltest import Hub, Client, expect, offering_ids, query

# (form fields, the same as CLI arguments)
FILTER_CASES = [
    ({}, []),
    ({"q": "nursing"}, ["nursing"]),
    ({"q": "nurs*", "delivery": "blended"}, ["nurs*", "--delivery", "blended"]),
    ({"area": "productivity"}, ["--area", "productivity"]),
    ({"provider": "RTF", "max_price": "1000"}, ["--provider", "RTF", "--max-price", "1000"]),
    ({"tag": "nursing", "region": "england"}, ["--tag", "nursing", "--region", "england"]),
    ({"q": "care", "area": "integrated-care-training", "provider": "RTF",
      "delivery": "on-site"},
     ["care", "--area", "integrated-care-training", "--provider", "RTF", "--delivery",
      "on-site"]),
    ({"q": "wound"}, ["wound"]),
    ({"q": "wound", "include_withdrawn": "1"}, ["wound", "--include-withdrawn"]),
    ({"include_withdrawn": "1", "area": "integrated-care-training"},
     ["--include-withdrawn", "--area", "integrated-care-training"]),
    ({"max_price": "500.50"}, ["--max-price", "500.50"]),
    ({"q": "zzqqxx"}, ["zzqqxx"]),
    # The CLI refuses an unknown area (a usage error); the page finds nothing.
    ({"area": "no-such-area"}, None),
]

# Text the CLI answers or refuses; the page must do the same.
HOSTILE = ['"', "nurse\"", "*", "NEAR(", "(((", "a OR", "NOT nurse", "title:nurse",
           "'; DROP TABLE offering; --", "1' OR '1'='1", "%", "nurse*", "\x01", "\t",
           "nurse\ncare", "\x1b[31mred", "\u202enurse", "\U0001F489 nurse", "a" * 1001,
           "nurse " * 40, "<b>nurse</b>"]


UNIT_WORDS = {"per-delegate": "per delegate", "per-day": "per day", "per-bed": "per bed",
              "fixed": "for the whole request"}


def area_labels(box):
    """{area: the label its plugin gives it}, as `fgcat areas` prints them."""
    return {a["id"]: a["label"] for a in box.ok(["areas", "--json"]).json()}


def cli_ids(box, args):
    return [o["id"] for o in box.ok(["search", "--json", "--limit", "1000"] + args).json()]


def page_facets(res):
    """{"area": {value: n}, ...} from the page's facet lists."""
    aside = res.tree.find("aside", cls="facets")
    expect(aside is not None, "the results page has facets\n" + res.describe())
    out, group = {}, None
    for n in aside.iter():
        if n.tag == "h3":
            group = n.text().strip().lower()
            out[group] = {}
        elif n.tag == "li" and group:
            a = n.find("a")
            label = a.text()
            if label == "any":
                continue
            count = n.text()[len(label):].strip()
            expect(count.startswith("(") and count.endswith(")"),
                   "a facet reads 'value (n)': %r" % n.text())
            out[group][label] = int(count[1:-1])
    return out


def link_path(href):
    expect(href.startswith("/") and not href.startswith("//"),
           "links stay on the hub: %r" % href)
    return href


def check_filters(box, client):
    for fields, args in FILTER_CASES:
        res = client.get(query(limit="1000", **fields))
        expect(res.status == 200, "search %r answers 200\n%s" % (fields, res.describe()))
        want = cli_ids(box, args) if args is not None else []
        got = offering_ids(res)
        expect(got == want, "search %r: the page lists %r, the CLI %r" % (fields, got, want))
        if not want:
            expect("No offerings match" in res.body, "an empty result says so")
        # Every result line carries provider, area, delivery and price.
        items = res.tree.find("ol", cls="results").find_all("li") if got else []
        for li, oid in zip(items, got):
            o = box.ok(["show", oid, "--json"]).json()
            meta = li.find(cls="meta").text()
            for part in (o["provider"]["name"], o["provider"]["ods"],
                         area_labels(box)[o["area"]], o["delivery"],
                         UNIT_WORDS[o["price"]["unit"]]):
                expect(part in meta, "result %s shows %r: %r" % (oid, part, meta))
            pounds = "£{:,.2f}".format(o["price"]["amount_pence"] / 100)
            expect(pounds in meta, "result %s shows its price %s: %r" % (oid, pounds, meta))
            expect(li.find("a", cls="offering").text() == o["title"], "result title")
            expect(("withdrawn" in li.text()) == (o["status"] == "withdrawn"),
                   "withdrawn results are marked, active ones not: %s" % oid)
        # The form shows the filters it ran with.
        form = res.tree.find("form", cls="search")
        for name, value in fields.items():
            if name in ("q", "provider", "region", "tag", "max_price"):
                field = form.find("input", name=name)
                expect(field.attrs.get("value") == value, "the form keeps %s=%r" % (name, value))
            elif name in ("area", "delivery"):
                sel = form.find("select", name=name)
                chosen = [o.attrs["value"] for o in sel.find_all("option")
                          if "selected" in o.attrs]
                expect(chosen == [value], "the %s menu keeps %r: %r" % (name, value, chosen))


def check_facets(box, client):
    for fields, args in [({}, []), ({"q": "nursing"}, ["nursing"]),
                         ({"delivery": "remote"}, ["--delivery", "remote"])]:
        res = client.get(query(**fields))
        want = box.ok(["search", "--json", "--facets"] + args).json()["facets"]
        # Areas are shown by their plugins' labels.
        want["area"] = {area_labels(box)[a]: n for a, n in want["area"].items()}
        got = page_facets(res)
        for group in ("area", "provider", "delivery", "tag"):
            expect(got.get(group, {}) == want[group],
                   "facet %s for %r: page %r, CLI %r" % (group, fields, got.get(group),
                                                          want[group]))
    # Following a facet link applies that filter and keeps the others.
    res = client.get(query(q="nursing"))
    aside = res.tree.find("aside", cls="facets")
    link = [a for a in aside.find_all("a") if a.text() == "RYJ"][0]
    res2 = client.get(link_path(link.attrs["href"]))
    expect(offering_ids(res2) == cli_ids(box, ["nursing", "--provider", "RYJ"])[:20],
           "the provider facet link filters by RYJ\n" + res2.describe())
    any_link = [a for a in res2.tree.find("aside", cls="facets").find_all("a")
                if a.text() == "any"]
    expect(any_link, "a set filter has an 'any' link to drop it")
    res3 = client.get(link_path(any_link[0].attrs["href"]))
    expect(offering_ids(res3) == offering_ids(res), "'any' drops the provider filter again")


def check_paging(box, client):
    everything = cli_ids(box, [])
    expect(len(everything) > 9, "the seeded catalogue has enough offerings to page")
    seen, path, pages = [], query(limit="4"), 0
    while path:
        res = client.get(path)
        ids = offering_ids(res)
        expect(ids == everything[len(seen):len(seen) + 4],
               "page %d lists the CLI's offerings %d-%d: %r" % (pages, len(seen),
                                                                 len(seen) + 4, ids))
        ol = res.tree.find("ol", cls="results")
        expect(ol is not None and ol.attrs.get("start") == str(len(seen) + 1),
               "page %d is a list numbered from the offset\n%s" % (pages, res.describe()))
        prev = res.tree.find("a", rel="prev")
        expect((prev is not None) == (pages > 0), "only later pages link back")
        seen += ids
        nxt = res.tree.find("a", rel="next")
        path = link_path(nxt.attrs["href"]) if nxt is not None else None
        if path:
            expect("limit=4" in path, "the next link keeps the page size: %r" % path)
        pages += 1
    expect(seen == everything, "paging walks every offering once: %r" % seen)
    # An offset past the end is an empty page, not an error.
    res = client.get(query(offset=str(len(everything) + 10)))
    expect(res.status == 200 and offering_ids(res) == [], "offset past the end is empty")
    # The CLI's own --offset agrees.
    res = client.get(query(q="nursing", limit="3", offset="2"))
    expect(offering_ids(res) == cli_ids(box, ["nursing", "--limit", "3", "--offset", "2"]),
           "limit and offset match the CLI's")


def check_areas(box, client):
    res = client.get("/")
    options = [o.attrs["value"] for o in
               res.tree.find("select", name="area").find_all("option")]
    areas = box.ok(["areas", "--json"]).json()
    expect(options == [""] + sorted(a["id"] for a in areas),
           "the area menu lists 'any' and every area: %r" % options)
    texts = [o.text() for o in res.tree.find("select", name="area").find_all("option")]
    expect(texts == ["any"] + ["%s (%d)" % (a["label"], a["active"])
                               for a in sorted(areas, key=lambda a: a["id"])],
           "each area by its plugin's label, with its count: %r" % texts)
    expect("integrated-care-training" not in res.tree.find("main").text(),
           "no area's internal name on the search page")


def check_hostile(box, client):
    for text in HOSTILE:
        cli = box.run(["search", "--json", "--limit", "1000", text])
        res = client.get(query(q=text, limit="1000"))
        if cli.code == 0:
            expect(res.status == 200, "search %r: the CLI answers, so must the page\n%s"
                   % (text, res.describe()))
            expect(offering_ids(res) == [o["id"] for o in cli.json()],
                   "search %r: same offerings as the CLI" % text)
        else:
            expect(cli.code == 2, "the CLI refuses search %r as usage" % text, cli)
            expect(res.status == 400, "search %r: refused with 400\n%s" % (text, res.describe()))
            errors = res.errors()
            expect(len(errors) == 1 and errors[0] and errors[0] in cli.stderr,
                   "search %r: the page gives the CLI's message %r, got %r"
                   % (text, cli.stderr, errors))
        # The search box gives the text back as it was typed, control
        # characters (not valid in HTML) shown as U+FFFD.
        shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", text)
        box_value = res.tree.find("input", name="q").attrs.get("value")
        expect(box_value == shown, "the search box keeps %r, not %r" % (shown, box_value))

    # Bad filters: 400 with one clear message naming the field.
    for fields, word in [({"delivery": "by-post"}, "delivery"),
                         ({"max_price": "lots"}, "price"),
                         ({"max_price": "-5"}, "price"),
                         ({"limit": "0"}, "limit"),
                         ({"limit": "1001"}, "limit"),
                         ({"limit": "ten"}, "limit"),
                         ({"offset": "-1"}, "offset"),
                         ({"offset": "99999999999999999999"}, "offset")]:
        res = client.get(query(**fields))
        expect(res.status == 400, "%r is refused with 400\n%s" % (fields, res.describe()))
        errors = res.errors()
        expect(len(errors) == 1 and word in errors[0],
               "%r: one message naming %s: %r" % (fields, word, errors))
    # Bytes that are not UTF-8, in the text and in a filter.
    for raw in ["q=nurse%FF", "q=%C3", "region=%ED%A0%80", "tag=%C0%AF"]:
        res = client.get("/?" + raw)
        expect(res.status == 400 and len(res.errors()) == 1 and "UTF-8" in res.errors()[0],
               "%s is refused as not UTF-8\n%s" % (raw, res.describe()))


def check_sort(box, client):
    for sort in ["price", "title", "relevance"]:
        for text in ["nurse", None]:
            res = client.get(query(q=text, sort=sort, limit="1000"))
            args = ([text] if text else []) + ["--sort", sort]
            expect(offering_ids(res) == cli_ids(box, args),
                   "sort=%s q=%s orders as the CLI's --sort does" % (sort, text))
            chosen = [o.attrs.get("value") for o in res.tree.find("select", name="sort")
                      .find_all("option") if "selected" in o.attrs]
            expect(chosen == [sort], "the sort list shows the order chosen: %r" % chosen)
    res = client.get(query(q="nurse", sort="cheapest"))
    expect(res.status == 400 and "sort must be relevance, price or title" in res.errors()[0],
           "an unknown sort is a 400 naming it\n" + res.describe())


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-search") as box:
        box.seed()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli",
                                       "data", "withdrawn.json")])
        with Hub(box) as hub:
            client = Client(hub)
            check_filters(box, client)
            check_facets(box, client)
            check_paging(box, client)
            check_areas(box, client)
            check_hostile(box, client)
            check_sort(box, client)
            # HEAD gives the headers of GET and no body.
            res = client.request("HEAD", "/")
            expect(res.status == 200 and res.raw == b"", "HEAD / answers without a body")
            # Only GET and HEAD.
            res = client.request("PUT", "/", body="x", page=True)
            expect(res.status == 405 and "GET" in (res.header("Allow") or ""),
                   "PUT / is 405 with Allow\n" + res.describe())


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
