"""A 503 with Retry-After: 1 makes the client wait about a second (more
than its own first backoff of at most 0.75 s) before it asks again, and
the sync succeeds."""

import synctest
from synctest import expect


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()
    proxy.forget()
    rule = proxy.inject("status", path="/v1/changes", code=503, retry_after=1)
    _, rep = rxx.sync()
    expect(rule.fired == 1 and rep["pulled"] == 1, "retried to success: %s" % rep)
    seen = proxy.seen("/v1/changes")
    expect([s.status for s in seen] == [503, 200], "asked twice: %s" % seen)
    gap = seen[1].at - seen[0].at
    expect(0.95 <= gap < 5, "the client waited %.2f s, not about the 1 s asked" % gap)
    expect("TST/delta" in rxx.revs(), "the new offering arrived")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
