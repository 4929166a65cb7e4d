"""The hub is down: the sync fails with exit 1 and one line, sync status
records the error (and keeps the last success and the cursor), the data
stays; when the hub is back (same port) the next sync succeeds."""

import re

import synctest
from synctest import expect, clitest, unchanged_member


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    rid = rxx.ok(["request", "create", "TST/gamma", "--org", "RXX", "--quantity", "4",
                  "--json"]).json()["id"]
    before = unchanged_member(rxx)
    expect(len(before[0]) == 3, "the member holds the three offerings")
    port = hub.port
    hub.stop()

    res = rxx.run(["sync", "--retries", "2"])
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*(Could not|Couldn't) connect")
    expect(res.stdout == "", "nothing on stdout", res)
    res = rxx.run(["sync", "--retries", "1", "--json"])
    expect(res.code == 1, "with --json too: exit 1", res)
    rep = res.json()
    expect(rep["status"] != "ok" and re.search(r"connect", rep["error"]) and rep["http_calls"] == 1,
           "the JSON report says why, after one attempt: %s" % rep)
    expect(unchanged_member(rxx) == before, "the data is kept")
    st = rxx.status()
    expect(re.search(r"connect", st["last_error"] or "") and st["last_error_at"]
           and st["pending"] == 1, "sync status records the error: %s" % st)
    text = rxx.ok(["sync", "status"]).stdout
    expect(re.search(r"^  last error:    .*connect.* at \d{4}-", text, re.MULTILINE),
           "the text status shows it:\n" + text)
    rxx.check_integrity()

    # Back on the same port: the next sync pushes the request and succeeds.
    hub.start(port=port)
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1, "the pending request goes out: %s" % rep)
    st = rxx.status()
    # (Timestamps have whole seconds: the new one is not earlier.)  The
    # success clears the error it follows.
    expect(st["last_success"] >= before[3] and st["last_error"] is None
           and st["last_error_at"] is None and st["pending"] == 0,
           "a new last success, the error cleared: %s" % st)
    tst.sync()
    expect(rid in tst.requests(), "the provider gets the request")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
