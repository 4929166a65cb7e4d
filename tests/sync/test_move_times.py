"""The hub stamps a request's times itself: the `at` of each move it
applies, and a new request's created_at and updated_at, are the hub's
clock's, never the client's (back-dated, in the future, or out of order),
and they never go back within a request, even when the hub's clock steps
back (simulated by a move stored with a later time than the clock's).
The client's times are not content: the same moves with other times are
`unchanged`."""

import datetime
import sqlite3
import uuid

import synctest
from synctest import expect

PAST, FUTURE, AHEAD = "2001-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "2090-06-01T12:00:00Z"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def scenario(scene):
    hub, _, _, _ = scene.provider_and_member()
    rxx, tst = hub.token("RXX"), hub.token("TST")
    status, q, _ = hub.api("POST", "/v1/quote", rxx, {"offering_id": "TST/alpha",
                                                       "quantity": 2})
    expect(status == 200, "a quote: %s %s" % (status, q))

    def push(token, record, key):
        status, body, _ = hub.api("POST", "/v1/push", token,
                                  {"items": [{"kind": "request", "record": record}]},
                                  {"Idempotency-Key": key})
        expect(status == 200, "push answered %s %s" % (status, body))
        return body["results"][0]

    def move(rec, status, by, at):
        out = dict(rec, history=list(rec["history"]) + [{"status": status, "at": at, "by": by}],
                   status=status, rev=rec["rev"] + 1, updated_at=at)
        return out

    def get(rid):
        status, rec, _ = hub.api("GET", "/v1/requests/" + rid, rxx)
        expect(status == 200, "GET the request: %s %s" % (status, rec))
        return rec

    # A back-dated submission: stamped with the hub's time.
    rid = str(uuid.uuid4())
    sub = {"id": rid, "offering_id": "TST/alpha", "provider": {"ods": "TST"},
           "requester": {"ods": "RXX", "contact": None}, "quantity": 2, "start": None,
           "note": None, "status": "submitted", "quote": q["quote"], "rev": 1,
           "history": [{"status": "submitted", "at": PAST, "by": "RXX"}],
           "created_at": PAST, "updated_at": PAST}
    before = now()
    res = push(rxx, sub, "t1")
    after = now()
    expect(res["status"] == "ok", "the submission: %s" % res)
    rec = get(rid)
    at0 = rec["history"][0]["at"]
    expect(before <= at0 <= after and rec["created_at"] == at0 and rec["updated_at"] == at0,
           "a back-dated submission gets the hub's time %s..%s: %s" % (before, after, rec))
    # The same submission with other times is the same content.
    res = push(rxx, dict(sub, created_at=FUTURE, updated_at=FUTURE,
                         history=[dict(sub["history"][0], at=FUTURE)]), "t2")
    expect(res["status"] == "unchanged", "other times are not other content: %s" % res)

    # A move dated in the future: stamped now.
    res = push(tst, move(rec, "accepted", "TST", FUTURE), "t3")
    expect(res["status"] == "ok", "the acceptance: %s" % res)
    rec = get(rid)
    at1 = rec["history"][1]["at"]
    expect(at0 <= at1 <= now() and rec["updated_at"] == at1,
           "a move dated in the future gets the hub's time: %s" % rec)

    # The hub's clock steps back: its last move is later than its clock.
    con = sqlite3.connect(hub.db, timeout=10)
    with con:
        con.execute("UPDATE request_event SET at = ? WHERE seq = 2 AND request ="
                    " (SELECT rowid FROM request WHERE id = ?)", (AHEAD, rid))
    con.close()
    rec = get(rid)
    expect(rec["history"][1]["at"] == AHEAD, "the simulated clock step: %s" % rec)
    res = push(tst, move(rec, "completed", "TST", PAST), "t4")
    expect(res["status"] == "ok", "the completion: %s" % res)
    rec = get(rid)
    expect(rec["history"][2]["at"] == AHEAD and rec["updated_at"] == AHEAD,
           "times never go back within a request: %s" % rec["history"])

    # Several moves in one push, dated out of order: in order, the hub's.
    rid2 = str(uuid.uuid4())
    sub2 = dict(sub, id=rid2, status="cancelled", rev=2, updated_at=PAST,
                history=[{"status": "submitted", "at": FUTURE, "by": "RXX"},
                         {"status": "cancelled", "at": PAST, "by": "RXX", "reason": "no"}])
    before = now()
    res = push(rxx, sub2, "t5")
    expect(res["status"] == "ok" and res["rev"] == 2, "submitted and cancelled: %s" % res)
    rec2 = get(rid2)
    ats = [h["at"] for h in rec2["history"]]
    expect(before <= ats[0] <= ats[1] <= now() and rec2["updated_at"] == ats[1],
           "moves out of order get the hub's times, in order: %s" % rec2)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
