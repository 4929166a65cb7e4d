"""kill -9 of the provider in the middle of pushing many local changes
(600 offerings changed, batches of 200): once after the hub applied a batch
whose answer never arrived, then at random moments after a batch's answer
(while it is being recorded).  The outbox loses nothing and pushes nothing
twice: the next sync re-sends only what the hub has not agreed to (the
batch whose answer was lost comes back "unchanged"), and provider, hub and
member end identical."""

import random
import time

import synctest
from synctest import expect, same_offerings

N = 600
BATCH = 200


def scenario(scene):
    slugs = ",".join("item-%03d" % i for i in range(N))
    hub = scene.hub().start()
    proxy = scene.proxy(hub)
    tst = scene.node("TST", slugs)
    tst.ok(["refresh"])
    tst.follow(hub, url=proxy.url)
    _, rep = tst.sync()
    expect(rep["pushed"] == N, "first push: %s" % rep)

    # Many local changes: every title changes, every offering goes to rev 2.
    tst.set_offerings(slugs, suffix=" (2027 cohort)")
    expect(set(r for r, _ in tst.revs().values()) == {2}, "all at rev 2 locally")
    expect(tst.status()["pending"] == N, "all %d pending" % N)

    # The hub applies the second batch, its answer is held, the client dies.
    proxy.forget()
    rule = proxy.inject("hold", path="/v1/push", skip=1, fraction=0)
    bg = tst.spawn(["sync", "--json"])
    expect(rule.reached.wait(60), "the second batch was never pushed:\n" + bg.stderr)
    bg.kill9()
    rule.release.set()
    tst.check_integrity()
    expect(tst.status()["pending"] == N - BATCH,
           "only the answered batch is recorded: pending %s" % tst.status()["pending"])
    at_hub = hub.export()
    revs = sorted(o["rev"] for k, o in at_hub.items() if k.startswith("TST/"))
    expect(revs.count(2) == 2 * BATCH and revs.count(1) == N - 2 * BATCH,
           "the hub applied two batches: %d at rev 2" % revs.count(2))

    # The next sync re-sends the batch whose answer was lost (the hub says
    # unchanged: nothing applied twice) and then the last one.
    proxy.forget()
    seq0 = hub.health()["seq"]
    _, rep = tst.sync()
    expect(rep["unchanged"] == BATCH and rep["pushed"] == N - 2 * BATCH and rep["refused"] == 0,
           "the lost batch comes back unchanged, the rest is applied: %s" % rep)
    expect(hub.health()["seq"] - seq0 == rep["pushed"],
           "the hub's feed moved once per applied item: %d" % (hub.health()["seq"] - seq0))
    at_hub = {k: o for k, o in hub.export().items() if k.startswith("TST/")}
    expect(len(at_hub) == N and all(o["rev"] == 2 for o in at_hub.values()),
           "the hub holds all %d at rev 2" % N)
    keys = [s.headers.get("idempotency-key") for s in proxy.seen("/v1/push")]
    expect(len(keys) == len(set(keys)) and all(keys),
           "every batch carries its own Idempotency-Key: %s" % keys)

    # Another round of changes, killed a random moment after a batch's
    # answer: whatever the moment, what is recorded as agreed is at the hub.
    tst.set_offerings(slugs, suffix=" (2028 cohort)")
    rng = random.Random(99)
    for _ in range(2):
        proxy.forget()
        bg = tst.spawn(["sync", "--json"])
        expect(proxy.wait_answered("/v1/push", 1), "no batch answered:\n" + bg.stderr)
        time.sleep(rng.uniform(0, 0.1))
        bg.kill9()
        tst.check_integrity()
        at_hub = hub.export()
        agreed = tst.sql("SELECT key, rev FROM sync_state WHERE remote = 'hub'"
                         " AND kind = 'offering' AND refused_rev IS NULL")
        for key, rev in agreed:
            expect(key in at_hub and at_hub[key]["rev"] >= rev,
                   "%s is recorded as agreed at rev %d but the hub has %s"
                   % (key, rev, at_hub.get(key, {}).get("rev")))
        print("killed after a batch: %d pending" % tst.status()["pending"])
    # A batch sent just before the kill may still be applied by the hub:
    # wait for the hub's answer to every push before reading its feed.
    deadline = time.time() + 60
    while any(s.status is None for s in proxy.seen("/v1/push")):
        expect(time.time() < deadline, "the hub never answered a push")
        time.sleep(0.05)
    pending = tst.status()["pending"]
    seq0 = hub.health()["seq"]
    _, rep = tst.sync()
    expect(rep["pushed"] + rep["unchanged"] == pending and rep["refused"] == 0,
           "the resumed push sends the %d pending: %s" % (pending, rep))
    expect(hub.health()["seq"] - seq0 == rep["pushed"],
           "the hub's feed moved once per applied item")
    at_hub = {k: o for k, o in hub.export().items() if k.startswith("TST/")}
    expect(len(at_hub) == N and all(o["rev"] == 3 for o in at_hub.values()),
           "the hub holds all %d at rev 3" % N)
    st = tst.status()
    expect(st["pending"] == 0 and st["refused"] == [], "nothing left: %s" % st)

    # A member pulls exactly the provider's catalogue.
    rxx = scene.node("RXX")
    rxx.follow(hub)
    rxx.sync()
    got = same_offerings(tst, rxx)
    expect(len(got) == N, "the member holds %d" % len(got))
    rows = rxx.sql("SELECT count(*), count(DISTINCT id) FROM offering")
    expect(rows == [(N, N)], "nothing doubled: %s" % rows)
    rxx.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
