"""A hub restored from an older backup: its catalogue goes back in time, so
on start it takes a new epoch (and says so in its log); every client's
next sync is a full resync ("resynced": true) and converges: what the
restored hub lost is pushed again by its owners (the provider's new and
changed offerings, its deletion and its acceptance, the member's new
request)."""

import os
import shutil

import synctest
from synctest import expect, same_offerings


def copy_db(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
        if os.path.exists(src + suffix):
            shutil.copy2(src + suffix, dst + suffix)


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    r1 = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                 "--json"]).json()["id"]
    rxx.sync()
    tst.sync()
    expect(r1 in tst.requests(), "the provider has the first request")

    # The operator's backup, taken while the hub is stopped.
    port = hub.port
    hub.stop()
    backup = os.path.join(hub.sandbox.tmp, "backup.db")
    copy_db(hub.db, backup)
    hub.start(port=port)
    old = hub.health()

    # Life goes on: new and changed offerings, a deletion, an acceptance,
    # a new request.
    tst.set_offerings("alpha,gamma,delta", suffix=" (2027)")
    tst.ok(["delete", "TST/beta"])
    tst.ok(["request", "accept", r1, "--org", "TST"])
    _, rep = tst.sync()
    expect(rep["pushed"] == 5, "three offerings, a tombstone, an acceptance: %s" % rep)
    rxx.sync()
    r2 = rxx.ok(["request", "create", "TST/delta", "--org", "RXX", "--quantity", "1",
                 "--json"]).json()["id"]
    rxx.sync()
    tst.sync()
    rxx.sync()
    expect(hub.health()["seq"] > old["seq"], "the hub moved on")

    # Disaster, and the restore of the older backup.
    hub.stop()
    copy_db(backup, hub.db)
    hub.start(port=port, wait_for=r"restored from a backup")
    new = hub.health()
    expect(new["epoch"] != old["epoch"], "the restored hub takes a new epoch: %s" % new)
    hub.wait_log(r"^fgcat: hub: the feed's new epoch is %s$" % new["epoch"])
    at_hub = hub.export()
    expect("TST/delta" not in at_hub and at_hub["TST/beta"]["status"] == "active",
           "the restored hub lost delta and beta's deletion")

    # The provider first: a full resync, then it pushes again what it owns.
    mark = hub.mark()
    _, rep = tst.sync()
    expect(rep["resynced"], "the provider's sync is a full resync: %s" % rep)
    lines = hub.requests_since(mark)
    expect(any(l[1] == "/v1/changes" and l[2] == 410 for l in lines)
           and any(l[1] == "/v1/snapshot" for l in lines),
           "a 410 on the feed, then a snapshot: %s" % lines)
    at_hub = hub.export()
    expect(at_hub["TST/delta"]["rev"] == 1 and at_hub["TST/alpha"]["rev"] == 2,
           "the provider's offerings are back on the hub")
    expect("TST/beta" not in at_hub and "TST/beta" not in tst.revs(),
           "the deletion is pushed again, not undone: beta at the hub %s, at the provider %s"
           % (at_hub.get("TST/beta"), tst.revs().get("TST/beta")))
    status, body, _ = hub.api("GET", "/v1/requests/" + r1, hub.token("TST"))
    expect(status == 200 and body["status"] == "accepted",
           "the provider's acceptance is back on the hub: %s" % body)

    # The member: a full resync; its new request goes back to the hub.
    _, rep = rxx.sync()
    expect(rep["resynced"], "the member's sync is a full resync: %s" % rep)
    status, body, _ = hub.api("GET", "/v1/requests/" + r2, hub.token("RXX"))
    expect(status == 200 and body["status"] == "submitted",
           "the member's request is back on the hub: %s %s" % (status, body))
    _, rep = tst.sync()
    expect(not rep["resynced"], "later syncs are incremental again: %s" % rep)
    _, rep = rxx.sync()
    expect(not rep["resynced"] and rep["http_calls"] == 1, "and cheap: %s" % rep)

    # Converged: offerings and requests alike, and nothing pending or refused.
    got = same_offerings(tst, rxx)
    same_offerings(tst, hub)
    expect(sorted(got) == ["TST/alpha", "TST/delta", "TST/gamma"], "offerings: %s" % sorted(got))
    expect(tst.requests() == rxx.requests() and set(tst.requests()) == {r1, r2},
           "provider and member hold the same requests")
    for n in (tst, rxx):
        st = n.status()
        expect(st["pending"] == 0 and st["refused"] == [] and
               st["cursor"].startswith(new["epoch"] + ":"),
               "%s: settled on the new epoch: %s" % (n.ods, st))
        n.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
