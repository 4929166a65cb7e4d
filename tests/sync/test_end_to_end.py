"""A hub and three nodes: provider TST and members RXX and RYY, each with
its own catalogue and token.  The provider's offerings reach both members;
a member's request reaches the provider and not the other member; the
provider's acceptance reaches the requester; an offering the provider
stops registering shows as withdrawn on both members; a sync with nothing
new is one HTTP request; sync status tells the truth."""

import re

import synctest
from synctest import expect, same_offerings


def scenario(scene):
    hub = scene.hub().start()
    tst = scene.node("TST", "alpha,beta,gamma")
    rxx = scene.node("RXX")
    ryy = scene.node("RYY")
    tst.ok(["refresh"])
    for n in (tst, rxx, ryy):
        n.follow(hub)
    expect(rxx.export() == {}, "a member registering nothing starts empty")

    # Before the first sync, status knows the remote but no organisation.
    st = rxx.status()
    expect(st["org"] is None and st["pending"] is None and st["cursor"] is None,
           "status before any sync: %s" % st)

    _, rep = tst.sync()
    expect(rep["pushed"] == 3 and rep["refused"] == 0 and rep["status"] == "ok",
           "the provider pushes its three offerings: %s" % rep)

    # The provider's offerings reach both members, record for record.
    for m in (rxx, ryy):
        _, rep = m.sync()
        expect(rep["pulled"] == 3 and rep["pushed"] == 0, "%s pulls three: %s" % (m.ods, rep))
        got = same_offerings(tst, m)
        expect(sorted(got) == ["TST/alpha", "TST/beta", "TST/gamma"], "offerings: %s" % sorted(got))

    # A member's request reaches the provider, and not the other member.
    req = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                  "--contact", "buyer@example.nhs.uk", "--note", "two ward teams",
                  "--json"]).json()
    rid = req["id"]
    expect(req["quote"] == {"amount_pence": 20000, "currency": "GBP"},
           "the plugin quotes 2 x 10000: %s" % req["quote"])
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1, "the member pushes its request: %s" % rep)
    _, rep = tst.sync()
    expect(rep["pulled"] == 1, "the provider pulls the request: %s" % rep)
    _, rep = ryy.sync()
    expect(rep["pulled"] == 0, "RYY pulls nothing: %s" % rep)
    at_tst = tst.requests()
    expect(list(at_tst) == [rid], "the provider sees the request: %s" % list(at_tst))
    # The hub stamps the moves' times: the requester's node took the
    # hub's version when it pulled, and so did the provider's.
    mine = rxx.requests()[rid]
    expect([h["status"] for h in mine["history"]]
           == [h["status"] for h in req["history"]], "the requester's copy: %s" % mine)
    for k in ("offering_id", "requester", "quantity", "note", "quote", "status", "history"):
        expect(at_tst[rid][k] == mine[k], "request field %s differs at the provider: %r vs %r"
               % (k, at_tst[rid][k], mine[k]))
    expect(ryy.requests() == {}, "RYY must not see RXX's request: %s" % ryy.requests())
    status, body, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RYY"))
    expect(status == 404, "GET /v1/requests/ID with RYY's token: %s %s" % (status, body))
    for ods in ("RXX", "TST"):
        status, body, hdrs = hub.api("GET", "/v1/requests/" + rid, hub.token(ods))
        expect(status == 200 and body["id"] == rid and hdrs["ETag"] == '"1"',
               "GET /v1/requests/ID with %s's token: %s %s" % (ods, status, body))
    # The offering itself is visible to everyone, RYY included.
    status, body, _ = hub.api("GET", "/v1/offerings/TST/alpha", hub.token("RYY"))
    expect(status == 200 and body["rev"] == 1, "GET /v1/offerings/TST/alpha: %s" % status)

    # The provider's acceptance reaches the requester (and only it).
    tst.ok(["request", "accept", rid, "--org", "TST"])
    _, rep = tst.sync()
    expect(rep["pushed"] == 1, "the provider pushes its acceptance: %s" % rep)
    _, rep = rxx.sync()
    expect(rep["pulled"] == 1, "the requester pulls the acceptance: %s" % rep)
    got = rxx.ok(["request", "show", rid, "--json"]).json()
    expect(got["status"] == "accepted" and [h["status"] for h in got["history"]]
           == ["submitted", "accepted"] and got["history"][1]["by"] == "TST",
           "the requester sees the acceptance: %s" % got)
    expect(got == tst.ok(["request", "show", rid, "--json"]).json(),
           "requester and provider hold the same request")
    ryy.sync()
    expect(ryy.requests() == {}, "RYY still sees no request")

    # An offering the provider stops registering is withdrawn everywhere,
    # with its date, rather than vanishing.
    tst.set_offerings("alpha,beta")
    _, rep = tst.sync()
    expect(rep["pushed"] == 1, "the provider pushes the withdrawal: %s" % rep)
    for m in (rxx, ryy):
        _, rep = m.sync()
        expect(rep["pulled"] == 1, "%s pulls the withdrawal: %s" % (m.ods, rep))
        g = m.ok(["show", "TST/gamma", "--json"]).json()
        expect(g["status"] == "withdrawn" and g["rev"] == 2
               and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", g.get("withdrawn_at") or ""),
               "%s: TST/gamma must be withdrawn with withdrawn_at: %s" % (m.ods, g))
        same_offerings(tst, m)
        found = m.ok(["search", "gamma", "--json"]).json()
        expect(all(o["id"] != "TST/gamma" for o in found),
               "%s: a withdrawn offering is not in a plain search" % m.ods)
        found = m.ok(["search", "gamma", "--include-withdrawn", "--json"]).json()
        expect(any(o["id"] == "TST/gamma" for o in found),
               "%s: --include-withdrawn finds it" % m.ods)

    # A second sync with nothing new is exactly one small HTTP request.
    mark = hub.mark()
    _, rep = rxx.sync()
    expect(rep["http_calls"] == 1 and rep["pulled"] == 0 and rep["pushed"] == 0,
           "an empty sync is one request: %s" % rep)
    lines = hub.requests_since(mark)
    expect(len(lines) == 1 and lines[0][0] == "GET" and lines[0][1] == "/v1/changes"
           and lines[0][2] == 200 and lines[0][3] == "RXX",
           "the hub logs exactly one request for an empty sync: %s" % lines)
    # ...and the hub's log never shows a token.
    log = hub.log()
    for tok in hub.tokens.values():
        expect(tok not in log, "a token appears in the hub's log")

    # sync status: last success, the cursor at the hub's end, nothing pending.
    health = hub.health()
    st = rxx.status()
    expect(st["org"] == "RXX" and st["pending"] == 0 and st["last_error"] is None
           and st["refused"] == [] and st["url"] == hub.url,
           "sync status after a good sync: %s" % st)
    expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", st["last_success"] or ""),
           "last_success is a timestamp: %s" % st["last_success"])
    expect(st["cursor"] == "%s:%d" % (health["epoch"], health["seq"]),
           "the cursor %s is the hub's end %s:%d" % (st["cursor"], health["epoch"], health["seq"]))
    text = rxx.ok(["sync", "status"]).stdout
    for want in (r"^hub  %s$" % re.escape(hub.url), r"^  organisation:  RXX$",
                 r"^  last success:  %s$" % re.escape(st["last_success"]),
                 r"^  last error:    -$", r"^  cursor:        %s$" % re.escape(st["cursor"]),
                 r"^  pending:       0$"):
        expect(re.search(want, text, re.MULTILINE), "sync status text lacks /%s/:\n%s"
               % (want, text))
    # Something to push shows as pending until it is pushed.
    rxx.ok(["request", "cancel", rid, "--org", "RXX", "--reason", "budget"])
    expect(rxx.status()["pending"] == 1, "a local move is pending: %s" % rxx.status())
    rxx.sync()
    expect(rxx.status()["pending"] == 0, "pushed, nothing pending")
    tst.sync()
    expect(tst.requests()[rid]["status"] == "cancelled", "the provider sees the cancellation")
    for n in (tst, rxx, ryy):
        n.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
