"""The rev range: a pushed offering's rev is an integer from 1 to
2^53-1.  A rev outside it -- 0, 2^53, 2^63-1, and 2^63 or more, which no
64-bit integer holds -- makes that item `invalid`; the other items of the
batch are applied, and the batch is not refused whole."""

import json

import synctest
from synctest import expect

MAX_REV = 2 ** 53 - 1


def push_text(hub, token, text, key):
    """POSTs a push body given as JSON text, exactly as written."""
    status, value, _ = hub.api("POST", "/v1/push", token, data=text.encode(),
                               headers={"Idempotency-Key": key})
    return status, value


def scenario(scene):
    hub, tst, _, _ = scene.provider_and_member()
    token = hub.token("TST")
    alpha = hub.feed(token)["TST/alpha"]["record"]
    for n, bad in enumerate((0, -1, MAX_REV + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 + 5,
                             -(2 ** 63) - 1, 10 ** 40)):
        good = dict(alpha, rev=alpha["rev"] + 1 + n, title="Alpha, revised %d" % n)
        wrong = dict(alpha, rev=0, title="Alpha, out of range")
        text = json.dumps({"items": [{"kind": "offering", "record": wrong},
                                     {"kind": "offering", "record": good}]})
        text = text.replace('"rev": 0', '"rev": %d' % bad, 1)
        status, body = push_text(hub, token, text, "rev-range-%d" % n)
        expect(status == 200, "rev %d: the batch is answered per item, not %s %s"
               % (bad, status, body))
        first, second = body["results"]
        expect(first["status"] == "invalid" and "rev" in first.get("reason", ""),
               "rev %d: the item is invalid naming rev: %s" % (bad, first))
        expect(first["rev"] == alpha["rev"] + n, "rev %d: the hub's rev is unchanged: %s"
               % (bad, first))
        expect(second["status"] == "ok" and second["rev"] == good["rev"],
               "rev %d: the other item is applied: %s" % (bad, second))
    # The top of the range is accepted.
    top = dict(alpha, rev=MAX_REV, title="Alpha at the top")
    status, body, _ = hub.api("POST", "/v1/push", token, {"items": [{"kind": "offering",
                                                                     "record": top}]},
                              {"Idempotency-Key": "rev-range-top"})
    expect(status == 200 and body["results"][0]["status"] == "ok"
           and body["results"][0]["rev"] == MAX_REV, "rev 2^53-1 is accepted: %s" % body)
    # A huge number in a string stays a string; a huge real is still
    # refused whole (it is not an integer the hub could misread).
    status, body = push_text(hub, token, '{"items": [], "x": "92233720368547758080"}', "s1")
    expect(status == 200 and body == {"results": []}, "a string is left alone: %s %s"
           % (status, body))
    status, body = push_text(hub, token, '{"items": [{"kind": "offering", "record": 1e999}]}',
                             "s2")
    expect(status == 400 and body["error"] == "bad_request",
           "a real beyond double is malformed JSON: %s %s" % (status, body))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
