#!/usr/bin/env python3
"""SIGKILL during fgcat sync, at random moments, KILLS times.

A hub whose own catalogue holds OFFERINGS test-area offerings; a member,
RXX, syncing with it.  Each round starts `fgcat sync` on the member and
kills it after a delay drawn uniformly from [0, d], d the measured duration
of a normal sync that pulls every offering (so kills land while pushing,
while receiving a page, while applying one, between pages).  After every
kill: PRAGMA integrity_check, and the cursor is never ahead of the data:
every offering the hub's feed lists at or below the member's cursor is in
the member's catalogue at that rev or newer (as tests/sync checks).
Whenever a sync runs to its end the member holds exactly the hub's
offerings; the hub then changes every title (an operator's refresh) and
the member makes a request, so the next rounds have a full pull and a push
to be killed in.  At the end a sync completes, the member and the hub hold
the same offerings, and the hub holds every request the member made, once
and as the member has it.

The seed of the delays is printed (HARDEN_SEED=N replays it).
"""

import time

import hardentest as H
from hardentest import expect

OFFERINGS = 2000
KILLS = 50
PAGE = "500"  # fgcat sync --page: four pages, so kills land between pages too
synctest = H.synctest


def not_ahead(node, feed):
    """synctest.cursor_not_ahead with the hub's feed read once per change
    of the hub (it does not change in between)."""
    seq = node.cursor_seq()
    have = node.revs()
    for id_, c in feed.items():
        if c["kind"] != "offering" or c["seq"] > seq:
            continue
        expect(id_ in have and have[id_][0] >= c["record"]["rev"],
               "%s: cursor at %d but %s (seq %d, rev %d) is %s"
               % (node.ods, seq, id_, c["seq"], c["record"]["rev"],
                  "missing" if id_ not in have else "at rev %d" % have[id_][0]))
    return seq


def scenario(scene):
    rng = H.Rng("kill_sync")
    slugs = ",".join("k%d" % i for i in range(OFFERINGS))
    hub = scene.hub(offerings=slugs).start()
    token = hub.token("RXX")
    rxx = scene.node("RXX")
    rxx.follow(hub)
    start = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    version = [0]

    def change_hub():
        version[0] += 1
        hub.env["FGCAT_TEST_TITLE_SUFFIX"] = " v%d" % version[0]
        hub.run(["refresh"])
        return hub.feed(token)

    def converged():
        synctest.same_offerings(rxx, hub)
        rxx.ok(["request", "create", "TST/k%d" % version[0], "--org", "RXX", "--quantity",
                "1", "--start", start])

    took, (res, rep) = H.elapsed(rxx.sync, "--page", PAGE)
    expect(rep["pulled"] >= OFFERINGS, "the first sync pulls every offering: %s" % rep)
    converged()
    feed = change_hub()
    print("a sync pulling %d offerings takes %.2f s; kills within it" % (OFFERINGS, took))

    tally = H.Tally()
    for n in range(KILLS):
        before = rxx.cursor_seq()
        delay = rng.uniform(0, took)
        res = H.Victim(rxx.sandbox.fgcat, ["sync", "--page", PAGE], rxx.env,
                       rxx.sandbox.tmp).kill_after(delay)
        rxx.check_integrity()
        try:
            seq = not_ahead(rxx, feed)
        except H.Failure as e:
            raise H.Failure("round %d (killed after %.3f s): %s" % (n, delay, e)) from None
        if res is None:
            tally.add("unchanged" if seq == before else "applied")
            continue
        expect(res.code == 0, "a sync that was not killed succeeds", res)
        tally.add("finished")
        converged()
        feed = change_hub()
    print("%d kills: %s (applied: the cursor moved before the kill)" % (KILLS, tally))

    # The next sync completes and everything converges.
    _, rep = rxx.sync()
    expect(rep["status"] == "ok", "the sync after the kills: %s" % rep)
    synctest.same_offerings(rxx, hub)
    not_ahead(rxx, hub.feed(token))
    mine = rxx.requests()
    theirs = {r["id"]: r for r in hub.run(["request", "list", "--org", "RXX", "--json"]).json()}
    expect(set(mine) == set(theirs) and len(mine) == version[0],
           "the hub holds the member's %d requests, once each: %d" % (len(mine), len(theirs)))
    for rid, r in mine.items():
        expect(theirs[rid]["rev"] == r["rev"] and theirs[rid]["history"] == r["history"],
               "request %s differs between the member and the hub" % rid)
    rxx.check_integrity()


if __name__ == "__main__":
    t0 = time.monotonic()
    synctest.main(scenario, __doc__)
    print("%.1f s" % (time.monotonic() - t0))
