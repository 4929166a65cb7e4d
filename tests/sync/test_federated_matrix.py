"""Routing by authority, not by local origin: a request goes to every remote
whose hub carries its offering, whatever the origin of the node's own copy.

Two hubs: "group" (the built-in plugins, so it carries every built-in
offering, and provider RTF syncs with it) and "other" (no built-in
offering, and RTF does not sync with it).  Each member follows both
(remotes b-group and a-other; --all syncs a-other first).  The matrix:
the offering's origin on the member — plugin (RXA), import (RXB), sync
(RXC) — times its origin on the provider — plugin
(RTF/integrated-care-community-nursing), import
(RTF/older-people-care-at-home, imported with a higher rev).  Each of the
six requests reaches group and never other; RTF sees, accepts, and the
member sees the acceptance; RYJ, a third trust on group, never sees any."""

import datetime
import json
import os

import synctest
from synctest import expect

BY_PLUGIN = "RTF/integrated-care-community-nursing"
BY_IMPORT = "RTF/older-people-care-at-home"


def origin(node, oid):
    rows = node.sql("SELECT origin FROM offering WHERE id = ?", (oid,))
    return rows[0][0] if rows else None


def import_newer(node, ids, bump, suffix):
    """Imports the node's own offerings `ids` again with rev + bump and a
    changed title (as a provider or a member loading a file would)."""
    recs = [o for o in node.ok(["export"]).json() if o["id"] in ids]
    expect(len(recs) == len(ids), "%s has %s" % (node.ods, ids))
    for o in recs:
        o["rev"] += bump
        o["title"] += suffix
    path = os.path.join(node.sandbox.tmp, "offerings.json")
    with open(path, "w") as f:
        json.dump(recs, f)
    node.ok(["import", "offerings.json"])


def scenario(scene):
    group = scene.hub("group", default=True).start()
    other = scene.hub("other").start()
    rtf = scene.node("RTF", default=True)
    rtf.follow(group)
    import_newer(rtf, [BY_IMPORT], 1, " (2027 dates)")
    expect(origin(rtf, BY_PLUGIN).startswith("plugin:") and origin(rtf, BY_IMPORT) == "import",
           "provider origins: %s %s" % (origin(rtf, BY_PLUGIN), origin(rtf, BY_IMPORT)))
    _, rep = rtf.sync()
    expect(rep["pushed"] == 1, "the provider pushes its imported offering: %s" % rep)
    ryj = scene.node("RYJ", default=True)
    ryj.follow(group)
    ryj.sync()

    members = {"plugin": scene.node("RXA", default=True),
               "import": scene.node("RXB", default=True),
               "sync": scene.node("RXC", default=True)}
    for kind, m in members.items():
        m.follow(other, remote="a-other")
        m.follow(group, remote="b-group")
        if kind == "import":
            import_newer(m, [BY_PLUGIN, BY_IMPORT], 5, " (local copy)")
        elif kind == "sync":
            for oid in (BY_PLUGIN, BY_IMPORT):
                m.ok(["delete", oid])
            m.ok(["sync", "b-group"])
        for oid in (BY_PLUGIN, BY_IMPORT):
            want = {"plugin": "plugin:", "import": "import", "sync": "sync:b-group"}[kind]
            expect((origin(m, oid) or "").startswith(want),
                   "%s: %s has origin %s, not %s" % (m.ods, oid, origin(m, oid), want))

    start = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()
    made = {}
    for kind, m in members.items():
        for oid in (BY_PLUGIN, BY_IMPORT):
            r = m.ok(["request", "create", oid, "--org", m.ods, "--quantity", "12",
                      "--start", start, "--json"]).json()
            made[r["id"]] = (m, oid, kind)
        res = m.run(["sync", "--all"])
        expect(res.code == 0, "%s: sync --all delivers to the hub that carries them" % m.ods,
               res)

    for rid, (m, oid, kind) in made.items():
        case = "member %s, provider %s" % (kind, "plugin" if oid == BY_PLUGIN else "import")
        status, _, _ = group.api("GET", "/v1/requests/" + rid, group.token(m.ods))
        expect(status == 200, "%s: group has the request (%s)" % (case, status))
        status, _, _ = other.api("GET", "/v1/requests/" + rid, other.token(m.ods))
        expect(status == 404, "%s: other never gets it (%s)" % (case, status))

    _, rep = rtf.sync()
    expect(rep["pulled"] == 6, "the provider pulls the six requests: %s" % rep)
    expect(set(rtf.requests()) == set(made), "the provider sees all six")
    for rid in made:
        rtf.ok(["request", "accept", rid, "--org", "RTF"])
    _, rep = rtf.sync()
    expect(rep["pushed"] == 6, "the provider delivers six acceptances: %s" % rep)

    for kind, m in members.items():
        res = m.run(["sync", "--all"])
        expect(res.code == 0, "%s: sync --all" % m.ods, res)
        mine = m.requests()
        expect(len(mine) == 2 and all(r["status"] == "accepted" for r in mine.values()),
               "%s (%s) sees both accepted: %s" % (m.ods, kind, mine))
        for r in mine.values():
            expect([(h["status"], h["by"]) for h in r["history"]]
                   == [("submitted", m.ods), ("accepted", "RTF")],
                   "%s: history %s" % (m.ods, r["history"]))
        st = m.status("b-group")
        expect(st["requests"] == {"waiting": 0, "delivered": 2, "refused": 0,
                                  "undeliverable": 0}, "%s: b-group counts %s" % (m.ods, st))
        st = m.status("a-other")
        expect(st["requests"] == {"waiting": 0, "delivered": 0, "refused": 0,
                                  "undeliverable": 0} and st["undeliverable"] == [],
               "%s: a-other counts nothing of group's: %s" % (m.ods, st))
        m.check_integrity()

    ryj.sync()
    expect(ryj.requests() == {}, "RYJ never sees them: %s" % ryj.requests())
    for rid in made:
        status, _, _ = group.api("GET", "/v1/requests/" + rid, group.token("RYJ"))
        expect(status == 404, "RYJ cannot read %s (%s)" % (rid, status))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
