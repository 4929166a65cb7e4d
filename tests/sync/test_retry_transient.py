"""Transient failures are retried and the sync succeeds: a 429 on a push
(resent with the same Idempotency-Key, applied once), a 500 and then a 408
on the change feed."""

import synctest
from synctest import expect


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    # Something to push (a request) and something to pull (a new title).
    rid = rxx.ok(["request", "create", "TST/beta", "--org", "RXX", "--quantity", "1",
                  "--json"]).json()["id"]
    tst.set_offerings("alpha,beta,gamma", suffix=" v2")
    tst.sync()

    proxy.forget()
    push = proxy.inject("status", path="/v1/push", code=429)
    e500 = proxy.inject("status", path="/v1/changes", code=500)
    e408 = proxy.inject("status", path="/v1/changes", code=408)
    _, rep = rxx.sync()
    expect(push.fired == 1 and e500.fired == 1 and e408.fired == 1, "the faults happened")
    expect(rep["status"] == "ok" and rep["pushed"] == 1 and rep["pulled"] == 3,
           "retried to success: %s" % rep)
    pushes = proxy.seen("/v1/push")
    expect([s.status for s in pushes] == [429, 200], "the push was sent twice: %s" % pushes)
    keys = {s.headers.get("idempotency-key") for s in pushes}
    expect(len(keys) == 1 and None not in keys,
           "a retried batch keeps its Idempotency-Key: %s" % keys)
    expect(pushes[0].body == pushes[1].body, "a retried batch is the same batch")
    changes = proxy.seen("/v1/changes")
    expect([s.status for s in changes] == [500, 408, 200],
           "the feed was asked three times: %s" % changes)
    expect(len({s.query for s in changes}) == 1, "each retry asks for the same page")
    expect(rep["http_calls"] == 5, "five HTTP requests in all: %s" % rep)
    status, body, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RXX"))
    expect(status == 200 and len(body["history"]) == 1, "the request is at the hub once")
    synctest.same_offerings(tst, rxx)
    st = rxx.status()
    expect(st["last_error"] is None and st["pending"] == 0, "a retried success: %s" % st)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
