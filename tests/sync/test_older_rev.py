"""Revisions decide, not arrival order: an offering at rev 1 pushed after
rev 2 (straight to /v1/push) is a conflict and the hub keeps rev 2; an
equal rev with other content is a conflict, with the same content
unchanged; only the provider's token may write or delete its offerings.
Through the client: a second TST node whose stale offering the hub refuses
exits 4, lists the refusal in sync status, and is not failed by it again."""

import synctest
from synctest import expect


def push(hub, ods, key, items):
    status, body, _ = hub.api("POST", "/v1/push", hub.token(ods), {"items": items},
                              {"Idempotency-Key": key})
    expect(status == 200, "POST /v1/push answered %s: %s" % (status, body))
    return body["results"]


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    rev1 = hub.export()["TST/alpha"]
    expect(rev1["rev"] == 1, "alpha at rev 1 on the hub")
    tst.set_offerings("alpha,beta,gamma", suffix=" (revised)")
    tst.sync()
    rev2 = hub.export()["TST/alpha"]
    expect(rev2["rev"] == 2 and rev2["title"].endswith("(revised)"), "alpha at rev 2")
    seq = hub.health()["seq"]

    res = push(hub, "TST", "late-rev-1", [{"kind": "offering", "record": rev1}])
    expect(res == [{"kind": "offering", "id": "TST/alpha", "status": "conflict", "rev": 2,
                    "reason": res[0].get("reason")}] and res[0].get("reason"),
           "rev 1 after rev 2 is a conflict, the hub at rev 2: %s" % res)
    status, now, hdrs = hub.api("GET", "/v1/offerings/TST/alpha", hub.token("RXX"))
    expect(status == 200 and now == rev2 and hdrs["ETag"] == '"2"',
           "the hub keeps rev 2: %s" % now)
    status, _, _ = hub.api("GET", "/v1/offerings/TST/alpha", hub.token("RXX"),
                           headers={"If-None-Match": '"2"'})
    expect(status == 304, "If-None-Match on the current rev: 304, not %s" % status)

    other = dict(rev2, title="Another title at the same rev")
    res = push(hub, "TST", "same-rev-other", [{"kind": "offering", "record": other},
                                             {"kind": "offering", "record": rev2}])
    expect([r["status"] for r in res] == ["conflict", "unchanged"] and res[1]["rev"] == 2,
           "equal rev: other content conflicts, the same is unchanged: %s" % res)

    # Only the provider's token writes or deletes its offerings.
    res = push(hub, "RXX", "not-mine", [
        {"kind": "offering", "record": dict(rev2, rev=3, title="Hijacked")},
        {"kind": "offering", "id": "TST/alpha", "deleted": True}])
    expect([r["status"] for r in res] == ["forbidden", "forbidden"],
           "RXX may not write TST's offering: %s" % res)
    # One bad item does not sink the batch.
    res = push(hub, "TST", "mixed", [
        {"kind": "offering", "record": dict(rev2, rev=3, delivery="by-post")},
        {"kind": "offering", "record": rev1},
        {"kind": "gadget"}])
    expect([r["status"] for r in res] == ["invalid", "conflict", "invalid"],
           "each item has its own result: %s" % res)
    expect(hub.health()["seq"] == seq, "nothing above was applied")
    expect(hub.export()["TST/alpha"] == rev2, "the hub still holds rev 2")

    # The protocol's refusals of the call itself.
    status, body, hdrs = hub.api("POST", "/v1/push", None, {"items": []},
                                 {"Idempotency-Key": "k"})
    expect(status == 401 and body["error"] == "unauthorized"
           and hdrs["WWW-Authenticate"].startswith("Bearer"), "no token: 401 %s" % body)
    status, body, _ = hub.api("POST", "/v1/push", hub.token("TST"), {"items": []})
    expect(status == 400 and body["error"] == "bad_request", "no Idempotency-Key: %s" % body)
    status, body, _ = hub.api("POST", "/v1/push", hub.token("TST"), {"items": []},
                              {"Idempotency-Key": "k3", "Content-Type": "text/plain"})
    expect(status == 415 and body["error"] == "unsupported_media_type", "text/plain: %s" % body)
    status, body, _ = hub.api("POST", "/v1/push", hub.token("TST"), {"items": {}},
                              {"Idempotency-Key": "k2"})
    expect(status == 422 and body["error"] == "invalid", "items not an array: %s" % body)

    # A second node for TST, still registering the old title: rev 1 with
    # other content.  The hub refuses it; the sync exits 4 and says so.
    tst2 = scene.node("TST", "alpha")
    tst2.ok(["refresh"])
    tst2.follow(hub, token=hub.token("TST"))
    res = tst2.run(["sync"])
    expect(res.code == 4, "a refused item: exit 4", res)
    expect(any(l.startswith("fgcat: sync hub: the hub refused 1 item") for l in res.stderr_lines),
           "the refusal is reported", res)
    st = tst2.status()
    expect(len(st["refused"]) == 1 and st["refused"][0]["id"] == "TST/alpha"
           and st["refused"][0]["status"] == "conflict" and st["refused"][0]["rev"] == 1
           and st["refused"][0]["reason"], "sync status lists the refusal: %s" % st)
    text = tst2.ok(["sync", "status"]).stdout
    expect("refused:       offering TST/alpha rev 1: conflict: " in text,
           "the refusal in sync status text:\n" + text)
    # The pull brought the hub's newer rev; later syncs are not failed.
    expect(tst2.revs()["TST/alpha"] == (2, "active"), "the hub's rev 2 wins on pull")
    mark = hub.mark()
    _, rep = tst2.sync()
    expect(rep["refused"] == 0 and rep["pushed"] == 0, "not pushed again: %s" % rep)
    expect(not any(l[1] == "/v1/push" for l in hub.requests_since(mark)),
           "no push was sent for the refused item")
    expect(hub.export()["TST/alpha"] == rev2, "the hub still holds rev 2")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
