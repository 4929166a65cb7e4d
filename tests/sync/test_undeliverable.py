"""Nothing is left behind silently.  A member (built-in plugins loaded)
follows only a hub that does not carry RTF's offerings; its request for
RTF/integrated-care-community-nursing is kept, `request show` says no hub
carries the offering, `sync` exits 4 with one line naming the request,
and `sync status` (text and --json) lists and counts it.  Once the member
also follows a hub that carries the offering, `sync --all` delivers it and
exits 0.  A failed sync records its error; the next good one clears it and
records its own time."""

import datetime
import re

import synctest
from synctest import expect

OFFERING = "RTF/integrated-care-community-nursing"


def scenario(scene):
    other = scene.hub("other").start()
    group = scene.hub("group", default=True).start()
    rxx = scene.node("RXX", default=True)
    rxx.follow(other, remote="other")
    rxx.sync()
    start = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()
    rid = rxx.ok(["request", "create", OFFERING, "--org", "RXX", "--quantity", "12",
                  "--start", start, "--json"]).json()["id"]

    # The sync's summary line, then one line naming the request.
    res = rxx.run(["sync"])
    lines = res.stderr_lines
    expect(res.code == 4 and len(lines) == 2 and "sync other: pushed 0" in lines[0]
           and re.search(r"^fgcat: sync: request %s not delivered: no hub this node syncs "
                         r"with carries %s" % (rid, re.escape(OFFERING)), lines[1]),
           "exit 4 and one line naming the request", res)
    res = rxx.run(["sync", "--json"])
    expect(res.code == 4 and res.json()["status"] == "ok" and res.json()["pushed"] == 0,
           "with --json too: exit 4, nothing pushed", res)
    expect(rid in rxx.requests(), "the request is kept")
    shown = rxx.ok(["request", "show", rid]).stdout
    expect("not delivered: no hub this node syncs with carries %s" % OFFERING in shown,
           "request show says why:\n%s" % shown)
    st = rxx.status("other")
    expect(st["undeliverable"] == [{"id": rid, "offering_id": OFFERING}]
           and st["requests"] == {"waiting": 0, "delivered": 0, "refused": 0,
                                  "undeliverable": 1},
           "sync status --json lists and counts it: %s" % st)
    text = rxx.ok(["sync", "status"]).stdout
    expect(re.search(r"undeliverable: request %s: no hub this node syncs with carries %s"
                     % (rid, re.escape(OFFERING)), text)
           and re.search(r"requests\s+0 waiting, 0 delivered, 0 refused, 1 undeliverable",
                         text),
           "sync status lists it:\n%s" % text)
    status, _, _ = other.api("GET", "/v1/requests/" + rid, other.token("RXX"))
    expect(status == 404, "the hub that does not carry it never got it (%s)" % status)

    # A hub that carries the offering: the next round delivers it.
    rxx.follow(group, remote="group")
    res = rxx.run(["sync", "--all"])
    expect(res.code == 0, "sync --all delivers it once a hub carries the offering", res)
    status, _, _ = group.api("GET", "/v1/requests/" + rid, group.token("RXX"))
    expect(status == 200, "the carrying hub has it (%s)" % status)
    st = rxx.status("group")
    expect(st["undeliverable"] == [] and st["requests"]["delivered"] == 1,
           "nothing undeliverable now: %s" % st)
    expect("delivered to group" in rxx.ok(["request", "show", rid]).stdout,
           "request show says where it went")

    # last_error is cleared by the next good sync; last_success moves on.
    port = other.port
    other.stop()
    res = rxx.run(["sync", "other", "--retries", "1"])
    expect(res.code == 1, "a sync with a stopped hub fails", res)
    st = rxx.status("other")
    expect(st["last_error"] and st["last_error_at"], "the error is recorded: %s" % st)
    before = st["last_success"]
    other.start(port=port)
    res = rxx.run(["sync", "other"])
    expect(res.code == 0, "the hub is back", res)
    expect("HTTP call" in res.stderr and " requests" not in res.stderr,
           "the summary counts HTTP calls: %s" % res.stderr)
    st = rxx.status("other")
    expect(st["last_error"] is None and st["last_error_at"] is None
           and st["last_success"] and st["last_success"] >= before,
           "a good sync clears the error and keeps its time: %s" % st)
    rxx.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
