"""fgcat sync --every 1s runs round after round until SIGTERM; a SIGTERM
in the middle of a round lets it finish the page it is receiving (applied,
then exit 0); a SIGTERM between rounds stops it at once (exit 0).

Nothing here depends on how long anything takes: the test waits for
events it can observe (requests reaching the proxy, a held page being
asked for, the signal leaving the process's pending set, the round's log
line) and never sleeps to let something happen."""

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


def signal_pending(pid, sig):
    """True while `sig` sent to process `pid` has not been taken by any of
    its threads (the ShdPnd mask of /proc/PID/status)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("ShdPnd:"):
                    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    except FileNotFoundError:
        return False
    return False


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
    expect(bg.proc.poll() is None, "still running")

    # A change at the hub arrives by itself.
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()
    wait_until(lambda: "TST/delta" in rxx.revs(), "delta to arrive")

    # SIGTERM while a page is half received: the page is finished and
    # applied, then the process exits 0.
    # The answer held is the first that carries epsilon, whenever the
    # round that asks for it starts.
    rule = proxy.inject("hold", path="/v1/changes", fraction=0.5, containing="TST/epsilon")
    tst.set_offerings("alpha,beta,gamma,delta,epsilon")
    tst.sync()
    expect(rule.reached.wait(30), "a round asked for the new page")
    bg.signal(signal.SIGTERM)
    wait_until(lambda: not signal_pending(bg.proc.pid, signal.SIGTERM), "SIGTERM to be taken")
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
    # The round's log line is written once the round is over: from then on
    # it waits an hour for the next one, so an exit at all is a prompt one.
    wait_until(lambda: " sync hub: pushed " in bg.stderr, "the first round's log line")
    n = proxy.count()
    bg.signal(signal.SIGTERM)
    res = bg.wait(60)
    expect(res.code == 0, "exit 0 between rounds", res)
    expect(proxy.count() == n, "no request after the stop: %s" % proxy.seen()[n:])
    lines = res.stderr_lines
    expect(len(lines) == 1 and lines[0].startswith("fgcat: ") and " sync hub: pushed 0, " in lines[0],
           "one log line per sync when not on a terminal", res)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
