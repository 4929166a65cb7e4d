"""A request both parties moved after the hub's backup comes back whole.

The member made the request and the provider accepted it, both synced;
then the hub is restored from a backup older than the request.  Neither
node may push the other's move, so the request returns in steps: the
provider's first push is refused (a new request is its requester's to
push), the member's push brings back the submission and stops at the
provider's acceptance (the hub keeps what it could apply and says how far
it got), and once the provider sees the hub's version has moved on it
pushes its acceptance again.  Both nodes and the hub end with the same
history, and no refusal is left standing."""

import os
import shutil

import synctest
from synctest import expect


def copy_db(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
        if os.path.exists(src + suffix):
            shutil.copy2(src + suffix, dst + suffix)


def history(node, rid):
    return [(h["status"], h["by"]) for h in node.requests()[rid]["history"]]


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    port = hub.port
    hub.stop()
    backup = os.path.join(hub.sandbox.tmp, "backup.db")
    copy_db(hub.db, backup)
    hub.start(port=port)

    rid = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                  "--json"]).json()["id"]
    rxx.sync()
    tst.sync()
    tst.ok(["request", "accept", rid, "--org", "TST"])
    tst.sync()
    rxx.sync()
    whole = [("submitted", "RXX"), ("accepted", "TST")]
    expect(history(rxx, rid) == whole, "the member saw the acceptance before the restore")

    hub.stop()
    copy_db(backup, hub.db)
    hub.start(port=port, wait_for=r"restored from a backup")

    # The provider first: a new request is its requester's to push.
    tst.sync(code=4)
    # The member brings the submission back; the acceptance is not its own.
    rxx.sync(code=4)
    status, rec, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RXX"))
    expect(status == 200 and rec["rev"] == 1 and rec["status"] == "submitted",
           "the hub kept the submission it could apply: %s %s" % (status, rec))
    # The provider sees the hub moved on and pushes its acceptance again.
    tst.sync()
    tst.sync()
    rxx.sync()
    status, rec, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("TST"))
    expect(status == 200 and [(h["status"], h["by"]) for h in rec["history"]] == whole,
           "the hub has the whole history again: %s" % rec)
    expect(history(tst, rid) == whole and history(rxx, rid) == whole,
           "both nodes agree: %s / %s" % (history(tst, rid), history(rxx, rid)))
    for node in (tst, rxx):
        refused = [f for f in node.status()["refused"] if f["id"] == rid]
        expect(not refused, "%s: no refusal left standing: %s" % (node.ods, refused))
    # And nothing more moves: a further round is quiet.
    _, rep = tst.sync()
    expect(rep["pushed"] == 0 and rep["refused"] == 0, "a quiet round: %s" % rep)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
