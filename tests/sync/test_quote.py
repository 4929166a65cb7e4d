"""POST /v1/quote: a member prices a request with the hub's own plugin
before submitting it.  The price is the one the member's node quotes for
the same request (and the hub would check on push); bad bodies, unknown
offerings, a quantity the rules refuse (0) and callers without a token get
their documented errors; nothing is stored (the feed does not move)."""

import json

import synctest
from synctest import expect


def post_raw(hub, body, token, ctype="application/json", method="POST"):
    """POSTs `body` (bytes) to /v1/quote as `ctype`; (status, JSON or None)."""
    status, value, _ = hub.api(method, "/v1/quote", token, data=body, ctype=ctype)
    return status, value


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    local = rxx.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                    "--json"]).json()
    seq = hub.health()["seq"]

    status, body = post_raw(hub, json.dumps({"offering_id": "TST/alpha", "quantity": 2}).encode(),
                            token)
    expect(status == 200, "a quote: %s %s" % (status, body))
    expect(body == {"offering_id": "TST/alpha", "quote": local["quote"]},
           "the hub's quote %s is the node's %s" % (body, local["quote"]))
    status, body = post_raw(hub, json.dumps({"offering_id": "TST/alpha", "quantity": 1,
                                             "start": local["start"], "note": "x",
                                             "contact": None}).encode(), token)
    expect(status == 200 and body["quote"]["amount_pence"] * 2 == local["quote"]["amount_pence"],
           "one place costs half of two: %s" % body)

    for what, raw, want in (
            ("unknown offering", {"offering_id": "TST/nope", "quantity": 1}, (404, "not_found")),
            ("quantity 0", {"offering_id": "TST/alpha", "quantity": 0}, (422, None)),
            ("a string quantity", {"offering_id": "TST/alpha", "quantity": "2"},
             (422, "invalid")),
            ("an unknown field", {"offering_id": "TST/alpha", "quantity": 1, "price": 0},
             (422, "invalid")),
            ("no offering", {"quantity": 1}, (422, "invalid")),
            ("not an object", [1], (422, "invalid"))):
        status, body = post_raw(hub, json.dumps(raw).encode(), token)
        expect(status == want[0] and isinstance(body.get("message"), str)
               and (want[1] is None or body["error"] == want[1])
               and body["error"] in ("invalid", "refused", "not_found"),
               "%s: %s %s" % (what, status, body))
    status, body = post_raw(hub, b"{", token)
    expect(status == 400 and body["error"] == "bad_request", "bad JSON: %s %s" % (status, body))
    status, body = post_raw(hub, b"{}", token, ctype="text/plain")
    expect(status == 415, "text/plain: %s %s" % (status, body))
    status, body = post_raw(hub, b"{}", None)
    expect(status == 401 and body["error"] == "unauthorized", "no token: %s %s" % (status, body))
    status, body = post_raw(hub, None, token, method="GET")
    expect(status == 405, "GET: %s %s" % (status, body))
    expect(hub.health()["seq"] == seq, "a quote stores nothing")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
