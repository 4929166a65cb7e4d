"""kill -9 of a member in the middle of a full resync (a hub restored from
a backup, a snapshot of 3,000 offerings in pages of 1000): nothing is
dropped before the walk is complete, the walk resumes where it stopped
(not from the start, and without asking the feed again), what was listed
before the kill still counts as listed, and the member ends equal to the
hub, its own request pushed again."""

import os
import shutil
import time

import synctest
from synctest import expect, same_offerings

N = 3000
PAGE = 1000  # fgcat sync --page: three pages


def scenario(scene):
    hub = scene.hub(offerings=",".join("course-%04d" % i for i in range(N)))
    hub.token("RXX")
    hub.start()
    rxx = scene.node("RXX")
    proxy = scene.proxy(hub)
    rxx.follow(hub, url=proxy.url)
    rxx.sync()
    expect(len(rxx.revs()) == N, "the member holds all %d" % N)
    ours = rxx.ok(["request", "create", "TST/course-2999", "--org", "RXX", "--quantity", "1",
                   "--json"]).json()["id"]

    # A backup; then the operator deletes one offering, which the member
    # follows; then the older backup is restored (the offering is back).
    port = hub.port
    hub.stop()
    backup = os.path.join(hub.sandbox.tmp, "backup.db")
    shutil.copy2(hub.db, backup)
    hub.start(port=port)
    hub.run(["delete", "TST/course-0001"])
    _, rep = rxx.sync("--page", str(PAGE))
    expect(rep["deleted"] == 1 and rep["pushed"] == 1 and len(rxx.revs()) == N - 1,
           "the member pushes its request and follows the deletion: %s" % rep)
    hub.stop()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(hub.db + suffix):
            os.remove(hub.db + suffix)
    shutil.copy2(backup, hub.db)
    hub.start(port=port, wait_for=r"restored from a backup")
    proxy.set_upstream(hub.port)

    # The resync is killed after two pages of the snapshot.
    proxy.forget()
    rule = proxy.inject("hold", path="/v1/snapshot", skip=2, fraction=0.5)
    bg = rxx.spawn(["sync", "--json", "--page", str(PAGE)])
    expect(rule.reached.wait(60), "the third snapshot page was never asked for:\n" + bg.stderr)
    # (The third page is asked for while the second is applied: wait for
    # the second to be committed, then kill.)
    deadline = time.time() + 60
    while rxx.sql("SELECT count(*) FROM sync_seen WHERE remote = 'hub'") != [(2 * PAGE,)]:
        expect(time.time() < deadline, "the second snapshot page was never committed")
        time.sleep(0.05)
    bg.kill9()
    rule.release.set()
    expect([s.status for s in proxy.seen("/v1/changes")] == [410], "a 410 started it")
    rxx.check_integrity()
    cursor = rxx.status()["cursor"]
    expect(cursor.startswith("snapshot:"), "the walk's place is kept: %s" % cursor)
    after = int(cursor.split(":")[1])
    # (course-0001 is back already: the first page listed it.)
    expect(len(rxx.revs()) == N, "nothing dropped before the walk is complete: %d"
           % len(rxx.revs()))
    seen = rxx.sql("SELECT count(*) FROM sync_seen WHERE remote = 'hub'")[0][0]
    expect(seen == 2 * PAGE, "two pages listed so far: %d" % seen)

    # The next sync resumes the walk and converges on the restored hub.
    proxy.forget()
    _, rep = rxx.sync("--page", str(PAGE))
    expect(rep["resynced"], "the resumed walk completes the resync: %s" % rep)
    first = proxy.seen()[0]
    expect(first.path == "/v1/snapshot" and ("after=%d&" % after) in first.query + "&",
           "it resumes at after=%d, not from the start: %r" % (after, first))
    expect(proxy.count("/v1/changes") == 0, "no 410 again")
    expect(proxy.count("/v1/snapshot") == N // PAGE - 2,
           "only the rest of the walk: %s" % proxy.seen("/v1/snapshot"))
    got = same_offerings(hub, rxx)
    expect(len(got) == N and "TST/course-0001" in got, "all %d, course-0001 back" % len(got))
    expect(rxx.sql("SELECT count(*) FROM sync_seen") == [(0,)], "the walk's notes are gone")
    health = hub.health()
    expect(rxx.status()["cursor"].startswith(health["epoch"] + ":"),
           "an incremental cursor on the new epoch: %s" % rxx.status()["cursor"])
    synctest.cursor_not_ahead(rxx, hub, hub.token("RXX"))
    # The member's request, pushed after the backup, was lost by the
    # restore and is pushed again once the walk is complete.
    status, body, _ = hub.api("GET", "/v1/requests/" + ours, hub.token("RXX"))
    expect(status == 200 and body["status"] == "submitted", "the request is back: %s" % status)
    expect(rxx.status()["pending"] == 0, "nothing pending")
    rxx.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
