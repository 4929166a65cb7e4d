"""fgcat sync --every 1s runs round after round until SIGTERM; a SIGTERM
in the middle of a round lets it finish the page it is receiving (applied,
then exit 0); a SIGTERM between rounds stops it at once (exit 0)."""

import json
import signal
import time

import synctest
from synctest import expect, Failure


def reports(text):
    """The JSON objects printed one after another on stdout."""
    dec, out, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def wait_until(cond, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.05)


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    proxy.forget()
    bg = rxx.spawn(["sync", "--every", "1s", "--json"])
    wait_until(lambda: proxy.count("/v1/changes") >= 3, "three rounds")
    seen = proxy.seen("/v1/changes")
    gaps = [b.at - a.at for a, b in zip(seen, seen[1:])]
    expect(all(0.9 < g < 5 for g in gaps[:2]), "rounds about a second apart: %s" % gaps)
    expect(bg.proc.poll() is None, "still running")

    # A change at the hub arrives by itself.
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()
    wait_until(lambda: "TST/delta" in rxx.revs(), "delta to arrive")

    # SIGTERM while a page is half received: the page is finished and
    # applied, then the process exits 0.
    rule = proxy.inject("hold", path="/v1/changes", fraction=0.5)
    tst.set_offerings("alpha,beta,gamma,delta,epsilon")
    tst.sync()
    expect(rule.reached.wait(30), "a round asked for the new page")
    bg.signal(signal.SIGTERM)
    time.sleep(0.5)
    expect(bg.proc.poll() is None, "it does not drop the page it is receiving")
    n = proxy.count()
    rule.release.set()
    res = bg.wait(20)
    expect(res.code == 0, "exit 0 after SIGTERM", res)
    expect(proxy.count() == n, "no request after the stop: %s" % proxy.seen()[n:])
    expect("TST/epsilon" in rxx.revs(), "the page being received was applied")
    reps = reports(res.stdout)
    expect(len(reps) >= 5 and all(r["status"] == "ok" for r in reps),
           "one report per round, all ok: %d" % len(reps))
    expect(reps[-1]["interrupted"] and reps[-1]["pulled"] == 1
           and not any(r["interrupted"] for r in reps[:-1]),
           "the last round says it was interrupted, after its page: %s" % reps[-1])
    synctest.same_offerings(tst, rxx)
    rxx.check_integrity()

    # SIGTERM between rounds: it stops at once.
    proxy.forget()
    bg = rxx.spawn(["sync", "--every", "1h"])
    wait_until(lambda: proxy.count("/v1/changes") >= 1 and proxy.seen()[-1].answered,
               "the first round")
    time.sleep(0.3)
    t0 = time.monotonic()
    bg.signal(signal.SIGTERM)
    res = bg.wait(10)
    expect(res.code == 0 and time.monotonic() - t0 < 2, "a prompt exit 0", res)
    lines = res.stderr_lines
    expect(len(lines) == 1 and lines[0].startswith("fgcat: ") and " sync hub: pushed 0, " in lines[0],
           "one log line per sync when not on a terminal", res)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
