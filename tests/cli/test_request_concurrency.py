"""Capacity holds when many fgcat processes accept at once (SPEC §5, §10).

Each round: an offering of capacity 3 (the test-area plugin's), 16 requests
for it from 16 trusts, then 16 `fgcat request accept` processes started
together, each accepting a different request.  Exactly 3 must succeed, the
other 13 must exit 4 with the capacity message, none may fail otherwise
(no "database is locked"), and the catalogue must agree: 3 accepted.
Ten rounds, each on its own offering, so one run is ten runs in a row.
"""

import datetime
import os
import subprocess

import clitest
from clitest import Failure, expect

ROUNDS = 10
PROCESSES = 16
CAPACITY = 3  # the test-area plugin's offerings take 3 accepted requests


def scenario(opts):
    with clitest.Sandbox(opts, "fgcat-concurrency") as box:
        slugs = ["round%d" % i for i in range(ROUNDS)]
        env = {"FGCAT_PLUGIN_PATH": os.path.dirname(box.test_plugin("test-area")),
               "FGCAT_TEST_OFFERINGS": ",".join(slugs)}
        box.env.update(env)
        box.ok(["refresh"])
        start = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        for slug in slugs:
            offering = "TST/" + slug
            shown = box.ok(["show", offering, "--json"]).json()
            expect(shown["capacity"] == CAPACITY,
                   "test-area offerings should have capacity %d" % CAPACITY)
            ids = []
            for n in range(PROCESSES):
                res = box.ok(["request", "create", offering, "--org", "R%02dX" % n,
                              "--quantity", "2", "--start", start, "--json"])
                ids.append(res.json()["id"])

            procs = [subprocess.Popen([box.fgcat, "request", "accept", rid, "--org", "TST"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      env=box.env, cwd=box.tmp)
                     for rid in ids]
            outcomes = []
            for p in procs:
                _, err = p.communicate(timeout=120)
                outcomes.append((p.returncode, err.decode("utf-8", "replace")))

            ok = [o for o in outcomes if o[0] == 0]
            refused = [o for o in outcomes if o[0] == 4]
            other = [o for o in outcomes if o[0] not in (0, 4)]
            expect(not other, "%s: processes failed otherwise: %r" % (slug, other))
            expect(len(ok) == CAPACITY, "%s: %d accepts succeeded, expected %d: %r"
                   % (slug, len(ok), CAPACITY, outcomes))
            expect(len(refused) == PROCESSES - CAPACITY, "%s: %d refused" % (slug, len(refused)))
            for code, err in refused:
                expect("at capacity" in err and "locked" not in err,
                       "%s: refusal should name capacity: %r" % (slug, err))
                expect(err.count("\n") == 1, "%s: refusal should be one line: %r" % (slug, err))

            accepted = box.ok(["request", "list", "--offering", offering,
                               "--status", "accepted", "--json"]).json()
            expect(len(accepted) == CAPACITY,
                   "%s: catalogue holds %d accepted requests" % (slug, len(accepted)))
            submitted = box.ok(["request", "list", "--offering", offering,
                                "--status", "submitted", "--json"]).json()
            expect(len(submitted) == PROCESSES - CAPACITY,
                   "%s: %d still submitted" % (slug, len(submitted)))


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
