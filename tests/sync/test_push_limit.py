"""The push item limit: a batch of 1,000 items is answered item by item; one
of 1,001 items gets `422` with {"error": "invalid"} and nothing of it is
applied, not even the valid items in it.  So does a body that is not
{"items": [...]}."""

import copy

import synctest
from synctest import expect


def scenario(scene):
    hub, _, _, _ = scene.provider_and_member()
    token = hub.token("TST")
    alpha = hub.feed(token)["TST/alpha"]["record"]
    changed = copy.deepcopy(alpha)
    changed.update(rev=alpha["rev"] + 1, title="Alpha, changed")
    fillers = [{"kind": "offering", "id": "TST/none-%d" % i, "deleted": True}
               for i in range(1000)]
    seq = hub.health()["seq"]
    for what, body in (("1,001 items", {"items": [{"kind": "offering", "record": changed}]
                                        + fillers}),
                       ("no items member", {"records": []}),
                       ("items not a list", {"items": {"kind": "offering"}}),
                       ("a list", [])):
        status, answer, _ = hub.api("POST", "/v1/push", token, body,
                                    {"Idempotency-Key": "limit-%d" % len(what)})
        expect(status == 422 and answer["error"] == "invalid"
               and isinstance(answer.get("message"), str),
               "%s: 422 invalid, not %s %s" % (what, status, answer))
    expect(hub.health()["seq"] == seq, "nothing of a refused batch was applied")
    status, answer, _ = hub.api("POST", "/v1/push", token,
                                {"items": fillers[:999] + [{"kind": "offering",
                                                            "record": changed}]},
                                {"Idempotency-Key": "limit-ok"})
    expect(status == 200 and len(answer["results"]) == 1000
           and answer["results"][-1]["status"] == "ok"
           and {r["status"] for r in answer["results"][:999]} == {"unchanged"},
           "1,000 items are answered one by one: %s" % (status if status != 200 else
                                                         answer["results"][-1]))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
