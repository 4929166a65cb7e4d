"""The product's central flow on default installs: a hub and three nodes,
every one loading the built-in plugins (so every node registers every
provider's offerings itself, and the hub does too).  Member RXX requests
RTF's built-in RTF/integrated-care-community-nursing; after a sync the
provider RTF sees it and accepts it, and RXX sees it accepted with its
history.  The same for a decline, a cancellation by the requester and a
completion.  A third trust, RYJ, never sees any of them.  sync status
counts every submission and move as delivered, and a request made before
the first sync goes in that first sync (the pull shows the hub carries the
offering; nothing is left behind silently)."""

import datetime

import synctest
from synctest import expect

OFFERING = "RTF/integrated-care-community-nursing"


def start_date():
    """A start far enough ahead for the area's notice rules."""
    return (datetime.date.today() + datetime.timedelta(days=120)).isoformat()


def create(node, offering=OFFERING, quantity=12):
    return node.ok(["request", "create", offering, "--org", node.ods, "--quantity",
                    str(quantity), "--start", start_date(), "--contact",
                    "lead@example.nhs.uk", "--note", "Two community teams", "--json"]).json()


def history(node, rid):
    got = node.ok(["request", "show", rid, "--json"]).json()
    return got["status"], [(h["status"], h["by"], h.get("reason")) for h in got["history"]]


def scenario(scene):
    hub = scene.hub(default=True).start()
    rtf = scene.node("RTF", default=True)
    rxx = scene.node("RXX", default=True)
    ryj = scene.node("RYJ", default=True)
    for n in (rtf, rxx, ryj):
        n.follow(hub)
        origin = n.sql("SELECT origin FROM offering WHERE id = ?", (OFFERING,))
        expect(origin and origin[0][0].startswith("plugin:"),
               "%s registers %s itself: %s" % (n.ods, OFFERING, origin))
    rtf.sync()
    ryj.sync()

    # Made before the member's first sync: that sync delivers it.
    req = create(rxx)
    rid = req["id"]
    shown = rxx.ok(["request", "show", rid]).stdout
    expect("not delivered: no hub this node syncs with carries %s" % OFFERING in shown,
           "request show says it is not delivered yet:\n%s" % shown)
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1 and rep["status"] == "ok", "the member delivers it: %s" % rep)
    shown = rxx.ok(["request", "show", rid]).stdout
    expect("delivered to hub" in shown, "request show says it is delivered:\n%s" % shown)
    status, body, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RXX"))
    expect(status == 200 and body["id"] == rid, "the hub has it: %s %s" % (status, body))

    _, rep = rtf.sync()
    expect(rep["pulled"] == 1, "the provider pulls it: %s" % rep)
    at_rtf = rtf.requests()
    expect(list(at_rtf) == [rid], "the provider sees it: %s" % list(at_rtf))
    # The hub stamps the moves' times: the provider's node has the hub's
    # version (the requester's gets it at its next pull: it delivered the
    # request after this sync's pull).
    mine = body
    expect([h["status"] for h in mine["history"]]
           == [h["status"] for h in req["history"]], "the hub's copy: %s" % mine)
    for k in ("offering_id", "requester", "quantity", "start", "note", "quote", "status",
              "history"):
        expect(at_rtf[rid][k] == mine[k], "field %s differs at the provider: %r vs %r"
               % (k, at_rtf[rid][k], mine[k]))
    rtf.ok(["request", "accept", rid, "--org", "RTF", "--reason", "Dates agreed"])
    _, rep = rtf.sync()
    expect(rep["pushed"] == 1, "the provider delivers its acceptance: %s" % rep)
    _, rep = rxx.sync()
    expect(rep["pulled"] == 1, "the member pulls the acceptance: %s" % rep)
    expect(history(rxx, rid) == ("accepted", [("submitted", "RXX", None),
                                              ("accepted", "RTF", "Dates agreed")]),
           "the member sees it accepted with its history: %s" % (history(rxx, rid),))
    expect(rxx.ok(["request", "show", rid, "--json"]).json()
           == rtf.ok(["request", "show", rid, "--json"]).json(),
           "requester and provider hold the same request")

    # Declined.
    rid2 = create(rxx, quantity=10)["id"]
    rxx.sync()
    rtf.sync()
    rtf.ok(["request", "decline", rid2, "--org", "RTF", "--reason", "No trainers in March"])
    rtf.sync()
    rxx.sync()
    expect(history(rxx, rid2) == ("declined", [("submitted", "RXX", None),
                                               ("declined", "RTF", "No trainers in March")]),
           "the member sees the decline: %s" % (history(rxx, rid2),))

    # Cancelled by the requester, after the provider has seen it.
    rid3 = create(rxx, quantity=8)["id"]
    rxx.sync()
    rtf.sync()
    expect(rtf.requests()[rid3]["status"] == "submitted", "the provider sees the third")
    rxx.ok(["request", "cancel", rid3, "--org", "RXX", "--reason", "budget"])
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1, "the member delivers its cancellation: %s" % rep)
    rtf.sync()
    expect(history(rtf, rid3) == ("cancelled", [("submitted", "RXX", None),
                                                ("cancelled", "RXX", "budget")]),
           "the provider sees the cancellation: %s" % (history(rtf, rid3),))

    # Accepted, then completed.
    rid4 = create(rxx, quantity=9)["id"]
    rxx.sync()
    rtf.sync()
    rtf.ok(["request", "accept", rid4, "--org", "RTF"])
    rtf.ok(["request", "complete", rid4, "--org", "RTF"])
    rtf.sync()
    rxx.sync()
    expect(history(rxx, rid4) == ("completed", [("submitted", "RXX", None),
                                                ("accepted", "RTF", None),
                                                ("completed", "RTF", None)]),
           "the member sees it completed: %s" % (history(rxx, rid4),))

    # The third trust never sees any of them, in its catalogue or the hub's.
    ryj.sync()
    expect(ryj.requests() == {}, "RYJ sees no request: %s" % ryj.requests())
    for r in (rid, rid2, rid3, rid4):
        status, body, _ = hub.api("GET", "/v1/requests/" + r, hub.token("RYJ"))
        expect(status == 404, "GET /v1/requests/%s with RYJ's token: %s %s" % (r, status, body))

    # sync status counts what each side delivered; nothing waits.
    st = rxx.status()
    expect(st["requests"] == {"waiting": 0, "delivered": 4, "refused": 0, "undeliverable": 0}
           and st["moves"] == {"waiting": 0, "delivered": 1, "refused": 0, "undeliverable": 0}
           and st["undeliverable"] == [] and st["pending"] == 0,
           "the member's sync status: %s" % st)
    st = rtf.status()
    expect(st["moves"] == {"waiting": 0, "delivered": 4, "refused": 0, "undeliverable": 0}
           and st["pending"] == 0, "the provider's sync status: %s" % st)
    for n in (rtf, rxx, ryj):
        n.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
