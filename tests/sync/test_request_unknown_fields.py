"""Unknown fields in a pushed request are refused as they are for
offerings: the item is `invalid`, the reason naming the field (at the top,
in provider, requester, quote or a history move), and nothing of it is
applied; the rest of the batch is."""

import copy
import uuid

import synctest
from synctest import expect


def scenario(scene):
    hub, _, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    rec = scene.delivered_request(hub, rxx)
    seq = hub.health()["seq"]

    def fresh(edit):
        r = copy.deepcopy(rec)
        r["id"] = str(uuid.uuid4())
        edit(r)
        return r

    cases = (("priority", lambda r: r.update(priority="high")),
             ("provider.name", lambda r: r["provider"].update(name="Test trust")),
             ("requester.phone", lambda r: r["requester"].update(phone="0100")),
             ("quote.vat", lambda r: r["quote"].update(vat=0)),
             ("history[0].comment", lambda r: r["history"][0].update(comment="hi")))
    for n, (field, edit) in enumerate(cases):
        bad = fresh(edit)
        status, body, _ = hub.api("POST", "/v1/push", token,
                                  {"items": [{"kind": "request", "record": bad}]},
                                  {"Idempotency-Key": "unknown-%d" % n})
        res = body["results"][0] if status == 200 else None
        expect(res and res["status"] == "invalid" and field in res.get("reason", ""),
               "an unknown field %s: %s %s" % (field, status, body))
        status, _, _ = hub.api("GET", "/v1/requests/" + bad["id"], token)
        expect(status == 404, "the request with %s was not stored" % field)
    # The same request on an existing id with an extra field: invalid too.
    extra = copy.deepcopy(rec)
    extra["priority"] = "high"
    status, body, _ = hub.api("POST", "/v1/push", token,
                              {"items": [{"kind": "request", "record": extra},
                                         {"kind": "request", "record": rec}]},
                              {"Idempotency-Key": "unknown-existing"})
    expect(status == 200 and [r["status"] for r in body["results"]] == ["invalid", "unchanged"],
           "an unknown field on a known request; the other item still answered: %s" % body)
    expect(hub.health()["seq"] == seq, "nothing was stored")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
