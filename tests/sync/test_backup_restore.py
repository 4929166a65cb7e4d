"""Backup and restore that never lose or reuse (issue 15).

`fgcat backup FILE` on a running hub, right after a member's four requests
and a provider's withdrawal, holds all of them.  Life goes on; the hub is
killed and restored from that older backup twice: with `fgcat restore`
(its current state file left beside it), and by copying the backup file
back together with the state file of the backup's time (the procedure a
careless operator follows).  Each time the hub starts a new epoch, every
node's next sync is a full resync, and provider, member and hub converge
with every offering, request and move written after the backup back on
the hub.  A node restored from its own backup resynchronises too and gets
back from the hub what it lost.
"""

import os
import shutil

import synctest
from synctest import expect, same_offerings


def converge(hub, tst, rxx, epochs, want_requests):
    """Two rounds of syncs after a restore: the first of each node is a
    full resync; then provider, member and hub agree on everything."""
    new = hub.health()
    expect(new["epoch"] not in epochs, "the restored hub takes a new epoch: %s" % new)
    epochs.add(new["epoch"])
    _, rep = tst.sync()
    expect(rep["resynced"], "the provider resynchronises: %s" % rep)
    _, rep = rxx.sync()
    expect(rep["resynced"], "the member resynchronises: %s" % rep)
    tst.sync()
    rxx.sync()
    same_offerings(tst, rxx)
    same_offerings(tst, hub)
    reqs = tst.requests()
    expect(reqs == rxx.requests(), "provider and member hold the same requests")
    expect(set(reqs) == set(want_requests), "requests: %s, not %s"
           % (sorted(reqs), sorted(want_requests)))
    for rid, status in want_requests.items():
        code, body, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RXX"))
        expect(code == 200 and body["status"] == status,
               "request %s at the hub: %s %s, not %s" % (rid, code, body, status))
    for n in (tst, rxx):
        st = n.status()
        expect(st["pending"] == 0 and st["refused"] == []
               and st["cursor"].startswith(new["epoch"] + ":"),
               "%s settled on the new epoch: %s" % (n.ods, st))
        n.check_integrity()


def new_request(rxx, offering):
    return rxx.ok(["request", "create", offering, "--org", "RXX", "--quantity", "1",
                   "--json"]).json()["id"]


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member(offerings="alpha,beta,gamma,delta")
    tmp = hub.sandbox.tmp
    epochs = {hub.health()["epoch"]}

    # Four requests and a withdrawal, then an online backup.
    want = {new_request(rxx, "TST/alpha"): "submitted" for _ in range(4)}
    rxx.sync()
    tst.set_offerings("alpha,gamma,delta")
    tst.sync()
    expect(hub.export()["TST/beta"]["status"] == "withdrawn", "beta is withdrawn at the hub")
    backup = os.path.join(tmp, "hub-backup.db")
    res = hub.run(["backup", backup])
    expect("backed up" in res.stderr, "fgcat backup says what it did", res)
    state_then = os.path.join(tmp, "hub-state-then")
    shutil.copy2(hub.db + ".hub-state", state_then)
    res = hub.sandbox.run(["backup", backup], env=hub.env)
    expect(res.code == 2 and "exists" in res.stderr, "a backup never overwrites a file", res)

    # The backup is whole: restored into a catalogue of its own, it holds
    # the four requests and the withdrawal.
    scratch = os.path.join(tmp, "scratch.db")
    hub.run(["--db", scratch, "restore", backup])
    got = {r["id"] for r in hub.run(["--db", scratch, "request", "list", "--json"]).json()}
    expect(got == set(want), "the backup holds the 4 requests: %s" % sorted(got))
    beta = [o for o in hub.run(["--db", scratch, "export"]).json() if o["id"] == "TST/beta"]
    expect(beta and beta[0]["status"] == "withdrawn", "the backup holds the withdrawal")

    # Life goes on after the backup.
    first = sorted(want)[0]
    tst.set_offerings("alpha,gamma,delta,epsilon", suffix=" (2027)")
    tst.ok(["request", "accept", first, "--org", "TST"])
    tst.sync()
    rxx.sync()
    want[first] = "accepted"
    want[new_request(rxx, "TST/epsilon")] = "submitted"
    rxx.sync()
    tst.sync()
    rxx.sync()

    # The hub dies; `fgcat restore` of the older backup, state file as is.
    port = hub.port
    hub.kill()
    res = hub.run(["restore", backup])
    expect("new feed epoch" in res.stderr, "fgcat restore says what it did", res)
    hub.start(port=port)
    at_hub = hub.export()
    expect("TST/epsilon" not in at_hub, "the restored hub went back in time")
    converge(hub, tst, rxx, epochs, want)
    expect(hub.export()["TST/epsilon"]["rev"] == 1, "the provider pushed epsilon again")

    # Again: more life, the hub dies, and the backup file is copied back
    # with the state file of its time.
    want[new_request(rxx, "TST/gamma")] = "submitted"
    rxx.sync()
    tst.sync()
    hub.kill()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(hub.db + suffix):
            os.remove(hub.db + suffix)
    shutil.copy2(backup, hub.db)
    shutil.copy2(state_then, hub.db + ".hub-state")
    hub.start(port=port, wait_for=r"copied back from a backup")
    converge(hub, tst, rxx, epochs, want)

    # A node restored from its own backup resynchronises and gets back from
    # the hub what it had pushed after the backup.
    node_backup = os.path.join(rxx.sandbox.tmp, "node-backup.db")
    rxx.ok(["backup", node_backup])
    late = new_request(rxx, "TST/delta")
    rxx.sync()
    rxx.ok(["restore", node_backup])
    expect(late not in rxx.requests(), "the node went back in time")
    _, rep = rxx.sync()
    expect(rep["resynced"], "a restored node resynchronises: %s" % rep)
    expect(late in rxx.requests(), "the node got its request back from the hub")
    want[late] = "submitted"
    converge_epoch = hub.health()["epoch"]
    tst.sync()
    expect(set(tst.requests()) == set(want) == set(rxx.requests()),
           "after the node's restore, provider and member hold every request")
    expect(rxx.status()["cursor"].startswith(converge_epoch + ":"), "the node is settled")

    # A backup that is not a catalogue is refused, and changes nothing.
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "wb") as f:
        f.write(b"not a database" * 100)
    before = hub.health()
    res = hub.sandbox.run(["restore", junk], env=hub.env)
    expect(res.code in (1, 2) and res.stderr.startswith("fgcat: ")
           and len(res.stderr.strip().splitlines()) == 1, "a junk backup: one line", res)
    expect(hub.health() == before, "a refused restore changed nothing")
    res = hub.sandbox.run(["restore", os.path.join(tmp, "missing.db")], env=hub.env)
    expect(res.code == 3, "a missing backup: exit 3", res)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
