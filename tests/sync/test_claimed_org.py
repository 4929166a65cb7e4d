"""A body claiming another organisation is `forbidden`, whatever else is
wrong with it: the hub takes the caller's organisation from the token, and
an offering whose provider.ods or id names another organisation, a
tombstone of another's offering, or a request of which the caller is
neither requester nor provider, is answered `forbidden` before any other
check (not `invalid`).  Nothing of it is applied."""

import copy
import uuid

import synctest
from synctest import expect


def scenario(scene):
    hub, _, rxx, _ = scene.provider_and_member()
    tst_token, token = hub.token("TST"), hub.token("RXX")
    alpha = hub.feed(tst_token)["TST/alpha"]["record"]
    rid = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                  "--json"]).json()["id"]
    rxx.sync()
    status, req, _ = hub.api("GET", "/v1/requests/" + rid, token)
    seq = hub.health()["seq"]

    def offering(**edits):
        o = copy.deepcopy(alpha)
        o["rev"] += 1
        for k, v in edits.items():
            if k == "provider_ods":
                o["provider"]["ods"] = v
            else:
                o[k] = v
        return {"kind": "offering", "record": o}

    def request(requester, **edits):
        r = copy.deepcopy(req)
        r["id"] = str(uuid.uuid4())
        r["requester"]["ods"] = requester
        r["history"][0]["by"] = requester
        r.update(edits)
        return {"kind": "request", "record": r}

    cases = (
        ("an offering of TST's, valid", offering()),
        ("an offering of TST's with a bad price", offering(price="cheap")),
        ("an RXX id with provider TST", offering(id="RXX/alpha")),
        ("a TST id with provider RXX", offering(provider_ods="RXX")),
        ("a TST id with provider RXX and an unknown field", offering(provider_ods="RXX",
                                                                     colour="red")),
        ("a tombstone of TST's", {"kind": "offering", "id": "TST/alpha", "deleted": True}),
        ("a request between RYY and TST", request("RYY")),
        ("a request between RYY and TST, quantity 0", request("RYY", quantity=0)),
        ("a request between RYY and TST, unknown field", request("RYY", colour="red")),
    )
    for n, (what, item) in enumerate(cases):
        status, body, _ = hub.api("POST", "/v1/push", token, {"items": [item]},
                                  {"Idempotency-Key": "claim-%d" % n})
        expect(status == 200 and body["results"][0]["status"] == "forbidden",
               "%s: forbidden, not %s %s" % (what, status, body))
    expect(hub.health()["seq"] == seq, "nothing was applied")
    status, now, _ = hub.api("GET", "/v1/offerings/TST/alpha", token)
    expect(status == 200 and now == alpha, "TST/alpha is as TST pushed it: %s" % now)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
