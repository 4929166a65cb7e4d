"""A 4xx other than 408/429 is final: an unknown token gets one 401 (on
whoami for a new remote, on the feed or the push for a known one), a 400
or a 404 one request, never a retry; the sync fails with one line and
the error recorded."""

import synctest
from synctest import expect, clitest, unchanged_member


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)

    # A new remote with a token the hub never issued: one whoami, 401.
    ryy = scene.node("RYY")
    ryy.follow(hub, url=proxy.url, token="fgc_" + "0" * 64)
    proxy.forget()
    res = ryy.run(["sync"])
    clitest.one_error_line(res, 4, r"^fgcat: sync hub: whoami: the hub answered 401")
    expect([(s.path, s.status) for s in proxy.seen()] == [("/v1/whoami", 401)],
           "one call, not retried: %s" % proxy.seen())
    expect(ryy.status()["org"] is None and "401" in ryy.status()["last_error"],
           "no organisation learnt, the error recorded: %s" % ryy.status())

    # A known remote whose token stops working (revoked, or replaced by
    # mistake): with nothing to push, one feed call; with a pending
    # request, one push and nothing after it.
    with open(rxx.token_file, "w") as f:
        f.write("fgc_revoked_" + "1" * 52 + "\n")
    before = unchanged_member(rxx)
    proxy.forget()
    res = rxx.run(["sync"])
    clitest.one_error_line(res, 4, r"^fgcat: sync hub: changes: the hub answered 401")
    expect([(s.path, s.status) for s in proxy.seen()] == [("/v1/changes", 401)],
           "one call: %s" % proxy.seen())
    rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "1"])
    proxy.forget()
    res = rxx.run(["sync"])
    clitest.one_error_line(res, 4, r"^fgcat: sync hub: push: the hub answered 401")
    expect([(s.path, s.status) for s in proxy.seen()] == [("/v1/push", 401)],
           "one call: %s" % proxy.seen())
    expect(rxx.status()["pending"] == 1, "the request is still pending")
    expect(unchanged_member(rxx)[0] == before[0], "nothing applied")

    # The right token again; other final answers on the way.
    with open(rxx.token_file, "w") as f:
        f.write(hub.token("RXX") + "\n")
    for code in (400, 404, 403):
        proxy.forget()
        rule = proxy.inject("status", path="/v1/push", code=code)
        res = rxx.run(["sync"])
        expect(res.code in (1, 4) and rule.fired == 1, "a %d fails the sync" % code, res)
        clitest.one_error_line(res, 4 if code == 403 else 1,
                               r"^fgcat: sync hub: push: the hub answered %d" % code)
        expect(proxy.count() == 1, "a %d is not retried: %s" % (code, proxy.seen()))
    expect(rxx.status()["pending"] == 1, "still pending")
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1 and rxx.status()["pending"] == 0, "then it goes: %s" % rep)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
