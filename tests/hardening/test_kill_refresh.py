#!/usr/bin/env python3
"""SIGKILL during fgcat refresh, at random moments, KILLS times.

The test-area plugin registers, by FGCAT_TEST_OFFERINGS, one of two
overlapping sets of slugs, A and B (OFFERINGS each, half shared), and
titles ending in the set's name (FGCAT_TEST_TITLE_SUFFIX), so every refresh
that switches set changes the shared offerings, withdraws those only in
the old set and adds or brings back those only in the new one.  Each round
switches set and kills the refresh after a delay drawn uniformly from
[0, d], d the measured duration of a normal switching refresh.  After
every kill: PRAGMA integrity_check, and the plugin's offerings are all in
the old state or all in the new one: fgcat export shows exactly the state
before the refresh, or exactly what the new set makes of it (statuses,
titles, and revs: one more for each offering that changed, the same for
the others).  At the end a refresh runs to completion and a second one
changes nothing (converged).

The seed of the delays is printed (HARDEN_SEED=N replays it).
"""

import os

import hardentest as H
from hardentest import expect

OFFERINGS = 800
KILLS = 50

SETS = {"A": ["s%d" % i for i in range(OFFERINGS)],
        "B": ["s%d" % i for i in range(OFFERINGS // 2, OFFERINGS + OFFERINGS // 2)]}


def main(opts):
    rng = H.Rng("kill_refresh")
    with H.clitest.Sandbox(opts, "fgcat-harden-kill-refresh") as box:
        box.env["FGCAT_PLUGIN_PATH"] = os.path.dirname(box.test_plugin("test-area"))

        def env(name):
            e = dict(box.env)
            e["FGCAT_TEST_OFFERINGS"] = ",".join(SETS[name])
            e["FGCAT_TEST_TITLE_SUFFIX"] = " (set %s)" % name
            return e

        def refresh(name):
            res = box.run(["refresh"], env={k: v for k, v in env(name).items()
                                            if k.startswith("FGCAT_TEST")})
            expect(res.code == 0, "refresh with set %s" % name, res)
            return res

        def state():
            H.integrity(box.db)
            return {o["id"]: (o["status"], o["title"], o["rev"])
                    for o in box.ok(["export"]).json() if o["id"].startswith("TST/")}

        def expected(before, name):
            """What a complete refresh with set `name` makes of `before`."""
            out = {}
            wanted = {"TST/" + s for s in SETS[name]}
            for id_ in wanted | set(before):
                old = before.get(id_)
                if id_ in wanted:
                    title = "Test course on %s practice (set %s)" % (id_[4:], name)
                    new = ("active", title)
                else:
                    new = ("withdrawn", old[1])
                if old is None:
                    out[id_] = new + (1,)
                elif old[:2] == new:
                    out[id_] = old
                else:
                    out[id_] = new + (old[2] + 1,)
            return out

        took = []
        for name in "ABA":
            t, _ = H.elapsed(refresh, name)
            took.append(t)
        span = sum(took[1:]) / 2
        print("a normal switching refresh of %d offerings takes %.2f s; kills within it"
              % (OFFERINGS, span))

        cur, name = state(), "A"
        expect(cur == expected(cur, "A"), "refreshing set A again changes nothing")
        tally = H.Tally()
        for n in range(KILLS):
            target = "B" if name == "A" else "A"
            want = expected(cur, target)
            delay = rng.uniform(0, span)
            res = H.Victim(box.fgcat, ["refresh"], env(target), box.tmp).kill_after(delay)
            after = state()
            if res is not None:
                expect(res.code == 0, "a refresh that was not killed succeeds", res)
                expect(after == want, "round %d: the finished refresh left another state" % n)
                tally.add("finished")
                cur, name = after, target
            elif after == cur:
                tally.add("unchanged")
            else:
                if after != want:
                    diff = [k for k in set(after) | set(want) if after.get(k) != want.get(k)]
                    old = [k for k in diff if after.get(k) == cur.get(k)]
                    raise H.Failure("round %d (killed after %.3f s): half a refresh: %d "
                                    "offerings differ from set %s's state, %d of them still "
                                    "as before, e.g. %s: %s"
                                    % (n, delay, len(diff), target, len(old), diff[0],
                                       after.get(diff[0])))
                tally.add("applied")
                cur, name = after, target
        print("%d kills: %s" % (KILLS, tally))

        # The next refresh completes, and a second one changes nothing.
        target = "B" if name == "A" else "A"
        refresh(target)
        expect(state() == expected(cur, target), "the refresh after the kills")
        res = refresh(target)
        expect("0 added, 0 changed, 0 withdrawn" in res.stdout,
               "a second refresh changes nothing", res)


if __name__ == "__main__":
    H.main(main, __doc__)
