#!/usr/bin/env python3
"""The counts fgcat reports agree with each other and with the data:
`areas` (active and withdrawn per area), `plugins` (offerings per plugin),
`refresh` (unchanged), `search --area` and `export` all describe the same
catalogue.  A refresh after a plugin changes what it registers reports
exactly the differences."""

import collections
import json
import os

import clitest
from clitest import Sandbox, expect


def main(opts):
    with Sandbox(opts) as box:
        res = box.ok(["refresh", "--json"])
        seeded = res.json()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                                       "withdrawn.json")])
        catalogue = json.loads(box.ok(["export"]).stdout)
        expect(seeded["added"] == len(catalogue) - 1,
               "the first refresh must add what export later shows (plus the import)")

        per_area = collections.defaultdict(collections.Counter)
        for o in catalogue:
            per_area[o["area"]][o["status"]] += 1
        areas = box.ok(["areas", "--json"]).json()
        expect(sorted(a["id"] for a in areas) == sorted(per_area),
               "areas must list exactly the areas of the catalogue's offerings")
        for a in areas:
            want = per_area[a["id"]]
            expect(a["active"] == want["active"] and a["withdrawn"] == want["withdrawn"],
                   "area %s: areas says %d active / %d withdrawn, export has %d / %d"
                   % (a["id"], a["active"], a["withdrawn"], want["active"], want["withdrawn"]))
            found = box.ok(["search", "--area", a["id"], "--json", "--limit", "1000"]).json()
            expect(len(found) == a["active"], "search --area %s must find the %d active ones"
                   % (a["id"], a["active"]))

        plugins = box.ok(["plugins", "--json"]).json()
        by_area = {a["id"]: a for a in areas}
        for p in plugins:
            # the withdrawn offering came by import, not from the plugin
            registered = sum(by_area[a]["active"] for a in p["areas"])
            expect(p["offerings"] == registered,
                   "plugin %s registers %d offerings, its areas hold %d active"
                   % (p["id"], p["offerings"], registered))

        res = box.ok(["refresh", "--json"]).json()
        expect(res["unchanged"] == sum(p["offerings"] for p in plugins) and
               res["added"] == res["changed"] == res["withdrawn"] == 0,
               "a second refresh must find every registered offering unchanged: %s" % res)
        expect(json.loads(box.ok(["export"]).stdout) == catalogue,
               "a refresh that changes nothing must leave the export as it was")

    # a plugin whose registrations change between refreshes
    with Sandbox(opts) as box:
        box.env["FGCAT_PLUGIN_PATH"] = os.path.dirname(box.test_plugin("test-area"))
        box.env["FGCAT_TEST_OFFERINGS"] = "alpha,beta,gamma"
        res = box.ok(["refresh", "--json"]).json()
        expect(res["added"] == 3 and res["plugins_ok"] == 1, "3 test offerings added: %s" % res)
        res = box.ok(["refresh", "--json"],
                     env={"FGCAT_TEST_OFFERINGS": "alpha,beta,delta",
                          "FGCAT_TEST_TITLE_SUFFIX": ""}).json()
        expect((res["added"], res["changed"], res["withdrawn"], res["unchanged"]) == (1, 0, 1, 2),
               "dropping gamma and adding delta: 1 added, 1 withdrawn, 2 unchanged: %s" % res)
        res = box.ok(["refresh", "--json"],
                     env={"FGCAT_TEST_OFFERINGS": "alpha,beta,delta",
                          "FGCAT_TEST_TITLE_SUFFIX": " (revised)"}).json()
        expect((res["added"], res["changed"], res["withdrawn"], res["unchanged"]) == (0, 3, 0, 0),
               "a new title on all three: 3 changed: %s" % res)
        areas = box.ok(["areas", "--json"]).json()
        # (test-area gives no labels: its area is labelled by its name)
        expect(areas == [{"id": "test-area", "plugin": "test-area", "active": 3,
                          "withdrawn": 1, "label": "test-area"}],
               "areas after the refreshes: %s" % areas)
        shown = box.ok(["show", "TST/alpha", "--json"]).json()
        expect(shown["rev"] == 2 and shown["title"].endswith(" (revised)"),
               "a changed offering gets the next rev: %s" % shown)
        shown = box.ok(["show", "TST/gamma", "--json"]).json()
        expect(shown["status"] == "withdrawn" and shown["rev"] == 2 and
               "withdrawn_at" in shown, "a dropped offering is withdrawn, not deleted: %s"
               % shown)


if __name__ == "__main__":
    clitest.main(main, __doc__)
