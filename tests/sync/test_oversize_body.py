"""An answer larger than the client's 64 MiB limit (streamed, chunked, so
no Content-Length warns of it) is refused while it arrives: the sync fails
cleanly at once (no retry: the same page would be as large), with nothing
applied, and the next sync converges."""

import synctest
from synctest import expect, clitest, same_offerings, unchanged_member

LIMIT = 64 * 1024 * 1024


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()
    before = unchanged_member(rxx)
    proxy.forget()
    rule = proxy.inject("oversize", path="/v1/changes", count=1000)
    res = rxx.run(["sync"])
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*larger than %d bytes" % LIMIT)
    expect(rule.fired == 1 and proxy.count("/v1/changes") == 1,
           "not retried: %s" % proxy.seen("/v1/changes"))
    # The client stopped reading at the limit, not before, not long after.
    sent = rule.params["sent"]
    expect(rule.client_gone and LIMIT < sent < synctest.OVERSIZE,
           "the client must hang up past %d bytes, before the %d sent; it took %d"
           % (LIMIT, synctest.OVERSIZE, sent))
    expect(unchanged_member(rxx) == before, "nothing applied")
    expect("larger than" in rxx.status()["last_error"], "the error is recorded")
    rxx.check_integrity()

    rule.count = 0
    _, rep = rxx.sync()
    expect(rep["pulled"] == 1, "then it converges: %s" % rep)
    same_offerings(tst, rxx)

    # An answer just under the limit is not refused for its size (it is
    # not JSON, so it is retried as garbage would be).
    proxy.forget()
    rule = proxy.inject("oversize", path="/v1/changes", count=1, size=LIMIT - 1024)
    _, rep = rxx.sync()
    expect(rule.fired == 1 and proxy.count("/v1/changes") == 2,
           "under the limit: read whole, found not JSON, retried: %s" % rep)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
