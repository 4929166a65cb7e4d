#!/usr/bin/env python3
"""fgcat search checked against an oracle: the catalogue's own export.

Every filter must select exactly the active offerings the filter describes
(computed here from `fgcat export`), paging with --limit/--offset must cut
one ordering into consecutive pages, facet counts must count every match,
text search must find offerings by words of their title, the human output
must list the same offerings as --json, --sort orders by price or title, a
full page says on stderr how many more match, and an unknown --area is a
usage error listing the areas."""

import collections
import json
import os

import clitest
from clitest import Sandbox, expect

BIG = "1000"  # --limit high enough for the whole test catalogue


def ids(offerings):
    return [o["id"] for o in offerings]


def search(box, *args):
    res = box.ok(["search"] + list(args) + ["--json", "--limit", BIG])
    return res.json()


def check_filters(box, catalogue):
    active = [o for o in catalogue if o["status"] == "active"]
    expect(len(active) >= 30, "the built-in plugins should give a real catalogue")

    def check(args, pred, what, may_be_empty=False):
        want = sorted(o["id"] for o in active if pred(o))
        got = search(box, *args)
        expect(want or may_be_empty, "oracle error: no offering has %s" % what)
        expect(sorted(ids(got)) == want,
               "search %s must return exactly the active offerings with %s:\n"
               "expected %s\ngot      %s" % (" ".join(args), what, want, sorted(ids(got))))
        expect(len(set(ids(got))) == len(got), "search %s returned duplicates" % args)
        return got

    # browsing (no text) lists every active offering, by title
    got = check([], lambda o: True, "any content")
    titles = [o["title"] for o in got]
    expect(titles == sorted(titles, key=lambda t: t.casefold()) or titles == sorted(titles),
           "browsing must list offerings by title: %s" % titles)

    values = collections.defaultdict(set)
    for o in active:
        values["area"].add(o["area"])
        values["provider"].add(o["provider"]["ods"])
        values["delivery"].add(o["delivery"])
        values["region"].update(o["regions"])
        values["tag"].update(o["tags"])
    for area in sorted(values["area"]):
        check(["--area", area], lambda o, v=area: o["area"] == v, "area " + area)
    for ods in sorted(values["provider"]):
        check(["--provider", ods], lambda o, v=ods: o["provider"]["ods"] == v, "provider " + ods)
    for d in sorted(values["delivery"]):
        check(["--delivery", d], lambda o, v=d: o["delivery"] == v, "delivery " + d)
    for r in sorted(values["region"]):
        check(["--region", r], lambda o, v=r: v in o["regions"], "region " + r)
    for t in sorted(values["tag"])[:12]:
        check(["--tag", t], lambda o, v=t: v in o["tags"], "tag " + t)

    # --max-price: at and around every distinct price
    prices = sorted({o["price"]["amount_pence"] for o in active})
    for p in prices[:: max(1, len(prices) // 8)] + [prices[-1]]:
        for pence in (p, p - 1):
            if pence < 0:
                continue
            pounds = "%d.%02d" % divmod(pence, 100)
            check(["--max-price", pounds],
                  lambda o, v=pence: o["price"]["amount_pence"] <= v, "price <= " + pounds,
                  may_be_empty=True)
    # whole pounds and one decimal mean the same pence
    p = prices[len(prices) // 2]
    if p % 100 == 0:
        check(["--max-price", str(p // 100)],
              lambda o, v=p: o["price"]["amount_pence"] <= v, "price <= %d pounds" % (p // 100))
        check(["--max-price", "%d.0" % (p // 100)],
              lambda o, v=p: o["price"]["amount_pence"] <= v, "price <= %d.0 pounds" % (p // 100))

    # filters combine with AND
    o = next(x for x in active if x["area"] == "integrated-care-training" and x["tags"])
    check(["--area", o["area"], "--provider", o["provider"]["ods"], "--delivery", o["delivery"],
           "--tag", o["tags"][0]],
          lambda x: (x["area"] == o["area"] and x["provider"]["ods"] == o["provider"]["ods"]
                     and x["delivery"] == o["delivery"] and o["tags"][0] in x["tags"]),
          "all four of %s's area, provider, delivery and first tag" % o["id"])

    # withdrawn offerings only with --include-withdrawn
    withdrawn = [x["id"] for x in catalogue if x["status"] == "withdrawn"]
    expect(withdrawn, "the test catalogue must hold a withdrawn offering")
    every = search(box, "--include-withdrawn")
    expect(sorted(ids(every)) == sorted(ids(catalogue)),
           "--include-withdrawn must list every offering, withdrawn ones too")


def check_paging(box):
    for text in ([], ["nurse"], ["care"]):
        full = ids(search(box, *text))
        expect(len(full) >= 5, "need a few results to page through for %s" % text)
        for size in ((1, 3) if text == ["nurse"] else (2, 7)):
            pages = []
            for offset in range(0, len(full) + size, size):
                pages += ids(box.ok(["search"] + text + ["--json", "--limit", str(size),
                                                         "--offset", str(offset)]).json())
            expect(pages == full, "pages of %d (search %s) must concatenate to the full "
                   "list:\n%s\n%s" % (size, text, pages, full))
        # the default limit is 20
        default = ids(box.ok(["search"] + text + ["--json"]).json())
        expect(default == full[:20], "without --limit, search must show the first 20")


def check_facets(box):
    for args in ([], ["nurse"], ["--area", "productivity"], ["care", "--delivery", "blended"]):
        res = box.ok(["search"] + args + ["--facets", "--json", "--limit", "2"]).json()
        every = search(box, *args)
        expect(len(res["results"]) == min(2, len(every)),
               "--facets must not change how many results are shown")
        count = collections.Counter
        want = {
            "area": count(o["area"] for o in every),
            "provider": count(o["provider"]["ods"] for o in every),
            "delivery": count(o["delivery"] for o in every),
            "tag": count(t for o in every for t in o["tags"]),
        }
        for group in ("area", "provider", "delivery"):
            expect(res["facets"][group] == dict(want[group]),
                   "facet %s for search %s must count every match:\nexpected %s\ngot %s"
                   % (group, args, dict(want[group]), res["facets"][group]))
        # tags may be cut to the most frequent ones, but each count must be right
        for tag, n in res["facets"]["tag"].items():
            expect(want["tag"][tag] == n, "facet tag %s for search %s: %d, expected %d"
                   % (tag, args, n, want["tag"][tag]))
        if want["tag"]:
            top = max(want["tag"].values())
            expect(any(n == top for n in res["facets"]["tag"].values()),
                   "the most frequent tag must be among the tag facets")


def check_text(box, catalogue):
    active = [o for o in catalogue if o["status"] == "active"]
    # a distinctive word of a title finds that offering
    for o in active[:: max(1, len(active) // 10)]:
        words = [w.strip(":,.()").lower() for w in o["title"].split()]
        word = max(words, key=len)
        got = ids(search(box, word))
        expect(o["id"] in got, "search %r must find %s (%s)" % (word, o["id"], o["title"]))
        # every result of a text search is an active offering
        expect(set(got) <= {x["id"] for x in active}, "text search must not list withdrawn")
        # prefix search finds it too
        if len(word) > 4:
            got = ids(search(box, word[:4] + "*"))
            expect(o["id"] in got, "search %s* must find %s" % (word[:4], o["id"]))
    # all words are required
    both = set(ids(search(box, "nurse", "community")))
    expect(both, "search nurse community should find something")
    expect(both <= set(ids(search(box, "nurse"))) & set(ids(search(box, "community"))),
           "a two-word search must only find offerings that match both words")


def check_human_matches_json(box):
    for args in (["nurse"], ["--area", "health-planning"], []):
        j = ids(box.ok(["search"] + args + ["--json"]).json())
        human = box.ok(["search"] + args).stdout.splitlines()
        listed = [line.split("  ", 1)[0] for line in human if line and not line.startswith(" ")]
        expect(listed == j, "search %s: the human output must list the --json results in "
               "order:\n%s\n%s" % (args, listed, j))


def check_sort_and_more(box, catalogue):
    active = [o for o in catalogue if o["status"] == "active"]
    # --sort price: unit price, lowest first (ties by id); title: A to Z.
    got = ids(search(box, "--sort", "price", "--limit", BIG))
    want = [o["id"] for o in sorted(active, key=lambda o: (o["price"]["amount_pence"], o["id"]))]
    expect(got == want, "--sort price orders by unit price:\n%s\n%s" % (got, want))
    got = ids(search(box, "--sort", "title", "--limit", BIG))
    want = [o["id"] for o in sorted(active, key=lambda o: (o["title"], o["id"]))]
    expect(got == want, "--sort title orders by title")
    nurse = ids(search(box, "nurse", "--limit", BIG))
    by_price = ids(search(box, "nurse", "--sort", "price", "--limit", BIG))
    expect(sorted(by_price) == sorted(nurse) and by_price != nurse,
           "--sort price orders the same matches differently: %r" % by_price)
    expect(ids(search(box, "nurse", "--sort", "relevance", "--limit", BIG)) == nurse,
           "--sort relevance is the default order")
    clitest.one_error_line(box.run(["search", "--sort", "cheapest"]), 2,
                           r"--sort must be relevance, price or title")
    # A full page says on stderr how many more match.
    res = box.ok(["search", "--limit", "5"])
    total = len(active)
    expect(res.stderr == "fgcat: %d more match; --offset 5 shows the next page\n"
           % (total - 5), "a cut page says how many more match", res)
    res = box.ok(["search", "--limit", "5", "--offset", str(total - 5)])
    expect(res.stderr == "", "the last page says nothing more", res)
    # An unknown area is a usage error that lists the areas there are.
    res = box.run(["search", "nurse", "--area", "nursing"])
    areas = sorted({o["area"] for o in catalogue})
    clitest.one_error_line(res, 2, r"no service area 'nursing'; the areas are: "
                           + ", ".join(areas))


def main(opts):
    with Sandbox(opts) as box:
        box.seed()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                                       "withdrawn.json")])
        catalogue = json.loads(box.ok(["export"]).stdout)
        check_filters(box, catalogue)
        check_paging(box)
        check_facets(box)
        check_text(box, catalogue)
        check_human_matches_json(box)
        check_sort_and_more(box, catalogue)


if __name__ == "__main__":
    clitest.main(main, __doc__)
