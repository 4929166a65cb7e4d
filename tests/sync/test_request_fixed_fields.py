"""Which request fields are fixed: once a request is submitted its
offering_id, provider.ods, requester.ods, requester.contact, quantity,
start, note and quote never change.  A push that adds a move and also
edits one of them is refused per item as `conflict`, naming the field, and
nothing of it is applied (the move neither); the same move pushed with the
fields as the hub has them is applied."""

import synctest
from synctest import expect


def with_move(rec, status, by, **edits):
    """`rec` with one more move and the given field edits (a.b for nested)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in rec.items()}
    at = "2026-12-01T10:00:00Z"
    out["history"] = list(rec["history"]) + [{"status": status, "at": at, "by": by,
                                              "reason": "plans changed"}]
    out.update(status=status, rev=rec["rev"] + 1, updated_at=at)
    for k, v in edits.items():
        if "." in k:
            a, b = k.split(".")
            out[a][b] = v
        else:
            out[k] = v
    return out


def scenario(scene):
    hub, _, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    rid = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                  "--note", "first", "--json"]).json()["id"]
    rxx.sync()
    status, rec, _ = hub.api("GET", "/v1/requests/" + rid, token)
    expect(status == 200 and rec["rev"] == 1, "the hub has the request: %s %s" % (status, rec))
    seq = hub.health()["seq"]
    for n, (field, value) in enumerate((("quantity", 3), ("note", "changed"),
                                        ("note", None), ("start", "2030-01-01"),
                                        ("quote.amount_pence", 1),
                                        ("requester.contact", "x@example.nhs.uk"),
                                        ("offering_id", "TST/beta"))):
        pushed = with_move(rec, "cancelled", "RXX", **{field: value})
        status, body, _ = hub.api("POST", "/v1/push", token,
                                  {"items": [{"kind": "request", "record": pushed}]},
                                  {"Idempotency-Key": "fixed-%d" % n})
        expect(status == 200, "%s: answered per item: %s %s" % (field, status, body))
        res = body["results"][0]
        expect(res["status"] == "conflict" and field in res.get("reason", "")
               and res["rev"] == 1,
               "a move that edits %s is a conflict naming it, at the hub's rev: %s"
               % (field, res))
    status, now, _ = hub.api("GET", "/v1/requests/" + rid, token)
    expect(now == rec and hub.health()["seq"] == seq,
           "nothing was applied, the move neither: %s" % now)
    pushed = with_move(rec, "cancelled", "RXX")
    status, body, _ = hub.api("POST", "/v1/push", token,
                              {"items": [{"kind": "request", "record": pushed}]},
                              {"Idempotency-Key": "fixed-ok"})
    expect(status == 200 and body["results"][0]["status"] == "ok"
           and body["results"][0]["rev"] == 2, "the move alone is applied: %s" % body)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
