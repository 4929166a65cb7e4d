"""A cursor older than the hub's tombstone retention: the provider deletes
an offering (a tombstone reaches the hub); the hub restarts with
--tombstone-days 0 and purges it; a member that has not synced since gets
410 (expired), walks a snapshot and drops the deleted offering; a node
whose cursor is past the purge goes on incrementally."""

import time

import synctest
from synctest import expect, same_offerings


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    ryy = scene.node("RYY")
    ryy.follow(hub)
    ryy.sync()
    old_cursor = rxx.status()["cursor"]

    tst.ok(["delete", "TST/beta"])
    expect("TST/beta" not in tst.revs(), "deleted on the provider")
    _, rep = tst.sync()
    expect(rep["pushed"] == 1, "the tombstone is pushed: %s" % rep)
    expect("TST/beta" not in hub.export(), "deleted on the hub")
    # RYY follows the deletion incrementally, before the purge.
    _, rep = ryy.sync()
    expect(rep["deleted"] == 1 and not rep["resynced"] and "TST/beta" not in ryy.revs(),
           "an incremental pull carries the tombstone: %s" % rep)
    status, page, _ = hub.api("GET", "/v1/changes?since=" + old_cursor, hub.token("RXX"))
    expect(status == 200 and any(c["id"] == "TST/beta" and c.get("deleted")
                                 and c.get("deleted_at") for c in page["changes"]),
           "the feed lists the tombstone with its date: %s" % page)

    # Tombstones are stamped to the second; purge "older than 0 days" needs
    # this one to be in the past.
    time.sleep(1.1)
    port = hub.port
    hub.stop()
    hub.start(["--tombstone-days", "0"], port=port,
              wait_for=r"^fgcat: hub: purged 1 tombstones older than 0 days$")

    # The provider and RYY are past the purge: no resync for them.
    for n in (tst, ryy):
        _, rep = n.sync()
        expect(not rep["resynced"] and rep["http_calls"] == 1,
               "%s is past the purge: incremental, one request: %s" % (n.ods, rep))

    # RXX is behind it: 410 expired, snapshot, and beta goes.
    expect("TST/beta" in rxx.revs(), "RXX still holds beta")
    status, body, _ = hub.api("GET", "/v1/changes?since=" + old_cursor, hub.token("RXX"))
    expect(status == 410 and body["error"] == "resync" and body["reason"] == "expired",
           "an expired cursor: 410 %s" % body)
    mark = hub.mark()
    _, rep = rxx.sync()
    expect(rep["resynced"] and rep["deleted"] == 1, "a full resync drops beta: %s" % rep)
    paths = [(l[1], l[2]) for l in hub.requests_since(mark)]
    expect(paths[:2] == [("/v1/changes", 410), ("/v1/snapshot", 200)],
           "410, then the snapshot: %s" % paths)
    got = same_offerings(tst, rxx)
    expect(sorted(got) == ["TST/alpha", "TST/gamma"], "converged: %s" % sorted(got))
    same_offerings(tst, ryy)
    st = rxx.status()
    expect(st["cursor"] == "%s:%d" % (hub.health()["epoch"], hub.health()["seq"])
           and st["pending"] == 0, "settled: %s" % st)
    rxx.check_integrity()
    _, rep = rxx.sync()
    expect(not rep["resynced"] and rep["http_calls"] == 1, "then incremental again: %s" % rep)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
