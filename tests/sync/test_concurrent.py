"""Several nodes syncing at once: the provider pushes 400 changed
offerings while two members pull over and over and push requests of their
own.  Nothing is lost or applied twice, no sync fails ("database is
locked" or otherwise), no cursor runs ahead of its data, and everyone
converges on the provider's catalogue."""

import threading

import synctest
from synctest import expect, same_offerings, cursor_not_ahead

N = 400


def scenario(scene):
    slugs = ",".join("topic-%03d" % i for i in range(N))
    hub, tst, rxx, _ = scene.provider_and_member(offerings=slugs)
    ryy = scene.node("RYY")
    ryy.follow(hub)
    ryy.sync()
    tst.set_offerings(slugs, suffix=" (updated)")

    failures, made = [], {"RXX": [], "RYY": []}

    def member(node, target):
        try:
            for i in range(4):
                res = node.run(["request", "create", target, "--org", node.ods,
                                "--quantity", "1", "--json"])
                if res.code != 0:
                    failures.append(res.report())
                    return
                made[node.ods].append(res.json()["id"])
                res = node.run(["sync", "--json"])
                if res.code != 0:
                    failures.append(res.report())
                    return
                cursor_not_ahead(node, hub, hub.token(node.ods))
        except Exception as e:  # reported below, in the main thread
            failures.append("%s: %s" % (node.ods, e))

    threads = [threading.Thread(target=member, args=(rxx, "TST/topic-001")),
               threading.Thread(target=member, args=(ryy, "TST/topic-002"))]
    push = tst.spawn(["sync", "--json"])
    for t in threads:
        t.start()
    res = push.wait(60)
    for t in threads:
        t.join(120)
    expect(res.code == 0 and res.json()["pushed"] == N, "the provider's push: %s" % res.stdout,
           res)
    expect(failures == [], "syncs failed while others ran:\n" + "\n".join(failures))

    # Settle: each node once more (the provider last, to pull the requests).
    for n in (rxx, ryy, tst):
        n.sync()
    for m in (rxx, ryy):
        got = same_offerings(tst, m)
        expect(len(got) == N and all(o["title"].endswith("(updated)") for o in got.values()),
               "%s holds the %d updated offerings" % (m.ods, N))
        expect(sorted(m.requests()) == sorted(made[m.ods]),
               "%s holds exactly its own %d requests" % (m.ods, len(made[m.ods])))
        m.check_integrity()
    at_tst = tst.requests()
    expect(sorted(at_tst) == sorted(made["RXX"] + made["RYY"]),
           "the provider holds each request once: %d" % len(at_tst))
    expect(all(len(r["history"]) == 1 for r in at_tst.values()), "each submitted once")
    tst.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
