#!/usr/bin/env python3
"""SIGKILL during fgcat import, at random moments, KILLS times.

Two files hold the same OFFERINGS offerings (test-area, no "rev": local
edits) in two versions, A and B, differing in every title.  Each round
imports the version the catalogue does not hold and kills the import after
a delay drawn uniformly from [0, d], d the measured duration of a normal
import of it (so kills land while reading, validating, writing and
committing, and some after the end).  After every kill: PRAGMA
integrity_check, and the import is all or nothing -- fgcat export lists
either none of the offerings or all of them, all at the old version or all
at the new one, all at one rev.  At the end an import runs to completion
and a second one of the same file changes nothing (converged).

The seed of the delays is printed (HARDEN_SEED=N replays it).
"""

import copy
import json
import os
import re

import hardentest as H
from hardentest import expect

OFFERINGS = 1000
KILLS = 50
PREFIX = "TST/imported-"


def main(opts):
    rng = H.Rng("kill_import")
    with H.clitest.Sandbox(opts, "fgcat-harden-kill-import") as box:
        box.env["FGCAT_PLUGIN_PATH"] = os.path.dirname(box.test_plugin("test-area"))
        box.env["FGCAT_TEST_OFFERINGS"] = "alpha"
        box.seed()
        template = box.ok(["export"]).json()[0]
        for k in ("rev", "updated_at", "withdrawn_at"):
            template.pop(k, None)
        files = {}
        for version in "AB":
            recs = []
            for i in range(OFFERINGS):
                rec = copy.deepcopy(template)
                rec["id"] = "%s%d" % (PREFIX, i)
                rec["title"] = "Imported course %d, version %s" % (i, version)
                recs.append(rec)
            files[version] = os.path.join(box.tmp, version + ".json")
            with open(files[version], "w") as f:
                json.dump(recs, f)

        def state():
            """'none', 'A' or 'B' (with the rev all offerings share); fails
            on anything half-applied."""
            H.integrity(box.db)
            got = {o["id"]: o for o in box.ok(["export"]).json() if o["id"].startswith(PREFIX)}
            if not got:
                return "none", 0
            expect(len(got) == OFFERINGS, "half an import: %d of %d offerings"
                   % (len(got), OFFERINGS))
            versions = {re.sub(r".*version ", "", o["title"]) for o in got.values()}
            revs = {o["rev"] for o in got.values()}
            expect(len(versions) == 1 and len(revs) == 1,
                   "half an import: versions %s, revs %s" % (versions, revs))
            return versions.pop(), revs.pop()

        # A normal import of each version, timed.
        durations = []
        for version in "AB":
            took, res = H.elapsed(box.ok, ["import", files[version]])
            durations.append(took)
        expect(state() == ("B", 2), "two normal imports leave version B at rev 2")
        span = sum(durations) / 2
        print("a normal import of %d offerings takes %.2f s; kills within it"
              % (OFFERINGS, span))

        cur = state()
        tally = H.Tally()
        for n in range(KILLS):
            target = "A" if cur[0] == "B" else "B"
            delay = rng.uniform(0, span)
            res = H.Victim(box.fgcat, ["import", files[target]], box.env, box.tmp) \
                .kill_after(delay)
            after = state()
            if res is not None:
                expect(res.code == 0, "an import that was not killed succeeds", res)
                expect(after == (target, cur[1] + 1), "round %d: the finished import left %s"
                       % (n, after))
                tally.add("finished")
            elif after == cur:
                tally.add("unchanged")
            else:
                expect(after == (target, cur[1] + 1), "round %d (killed after %.3f s): %s, "
                       "neither the old %s nor the new %s" % (n, delay, after, cur,
                                                              (target, cur[1] + 1)))
                tally.add("applied")
            cur = after
        print("%d kills: %s" % (KILLS, tally))

        # The next run completes, and converges.
        target = "A" if cur[0] == "B" else "B"
        res = box.ok(["import", files[target], "--json"])
        expect(res.json() == {"added": 0, "changed": OFFERINGS, "unchanged": 0},
               "the import after the kills changes every offering", res)
        res = box.ok(["import", files[target], "--json"])
        expect(res.json() == {"added": 0, "changed": 0, "unchanged": OFFERINGS},
               "importing the same file again changes nothing", res)
        expect(state() == (target, cur[1] + 1), "the catalogue holds the last import")
        found = box.ok(["search", "imported", "--json", "--limit", "5"]).json()
        expect(len(found) == 5, "search still finds the imported offerings")


if __name__ == "__main__":
    H.main(main, __doc__)
