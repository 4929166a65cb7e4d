"""A replayed push whose first answer was lost: the hub applies the batch,
the answer never reaches the client, the client sends the batch again with
the same Idempotency-Key, and the hub answers from its idempotency store
(the same answer, "ok", not "unchanged") without applying anything twice."""

import json

import synctest
from synctest import expect


def scenario(scene):
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    rid = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "3",
                  "--json"]).json()["id"]
    rxx.sync()
    rxx.ok(["request", "cancel", rid, "--org", "RXX", "--reason", "plans changed"])

    proxy.forget()
    seq0 = hub.health()["seq"]
    rule = proxy.inject("drop", path="/v1/push")
    mark = hub.mark()
    _, rep = rxx.sync()
    expect(rule.fired == 1 and len(rule.lost) == 1 and rule.lost[0][0] == 200,
           "the hub answered the first push, and the answer was lost")
    pushes = proxy.seen("/v1/push")
    expect(len(pushes) == 2, "the push was sent twice: %s" % pushes)
    keys = [s.headers.get("idempotency-key") for s in pushes]
    expect(keys[0] and keys[0] == keys[1], "with the same Idempotency-Key: %s" % keys)
    expect(pushes[0].body == pushes[1].body, "the same batch")
    expect(pushes[1].status == 200 and pushes[1].answer == rule.lost[0][1],
           "the replay gets the stored answer:\n%s\n%s" % (rule.lost[0][1], pushes[1].answer))
    expect(rep["pushed"] == 1 and rep["unchanged"] == 0,
           "the client counts it applied once (a re-application would say unchanged): %s" % rep)
    logged = [l for l in hub.requests_since(mark) if l[1] == "/v1/push"]
    expect([l[2] for l in logged] == [200, 200], "the hub logged two pushes: %s" % logged)

    # Nothing applied twice: one new record in the feed, the history whole.
    expect(hub.health()["seq"] == seq0 + 1, "the hub's feed moved once (one move): %d -> %d"
           % (seq0, hub.health()["seq"]))
    status, body, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("TST"))
    expect(status == 200 and [h["status"] for h in body["history"]]
           == ["submitted", "cancelled"] and body["rev"] == 2,
           "the hub holds the request once, history of two: %s" % body)
    expect(rxx.status()["pending"] == 0, "nothing left to push")

    # The same key with another body still gets the first answer (the key
    # names the batch); a new key for the same items: unchanged.
    status, again, _ = hub.api("POST", "/v1/push", hub.token("RXX"),
                               {"items": []}, {"Idempotency-Key": keys[0]})
    expect(status == 200 and len(again["results"]) == 1 and again["results"][0]["status"] == "ok",
           "a known key gets its stored answer: %s" % again)
    items = json.loads(pushes[0].body)
    status, fresh, _ = hub.api("POST", "/v1/push", hub.token("RXX"), items,
                               {"Idempotency-Key": "another-key-1"})
    expect(status == 200 and [r["status"] for r in fresh["results"]] == ["unchanged"],
           "the same items under a new key come back unchanged: %s" % fresh)
    # Keys belong to an organisation: TST's use of RXX's key is a new push.
    status, other, _ = hub.api("POST", "/v1/push", hub.token("TST"), {"items": []},
                               {"Idempotency-Key": keys[0]})
    expect(status == 200 and other == {"results": []},
           "another organisation's key is not RXX's: %s" % other)
    expect(hub.health()["seq"] == seq0 + 1, "and nothing was applied")
    tst.sync()
    expect(tst.requests()[rid]["status"] == "cancelled", "the provider sees it once")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
