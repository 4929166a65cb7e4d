"""A request pushed at the rev the hub has, with other content, is a
`conflict` (as an offering at an equal rev with other content is), not
`unchanged`: another note, quantity or contact, or a move with another
status, organisation or reason.  The same content again is `unchanged`."""

import copy

import synctest
from synctest import expect


def scenario(scene):
    hub, _, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    rec = scene.delivered_request(hub, rxx, [("cancel", "plans changed")])
    rid = rec["id"]

    def push(record, key):
        status, body, _ = hub.api("POST", "/v1/push", token,
                                  {"items": [{"kind": "request", "record": record}]},
                                  {"Idempotency-Key": key})
        expect(status == 200, "answered per item: %s %s" % (status, body))
        return body["results"][0]

    res = push(rec, "same-0")
    expect(res["status"] == "unchanged" and res["rev"] == 2, "the same content: %s" % res)
    edits = (("note", lambda r: r.update(note="another note")),
             ("quantity", lambda r: r.update(quantity=1)),
             ("contact", lambda r: r["requester"].update(contact="y@example.nhs.uk")),
             ("reason", lambda r: r["history"][1].update(reason="another reason")),
             ("reason", lambda r: r["history"][1].pop("reason")))
    for n, (what, edit) in enumerate(edits):
        other = copy.deepcopy(rec)
        edit(other)
        res = push(other, "same-%d" % (n + 1))
        expect(res["status"] == "conflict" and res["rev"] == 2 and res.get("reason"),
               "the same rev with another %s is a conflict: %s" % (what, res))
    status, now, _ = hub.api("GET", "/v1/requests/" + rid, token)
    expect(now == rec, "the hub's request is as it was: %s" % now)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
