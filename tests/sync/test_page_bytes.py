"""A feed page ends at its record limit or once it holds 16 MiB of records,
whichever comes first (docs/sync-protocol.md): 1,200 offerings with 18 KB
descriptions (about 22 MB) do not fit one page even when 5,000 are asked
for.  The hub says there is more, the pages together list every offering
once, and a member pulling with its default page of 5,000 receives them
all, in more than one page."""

import json
import os

import synctest
from synctest import expect

N = 1200
PAGE_BYTES = 16 * 1024 * 1024


def scenario(scene):
    hub = scene.hub(offerings="seed")
    hub.start()
    token = hub.token("RXX")
    template = hub.export()["TST/seed"]
    big = []
    for i in range(N):
        o = {k: v for k, v in template.items()
             if k not in ("rev", "status", "updated_at", "withdrawn_at")}
        o["id"] = "TST/big-%04d" % i
        o["title"] = "Large offering %d" % i
        o["description"] = ("Offering %d: " % i) + "ward rounds and discharge planning " * 520
        big.append(o)
    path = os.path.join(hub.sandbox.tmp, "big.json")
    with open(path, "w") as f:
        json.dump(big, f)
    hub.run(["import", path])

    status, page, _ = hub.api("GET", "/v1/changes?since=&limit=5000", token)
    expect(status == 200, "GET /v1/changes answered %s" % status)
    first = page["changes"]
    size = sum(len(json.dumps(c["record"], separators=(",", ":"))) for c in first if "record" in c)
    expect(page["more"] and 1 < len(first) < N,
           "a first page of %d records (%d bytes), more=%s: it ends by size"
           % (len(first), size, page["more"]))
    # The hub counts the stored content; a record adds its rev, status
    # and dates (well under 1%).
    last = len(json.dumps(first[-1]["record"], separators=(",", ":")))
    expect(size - last < PAGE_BYTES * 1.01,
           "the page goes at most one record beyond 16 MiB: %d bytes" % size)
    ids = [c["id"] for c in first]
    since = page["next"]
    while page["more"]:
        status, page, _ = hub.api("GET", "/v1/changes?since=%s&limit=5000" % since, token)
        expect(status == 200, "GET /v1/changes answered %s" % status)
        ids += [c["id"] for c in page["changes"]]
        since = page["next"]
    want = {"TST/big-%04d" % i for i in range(N)} | {"TST/seed"}
    expect(len(ids) == len(set(ids)) and set(ids) == want,
           "the pages list every offering once: %d listed, %d distinct, %d wanted"
           % (len(ids), len(set(ids)), len(want)))

    rxx = scene.node("RXX")
    rxx.follow(hub)
    mark = hub.mark()
    _, rep = rxx.sync()
    pages = [r for r in hub.requests_since(mark) if r[1].startswith("/v1/changes")]
    expect(rep["pulled"] == N + 1 and len(pages) >= 2,
           "the member pulled %d offerings in %d pages: %s" % (rep["pulled"], len(pages), rep))
    got = synctest.same_offerings(hub, rxx)
    expect(len(got) == N + 1, "the member holds all %d offerings: %d" % (N + 1, len(got)))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
