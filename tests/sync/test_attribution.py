"""Who did it, across the hub, on default installs (built-in plugins on
the hub and every node).  The hub has people: ann (requester at RXX), raj
(approver at RTF) and rita (requester at RTF).  RXX requests with
`--by ann`; the person travels with the request: the hub's copy, its feed
for RXX and RTF, and the provider's node all name her, while RYJ's feed
never shows the request.  The provider's node records a move by rita as
given (it has no people), but the hub refuses it per item as `forbidden`
(a requester may not accept) and sync status says so; raj's acceptance is
applied, and the requester's node then shows both people.  A pushed move by a
person of another trust is refused the same way."""

import datetime

import synctest
from synctest import expect

OFFERING = "RTF/integrated-care-community-nursing"


def start_date():
    return (datetime.date.today() + datetime.timedelta(days=120)).isoformat()


def people(history):
    return [(h["status"], h["by"], h.get("person")) for h in history]


def scenario(scene):
    hub = scene.hub(default=True)
    for email, ods, role in (("ann@nhs.net", "RXX", "requester"),
                             ("raj@nhs.net", "RTF", "approver"),
                             ("rita@nhs.net", "RTF", "requester")):
        hub.run(["user", "add", email, "--org", ods, "--role", role])
    hub.start()
    rtf = scene.node("RTF", default=True)
    rxx = scene.node("RXX", default=True)
    ryj = scene.node("RYJ", default=True)
    for n in (rtf, rxx, ryj):
        n.follow(hub)
        n.sync()

    rid = rxx.ok(["request", "create", OFFERING, "--org", "RXX", "--quantity", "12",
                  "--start", start_date(), "--by", "ann@nhs.net", "--json"]).json()["id"]
    _, rep = rxx.sync()
    expect(rep["pushed"] == 1, "the member delivers it: %s" % rep)
    status, rec, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RTF"))
    expect(status == 200 and people(rec["history"]) == [("submitted", "RXX", "ann@nhs.net")],
           "the hub's copy names the person: %s %s" % (status, rec))
    for ods in ("RXX", "RTF"):
        change = hub.feed(hub.token(ods)).get(rid)
        expect(change and people(change["record"]["history"])
               == [("submitted", "RXX", "ann@nhs.net")],
               "%s's feed names the person: %s" % (ods, change))
    expect(rid not in hub.feed(hub.token("RYJ")), "RYJ's feed does not show the request")

    rtf.sync()
    expect(people(rtf.requests()[rid]["history"]) == [("submitted", "RXX", "ann@nhs.net")],
           "the provider's node names her")

    # A requester of the provider trust accepts another request on the
    # node: recorded as given there, refused by the hub, which knows her
    # role; the refusal stays listed in sync status.
    other = rxx.ok(["request", "create", OFFERING, "--org", "RXX", "--quantity", "10",
                    "--start", start_date(), "--by", "ann@nhs.net", "--json"]).json()["id"]
    rxx.sync()
    rtf.sync()
    rtf.ok(["request", "accept", other, "--org", "RTF", "--by", "rita@nhs.net"])
    _, rep = rtf.sync(code=4)
    expect(rep["refused"] == 1, "the hub refuses the move: %s" % rep)
    st = rtf.status()
    expect(st["moves"]["refused"] == 1, "sync status counts the refused move: %s" % st)
    expect("rita@nhs.net is a requester at RTF" in str(st), "sync status says why: %s" % st)
    status, rec2, _ = hub.api("GET", "/v1/requests/" + other, hub.token("RTF"))
    expect(rec2["status"] == "submitted" and len(rec2["history"]) == 1,
           "the hub did not apply it: %s" % rec2)
    status, rec, _ = hub.api("GET", "/v1/requests/" + rid, hub.token("RTF"))

    # A pushed move naming a person of another trust is refused too.
    token = hub.token("RTF")
    pushed = dict(rec)
    pushed["history"] = rec["history"] + [{"status": "accepted", "at": rec["updated_at"],
                                           "by": "RTF", "person": "ann@nhs.net"}]
    pushed.update(status="accepted", rev=2)
    status, body, _ = hub.api("POST", "/v1/push", token,
                              {"items": [{"kind": "request", "record": pushed}]},
                              {"Idempotency-Key": "attribution-other-trust"})
    res = body["results"][0]
    expect(status == 200 and res["status"] == "forbidden"
           and "ann@nhs.net works for RXX, not for RTF" in res.get("reason", ""),
           "a person of another trust is refused: %s %s" % (status, body))

    # The approver's acceptance is applied and reaches the requester.
    rtf.ok(["request", "accept", rid, "--org", "RTF", "--by", "raj@nhs.net",
            "--reason", "Dates agreed"])
    rtf.sync()
    rxx.sync()
    got = rxx.ok(["request", "show", rid, "--json"]).json()
    expect(people(got["history"]) == [("submitted", "RXX", "ann@nhs.net"),
                                      ("accepted", "RTF", "raj@nhs.net")],
           "the requester's node names both people: %s" % got["history"])
    text = rxx.ok(["request", "show", rid]).stdout
    expect("(ann@nhs.net)" in text and "(raj@nhs.net)" in text,
           "request show names both:\n" + text)
    ryj.sync()
    expect(ryj.requests() == {}, "RYJ sees no request")
    for n in (rtf, rxx, ryj):
        n.check_integrity()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
