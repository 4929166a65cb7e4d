"""The hub's search answers are cached, but never stale: the same search
twice gives the same answer; after a write reaches the hub (a provider's
push, a withdrawal, a deletion) the next search shows it at once."""

import synctest
from synctest import expect


def search(hub, token, query):
    status, body, _ = hub.api("GET", "/v1/search?" + query, token)
    expect(status == 200, "search %s answered %s: %s" % (query, status, body))
    return [(o["id"], o["rev"], o["status"], o["title"]) for o in body["results"]]


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    first = search(hub, token, "q=practice&limit=50")
    expect(len(first) == 3, "three test offerings match: %r" % (first,))
    expect(search(hub, token, "q=practice&limit=50") == first, "a repeat answers the same")

    # A change of content, pushed: the next search shows the new titles.
    tst.set_offerings("alpha,beta,gamma", suffix=" (revised)")
    tst.sync()
    revised = search(hub, token, "q=practice&limit=50")
    expect(all(t.endswith("(revised)") and rev == 2 for _, rev, _, t in revised),
           "the revised titles show at once: %r" % (revised,))

    # A withdrawal: gone from the default search, present with withdrawn ones.
    tst.set_offerings("alpha,beta", suffix=" (revised)")
    tst.sync()
    expect([i for i, *_ in search(hub, token, "q=practice&limit=50")] ==
           [i for i, *_ in revised if i != "TST/gamma"],
           "the withdrawn offering leaves the default search")
    withdrawn = search(hub, token, "q=practice&limit=50&include_withdrawn=1")
    expect(("TST/gamma", 3, "withdrawn") in [(i, r, s) for i, r, s, _ in withdrawn],
           "it shows as withdrawn when asked: %r" % (withdrawn,))

    # A deletion: gone from every search.
    tst.ok(["delete", "TST/beta"])
    tst.sync()
    ids = [i for i, *_ in search(hub, token, "q=practice&limit=50&include_withdrawn=1")]
    expect("TST/beta" not in ids, "the deleted offering is gone: %r" % ids)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
