"""Snapshots carry the epoch: every page of /v1/snapshot (and of
/v1/changes) names the feed's epoch, the one its `next` cursor holds; a
snapshot walk that sends the epoch it began in (`epoch=`) gets 410 resync
`epoch` when the hub's is another, so pages of two epochs are never mixed.
And `include_withdrawn` of /v1/search works as documented: 1 or true lists
withdrawn offerings too; absent, empty, 0 or false leaves them out; any
other value is 400."""

import urllib.parse

import synctest
from synctest import expect


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    epoch = hub.health()["epoch"]
    for path in ("/v1/snapshot?after=0&limit=1", "/v1/snapshot?after=0&epoch=" + epoch,
                 "/v1/changes?since=&limit=2"):
        status, page, _ = hub.api("GET", path, token)
        expect(status == 200 and page.get("epoch") == epoch
               and page["next"].startswith(epoch + ":"),
               "%s carries the epoch %s: %s %s" % (path, epoch, status, page))
    status, body, _ = hub.api("GET", "/v1/snapshot?after=1&epoch=0123456789abcdef", token)
    expect(status == 410 and body["error"] == "resync" and body["reason"] == "epoch",
           "a walk begun in another epoch: %s %s" % (status, body))

    tst.set_offerings("alpha,gamma")
    tst.sync()
    status, beta, _ = hub.api("GET", "/v1/offerings/TST/beta", token)
    expect(status == 200 and beta["status"] == "withdrawn", "beta is withdrawn: %s" % beta)

    def ids(value):
        q = "/v1/search?provider=TST" + ("" if value is None else
                                         "&include_withdrawn=" + urllib.parse.quote(value))
        status, body, _ = hub.api("GET", q, token)
        return status, body, sorted(r["id"] for r in body["results"]) if status == 200 else None

    for value in ("1", "true"):
        status, body, got = ids(value)
        expect(got == ["TST/alpha", "TST/beta", "TST/gamma"],
               "include_withdrawn=%s lists beta: %s %s" % (value, status, body))
    for value in (None, "", "0", "false"):
        status, body, got = ids(value)
        expect(got == ["TST/alpha", "TST/gamma"],
               "include_withdrawn=%r leaves beta out: %s %s" % (value, status, body))
    status, body, _ = ids("yes please")
    expect(status == 400 and body["error"] == "bad_request"
           and "include_withdrawn" in body["message"],
           "an unknown value is refused: %s %s" % (status, body))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
