#!/usr/bin/env python3
"""The offering page against `fgcat show --json` on the same catalogue.

Every field of an offering is on the page in plain words (title, id,
summary, description, the area by its plugin's label, provider, delivery,
duration, capacity as requests at a time, price per unit, regions, tags,
contact, each attribute by its plugin's label and unit, status, revision),
and no internal name (attribute keys, the area's id, true/false); a withdrawn offering is marked with
the date it was withdrawn and offers no request form; an unknown id is a
404 page; the request form appears only for a signed-in trust that may
request the offering (not for a visitor, not for its provider).
"""

import os
import re

import htmltest
from htmltest import Hub, Client, expect

ACTIVE = "RTF/integrated-care-community-nursing"
WITHDRAWN = "RTF/wound-care-pilot"


def check_active(box, client):
    o = box.ok(["show", ACTIVE, "--json"]).json()
    res = client.get("/offerings/" + ACTIVE)
    expect(res.status == 200, "the offering page answers 200\n" + res.describe())
    expect(res.tree.find("h1").text() == o["title"], "the heading is the title")
    expect(o["title"] in res.tree.find("title").text(), "the title names the offering")
    expect(res.tree.find("p", cls="summary").text() == o["summary"], "the summary, whole")
    expect(res.tree.find("div", cls="description").text() == o["description"],
           "the description, whole, line breaks kept")
    d = htmltest.definitions(res)
    areas = {a["id"]: a for a in box.ok(["areas", "--json"]).json()}
    expect(d["Area"] == areas[o["area"]]["label"] == "Integrated-care training",
           "the area by its plugin's label: %r" % d["Area"])
    expect(d["Delivery"] == "Blended: on site and remote", "delivery: %r" % d["Delivery"])
    expect(d["Reference"].startswith("%s, version %d, updated %s" % (
        o["id"], o["rev"], htmltest.long_date(o["updated_at"]))) and
        re.search(r", \d\d:\d\d UTC$", d["Reference"]),
        "reference, version and when: %r" % d["Reference"])
    expect(d["Provider"] == "%s (%s)" % (o["provider"]["name"], o["provider"]["ods"]),
           "provider: %r" % d["Provider"])
    expect(d["Duration"] == "%d days" % o["duration_days"], "duration: %r" % d["Duration"])
    # Capacity counts accepted requests, and says so, beside cohorts of people.
    expect(d["Requests taken on at once"].startswith(
        "Up to %d accepted requests at a time" % o["capacity"]) and
        "not people" in d["Requests taken on at once"],
        "capacity in words: %r" % d["Requests taken on at once"])
    expect(d["Price"] == "£{:,.2f} per delegate".format(o["price"]["amount_pence"] / 100),
           "price per unit: %r" % d["Price"])
    expect(d["Regions"] == ", ".join(o["regions"]), "regions: %r" % d["Regions"])
    expect(d["Tags"] == ", ".join(o["tags"]), "tags: %r" % d["Tags"])
    expect(d["Contact"] == o["contact"], "contact: %r" % d["Contact"])
    # Each attribute by the label and unit its plugin gives (as `fgcat show`
    # prints them), never by its key.
    shown = box.ok(["show", ACTIVE]).stdout
    for key, value in o["attributes"].items():
        m = re.search(r"^  (.+) \(%s\): " % re.escape(key), shown, re.MULTILINE)
        expect(m, "fgcat show labels %s:\n%s" % (key, shown))
        label = m.group(1)
        expect(label in d, "attribute %s is shown as %r: %r" % (key, label, d))
    for label, value in [("Minimum cohort size", "8 delegates"),
                         ("Maximum cohort size", "24 delegates"),
                         ("Notice needed", "42 days"), ("CPD hours", "60 hours"),
                         ("Train the trainer", "No"), ("Teaching language", "en-GB"),
                         ("Interpreting into", "zh-CN")]:
        expect(d.get(label) == value, "%s: %r, not %r" % (label, d.get(label), value))
    listed = res.tree.find("dl", cls="offering").text()
    for raw in [k for k in o["attributes"] if "_" in k] + ["integrated-care-training",
                                                          "per-delegate", "true", "false"]:
        expect(raw not in listed, "no internal name %r in the list: %s" % (raw, listed))
    expect(d["Status"] == "Taking requests", "status: %r" % d["Status"])
    expect(res.tree.find(cls="withdrawn") is None, "an active offering is not marked withdrawn")
    # A visitor is asked to sign in, and comes back here after.
    expect(res.tree.find("form", cls="request") is None, "no request form for a visitor")
    sign_in = [a for a in res.tree.find("section", cls="request").find_all("a")
               if a.text() == "Sign in"]
    expect(sign_in and sign_in[0].attrs["href"] == "/login?next=/offerings/" + ACTIVE,
           "a visitor gets a sign-in link back to the offering\n" + res.describe())
    # Tag and area links search by them.
    links = {a.text(): a.attrs["href"] for a in res.tree.find("dl", cls="offering").find_all("a")}
    expect(links[o["tags"][0]] == "/?tag=" + o["tags"][0], "a tag links to its search")
    expect(links["Integrated-care training"] == "/?area=" + o["area"],
           "the area links to its search")


def check_withdrawn(box, client):
    o = box.ok(["show", WITHDRAWN, "--json"]).json()
    expect(o["status"] == "withdrawn" and o.get("withdrawn_at"), "the fixture is withdrawn")
    res = client.get("/offerings/" + WITHDRAWN)
    expect(res.status == 200, "a withdrawn offering still has its page\n" + res.describe())
    banner = res.tree.find("p", cls="withdrawn")
    when = htmltest.long_date(o["withdrawn_at"])
    expect(banner is not None and "Withdrawn on " + when in banner.text(),
           "the page says when it was withdrawn (%s)\n%s" % (when, res.describe()))
    status = htmltest.definitions(res)["Status"]
    expect(status.startswith("Withdrawn on " + when), "the status says since when: %r" % status)
    expect(res.tree.find("form", cls="request") is None, "no form for a withdrawn offering")


def check_not_found(client):
    for path in ["/offerings/RTF/no-such-offering", "/offerings/nothing",
                 "/offerings/RTF/<script>x</script>", "/offerings/RTF%2Fno-such",
                 "/offerings/" + "x" * 3000]:
        res = client.get(path)
        expect(res.status == 404, "%s is a 404 page\n%s" % (path[:80], res.describe()))
        expect(len(res.errors()) == 1, "the 404 page says what was not found")
    res = client.get("/offerings/")
    expect(res.status == 303 and res.header("Location") == "/",
           "/offerings/ (no id) goes to search\n" + res.describe())
    # %00 anywhere in a URL is refused before any page sees it: a 400 page.
    res = client.get("/offerings/%00")
    expect(res.status == 400 and len(res.errors()) == 1,
           "/offerings/%00 is a 400 page\n" + res.describe())


def check_forms(box, hub):
    rxx, rtf = Client(hub), Client(hub)
    rxx.login(*hub.person("RXX"))
    rtf.login(*hub.person("RTF"))
    res = rxx.get("/offerings/" + ACTIVE)
    form = res.tree.find("form", cls="request")
    expect(form is not None, "a signed-in trust gets the request form\n" + res.describe())
    expect(form.attrs.get("method") == "post" and
           form.attrs.get("action") == "/offerings/%s/request" % ACTIVE,
           "the form posts to /offerings/ID/request: %r" % form.attrs)
    names = {n.attrs.get("name") for n in form.iter() if n.tag in ("input", "textarea")
             and n.attrs.get("type") != "hidden"}
    expect(names == {"quantity", "start", "contact", "note"},
           "the form asks for quantity, start, contact and note only: %r" % names)
    hidden = {n.attrs.get("name"): n.attrs.get("value") for n in form.iter()
              if n.tag == "input" and n.attrs.get("type") == "hidden"}
    expect(set(hidden) == {"csrf", "form"} and hidden["csrf"] == rxx.csrf and
           re.fullmatch(r"[0-9a-f]{32}", hidden["form"]),
           "it carries the CSRF token of its cookie and a one-time form token: %r" % hidden)
    expect("RXX" in form.text(), "the form says who is requesting")
    # The estimate: the CLI's quote and refusals, nothing stored.
    for quantity, start in [("12", None), ("4", None), ("12", "2020-01-01"), ("lots", None)]:
        res = rxx.get(htmltest.query(quantity=quantity, start=start).replace(
            "/?", "/offerings/%s?" % ACTIVE))
        expect(res.status == 200, "the estimate answers the page\n" + res.describe())
        cli = box.run(["request", "quote", ACTIVE, "--org", "RXX", "--quantity", quantity]
                      + (["--start", start] if start else []))
        got = res.tree.find(cls="estimate-problem")
        if cli.code == 0:
            expect(res.tree.find("strong", cls="estimate").text() == cli.stdout.strip() and
                   got is None, "the estimate is the CLI's quote: %s" % cli.stdout)
        elif cli.code == 4:
            why = cli.stderr[len("fgcat: "):].strip().split(" plugin: ", 1)[1]
            expect(got is not None and got.text() == "Error: " + why[0].upper() + why[1:],
                   "the estimate gives the plugin's refusal in its own words (%s)\n%s"
                   % (cli.stderr, res.describe()))
        else:
            expect(got is not None, "the estimate says what is wrong\n" + res.describe())
    expect(box.ok(["request", "list", "--json"]).json() == [], "an estimate stores nothing")
    res = rtf.get("/offerings/" + ACTIVE)
    expect(res.tree.find("form", cls="request") is None,
           "the provider gets no form for its own offering")
    expect("Your trust provides this offering" in res.tree.find("section", cls="request").text(),
           "the provider is told why")
    res = rxx.get("/offerings/" + WITHDRAWN)
    expect(res.tree.find("form", cls="request") is None,
           "a signed-in trust gets no form for a withdrawn offering")


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-offering") as box:
        box.seed()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli",
                                       "data", "withdrawn.json")])
        with Hub(box) as hub:
            client = Client(hub)
            check_active(box, client)
            check_withdrawn(box, client)
            check_not_found(client)
            check_forms(box, hub)
            res = client.request("HEAD", "/offerings/" + ACTIVE)
            expect(res.status == 200 and res.raw == b"", "HEAD answers without a body")
            res = client.request("DELETE", "/offerings/" + ACTIVE)
            expect(res.status == 405, "DELETE is not allowed\n" + res.describe())


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
