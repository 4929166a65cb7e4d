"""A hub that drips its answer slower than the client accepts (1 byte per
0.2 s, beyond --timeout 2): each attempt is cut at the timeout, the sync
fails cleanly with nothing applied, in about the time asked for."""

import time

import synctest
from synctest import expect, clitest, unchanged_member


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()
    before = unchanged_member(rxx)
    proxy.forget()
    rule = proxy.inject("drip", path="/v1/changes", count=1000, chunk=1, interval=0.2)
    t0 = time.monotonic()
    res = rxx.run(["sync", "--timeout", "2", "--retries", "2"])
    took = time.monotonic() - t0
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*[Tt]ime(out| ?d out)")
    expect(rule.fired == 2, "two attempts, each timed out: %d" % rule.fired)
    expect(3.9 <= took < 12, "two 2 s attempts took %.1f s" % took)
    expect(unchanged_member(rxx) == before, "nothing applied")
    rxx.check_integrity()
    expect(rxx.status()["last_error"], "the error is recorded")
    # The proxy saw the client hang up, both times.
    deadline = time.monotonic() + 5
    while not rule.client_gone and time.monotonic() < deadline:
        time.sleep(0.05)
    expect(rule.client_gone, "the client hung up on the drip")

    rule.count = 0
    _, rep = rxx.sync()
    expect(rep["pulled"] == 1, "then it converges: %s" % rep)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
