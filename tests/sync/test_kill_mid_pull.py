"""kill -9 of a member in the middle of pulling a big feed (3,000
offerings, pages of 1000): what was committed is whole pages with their
cursor, never ahead of the data; the next sync resumes from there (it does
not pull again what it has) and ends with the hub's catalogue,
nothing doubled."""

import random
import time

import synctest
from synctest import expect, same_offerings, cursor_not_ahead

N = 3000
PAGE = 1000  # fgcat sync --page: three pages


def scenario(scene):
    # The hub's own catalogue holds the big feed (the operator's plugin
    # registered it), so no time goes on pushing it first.
    hub = scene.hub(offerings=",".join("course-%04d" % i for i in range(N)))
    hub.token("RXX")
    hub.start()
    rxx = scene.node("RXX")
    proxy = scene.proxy(hub)
    rxx.follow(hub, url=proxy.url)

    # Let two pages through, then stall the third half-way and kill -9.
    # (The client asks for a page while it applies the one before, so once
    # the third is asked for, wait for the second to be committed.)
    rule = proxy.inject("hold", path="/v1/changes", skip=2, fraction=0.5)
    bg = rxx.spawn(["sync", "--json", "--page", str(PAGE)])
    expect(rule.reached.wait(60), "the third page was never asked for:\n" + bg.stderr)
    deadline = time.time() + 60
    while rxx.sql("SELECT count(*) FROM offering") != [(2 * PAGE,)]:
        expect(time.time() < deadline, "the second page was never committed")
        time.sleep(0.05)
    bg.kill9()
    expect(bg.proc.returncode == -9, "the client died by SIGKILL, not %s" % bg.proc.returncode)
    rule.release.set()

    rxx.check_integrity()
    have = rxx.revs()
    expect(len(have) == 2 * PAGE, "two whole pages committed: %d offerings" % len(have))
    seq = cursor_not_ahead(rxx, hub, hub.token("RXX"))
    feed = hub.feed(hub.token("RXX"))
    upto = {k for k, c in feed.items() if c["seq"] <= seq and k.startswith("TST/")}
    expect(upto == set(have), "the member holds exactly the records up to its cursor %d "
           "(%d of them), not %d" % (seq, len(upto), len(have)))
    expect(rxx.sql("SELECT count(*) FROM sync_seen") == [(0,)], "no snapshot in progress")

    # Kills while a page is parsed, applied or committed must leave the
    # same promise: whole pages with their cursor.  How long the client
    # takes over a page here sets the window (it asks for the third page
    # when it has applied the first: the second was fetched meanwhile);
    # each kill lands a random moment inside it.
    pages = proxy.seen("/v1/changes")
    window = pages[2].at - pages[0].done_at
    expect(window > 0, "the third page is asked for after the first is answered")
    rng = random.Random(1234)
    for _ in range(4):
        proxy.forget()
        bg = rxx.spawn(["sync", "--json", "--page", str(PAGE)])
        expect(proxy.wait_answered("/v1/changes", 1), "no page was answered:\n" + bg.stderr)
        delay = rng.uniform(0.1, 1.5) * window
        time.sleep(delay)
        bg.kill9()
        rxx.check_integrity()
        seq = cursor_not_ahead(rxx, hub, hub.token("RXX"))
        upto = {k for k, c in feed.items() if c["seq"] <= seq and k.startswith("TST/")}
        expect(upto == set(rxx.revs()), "after a kill at +%.2f s the member holds %d records, "
               "its cursor %d covers %d" % (delay, len(rxx.revs()), seq, len(upto)))
        print("killed %.3f s (of %.3f) after a page: %d records, cursor %d"
              % (delay, window, len(upto), seq))

    # The next sync resumes at the cursor and converges.
    have = len(rxx.revs())
    proxy.forget()
    _, rep = rxx.sync("--page", str(PAGE))
    expect(rep["pulled"] == N - have and not rep["resynced"],
           "the resumed pull fetches only the %d missing: %s" % (N - have, rep))
    first = proxy.seen("/v1/changes")[0]
    expect(first.query.startswith("since=") and ("%3A" + str(seq)) in first.query,
           "the resumed pull starts at the stored cursor: %s" % first.query)
    got = same_offerings(hub, rxx)
    expect(len(got) == N, "the member holds all %d offerings: %d" % (N, len(got)))
    rows = rxx.sql("SELECT count(*), count(DISTINCT id) FROM offering")
    expect(rows == [(N, N)], "nothing doubled: %s" % rows)
    rxx.check_integrity()
    st = rxx.status()
    expect(st["pending"] == 0 and st["cursor"].endswith(":%d" % hub.health()["seq"]),
           "status after convergence: %s" % st)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
