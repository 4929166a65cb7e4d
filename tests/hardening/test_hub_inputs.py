#!/usr/bin/env python3
"""Hostile requests to the hub's API (docs/sync-protocol.md), sent raw.

Paths with %00, ../ and its encodings, bytes that are not UTF-8 and 200 KiB
of path; query strings of /v1/search, /v1/changes and /v1/snapshot with SQL
and FTS5 syntax, cut characters, NUL, numbers that do not fit and repeated
keys; headers: Authorization missing, empty, garbage, 8 KiB, 1 MiB, twice
(good then bad, bad then good), with NUL or non-UTF-8 bytes; If-None-Match,
Content-Type, Content-Length and Idempotency-Key hostile; push bodies that
are not JSON, 10,000 levels deep, 10 MiB (a 10 MiB title) and 17 MiB, with
raw NUL and non-UTF-8 bytes, 1,001 items, items of every wrong shape, and
offerings and requests whose fields carry SQL, huge strings and numbers
that do not fit; and a few abuses of HTTP itself.

Every answer must be a 2xx or a 4xx whose body is {"error", "message"} JSON
(the malformed-HTTP abuses may get libmicrohttpd's own 4xx or a closed
connection) -- never a 5xx, a hang or a crash: the hub answers /v1/health
after each group, logs no 5xx and no line that is not its own, and stops
cleanly on SIGTERM with no sanitizer report (synctest).  What it refused
left its catalogue as it was (fgcat export, request list, every table but
the idempotency records, integrity_check); what it accepted reads back
exactly.
"""

import copy
import json
import time

import hardentest as H
from hardentest import Failure, expect, http, quote

synctest = H.synctest


def scenario(scene):
    t0 = time.monotonic()
    hub = scene.hub(offerings="alpha,beta,gamma").start()
    port = hub.port
    tst, rxx = hub.token("TST"), hub.token("RXX")
    start = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    rid = hub.run(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                   "--start", start, "--json"]).json()["id"]
    epoch = hub.health()["epoch"]
    template = hub.export()["TST/alpha"]
    counts = {"requests": 0}

    def run(args):
        return hub.sandbox.run(args, env=hub.env)

    def state():
        s = H.State(run, hub.db)
        s.tables.pop("idempotency", None)  # every push's answer is kept, by design
        return s

    baseline = [state()]

    def judge(ans, what, proto=False, ok=(200, 201, 204, 303, 304), check=None, page=False):
        """A 2xx/303/304 (then check(ans)), or a 4xx with the JSON error
        shape (`page`: or a page of the browser catalogue); `proto`: a
        malformed request, which may also get libmicrohttpd's own 4xx or a
        closed connection."""
        counts["requests"] += 1
        try:
            if ans.status is None:
                expect(proto, "the hub closed the connection without an answer")
                return
            # 505 (HTTP version not supported) is the right answer to a
            # request in another HTTP version, not a failure of the hub.
            expect(ans.status < 500 or (proto and ans.status == 505), "a 5xx answer")
            if ans.status in ok:
                if check:
                    check(ans)
                return
            expect(400 <= ans.status < 500 or ans.status == 505,
                   "an answer that is neither 2xx nor 4xx")
            body = ans.json()
            if proto and body is None:
                return
            if page and (ans.header("content-type") or "").startswith("text/html"):
                ans.body.decode("utf-8")  # a page that is not UTF-8 fails here
                return
            expect(isinstance(body, dict) and isinstance(body.get("error"), str)
                   and isinstance(body.get("message"), str),
                   "a 4xx must carry {\"error\", \"message\"} JSON")
            expect(b"root:" not in ans.body, "the answer shows a system file")
        except Failure as e:
            raise Failure("%s:\n%s\n%s" % (what, e, ans.describe())) from None

    def checkpoint(what, changed=False):
        """The hub is alive; unless `changed`, its catalogue is as it was."""
        expect(hub.health()["status"] == "ok", "the hub is not healthy after " + what)
        now = state()
        if changed:
            baseline[0] = now
        else:
            baseline[0].same(now, what)

    def get(path, token=tst, headers=()):
        return http(port, "GET", path, headers=headers, token=token)

    def results(ans):
        body = ans.json()
        expect(isinstance(body, dict) and isinstance(body.get("results"), list),
               "a search answer holds results")

    # ---- paths -------------------------------------------------------------
    paths = ["/v1/offerings/%00", "/v1/offerings/TST%2Falpha%00.json",
             "/v1/offerings/TST/alpha%00", "/v1/offerings/../../../../etc/passwd",
             "/v1/offerings/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/v1/../v1/whoami",
             "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/v1/offerings/TST/alpha/../beta",
             "/v1/offerings/%ff%fe", b"/v1/offerings/\xff\xfe", "/v1/offerings/" + "a" * 7000,
             "/v1/offerings/" + "a" * 200000, "/v1/requests/" + quote("' OR '1'='1"),
             "/v1/requests/%00", "/v1/requests/" + rid + "%00", "/v1/%00/whoami", "/v1%00/whoami",
             "/v1/whoami%00", "//v1//whoami", "/v1/offerings/", "/v1/offerings/TST%2Falpha",
             "/v1/offerings/TST/alpha?x=%00", "/v1", "/v1/", "/v1/push/../whoami",
             "/offerings/%00", "/offerings/..%2F..%2Fetc%2Fpasswd", "/requests%00",
             "/v1/offerings/" + quote(H.CUT_TEXTS[2]), "/v1/requests/" + quote(H.CUT_TEXTS[2]),
             "/v1/offerings/" + quote(H.TEXTS[0]), "*", "http://evil.example/v1/whoami"]
    for p in paths:
        judge(get(p), "GET %r" % (p[:80],), proto=len(p) > 100000 or p == "*",
              page=not H.to_bytes(p).startswith(b"/v1"),
              check=lambda a: expect(b"root:" not in a.body, "a system file"))
    for method in ("DELETE", "PUT", "PATCH", "OPTIONS", "TRACE", "FOO", "G\x01T"):
        judge(http(port, method, "/v1/offerings/TST/alpha", token=tst, body=b"{}"),
              method + " an offering", proto=method in ("TRACE", "G\x01T", "FOO"))
    checkpoint("hostile paths")

    # ---- query strings -------------------------------------------------------
    texts = H.TEXTS + H.CUT_TEXTS + ["%ff", "%c3", "a%00b", H.big(7000)]
    for v in texts:
        q = v if v.startswith("%") or "%00" in v else quote(v)
        judge(get("/v1/search?q=" + q), "search q=%r" % v[:60], check=results)
    for field in ("area", "provider", "delivery", "region", "tag"):
        for v in H.CORE_TEXTS + H.CUT_TEXTS[:3] + ["%ff"]:
            q = v if v.startswith("%") else quote(v)
            judge(get("/v1/search?%s=%s" % (field, q)), "search %s=%r" % (field, v[:60]),
                  check=results)
    for field in ("limit", "offset", "max_price"):
        for v in H.NUMBERS:
            judge(get("/v1/search?q=test&%s=%s" % (field, quote(v))),
                  "search %s=%r" % (field, v[:60]), check=results)
    for v in (H.CORE_TEXTS + H.NUMBERS[:4]
              + [epoch + ":99999999999999999999", epoch + ":9223372036854775807",
                 epoch + ":-1", epoch + ":1e400", epoch + ":", ":", epoch, "x" * 5000,
                 epoch + ":1%00", "%ff:1"]):
        q = v if "%" in v else quote(v)
        judge(get("/v1/changes?since=" + q), "changes since=%r" % v[:60])
    for v in H.NUMBERS:
        judge(get("/v1/changes?limit=" + quote(v)), "changes limit=%r" % v[:60])
        judge(get("/v1/snapshot?after=" + quote(v)), "snapshot after=%r" % v[:60])
        judge(get("/v1/snapshot?limit=" + quote(v)), "snapshot limit=%r" % v[:60])
    for qs in ("q=nurse&q=%27", "limit=1&limit=1e400", "limit=1e400&limit=1", "q", "q=&",
               "&&&=&=", "=x", "q=%", "q=%%", "q=%2", "q=" + "%41" * 2500,
               "&".join("a" for i in range(4000))):  # 8 KiB: the protocol's limit
        judge(get("/v1/search?" + qs), "search ?%s" % qs[:60], check=results)
    checkpoint("hostile query strings")

    # ---- headers -------------------------------------------------------------
    bad_auth = ["", "Bearer", "Bearer ", "Basic " + tst, "Bearer  " + tst,
                "Bearer " + tst + " x", "Bearer " + H.TEXTS[0], "Bearer " + "x" * 8000,
                b"Bearer " + tst.encode() + b"\xff", b"Bearer \xff\xfe", "Bearer " + tst[:-1],
                "Bearer " + tst + "%00", "Bearer " + H.CUT_TEXTS[2]]
    for v in bad_auth:
        ans = get("/v1/whoami", token=None, headers=[("Authorization", v)])
        judge(ans, "Authorization %r" % (v[:60],), ok=())
        expect(ans.status == 401, "Authorization %r: 401, not %s" % (v[:60], ans.status))
    ans = get("/v1/whoami", token=None, headers=[("Authorization", "Bearer " + "x" * H.MIB)])
    judge(ans, "a 1 MiB Authorization header", proto=True, ok=())
    ans = get("/v1/whoami", token=None, headers=[("Authorization", b"Bearer a\x00b")])
    judge(ans, "an Authorization header with NUL", proto=True, ok=())
    for first, second in ((tst, "nonsense"), ("nonsense", tst), (tst, rxx)):
        ans = get("/v1/whoami", token=None, headers=[("Authorization", "Bearer " + first),
                                                      ("Authorization", "Bearer " + second)])
        judge(ans, "two Authorization headers")
        expect(ans.status in (200, 400, 401), "two Authorization headers: %s" % ans.status)
        if ans.status == 200:
            expect(ans.json() in ({"ods": "TST"}, {"ods": "RXX"}),
                   "two Authorization headers: %s" % ans.body)
    for v in H.CORE_TEXTS + H.CUT_TEXTS[:2] + ["x" * 20000, b"\xff\"1\""]:
        judge(get("/v1/offerings/TST/alpha", headers=[("If-None-Match", v)]),
              "If-None-Match %r" % (v[:60],))
    many = [("X-H%d" % i, "v") for i in range(5000)]
    judge(get("/v1/whoami", headers=many), "5,000 headers", proto=True)
    judge(get("/v1/whoami", headers=[("X-Long", "y" * 100000)]), "a 100 KB header", proto=True)
    judge(get("/v1/whoami", headers=[("Bad Header", "x"), ("NoColon", "")]), "odd header names",
          proto=True)
    checkpoint("hostile headers")

    # ---- push ----------------------------------------------------------------
    keys = iter(range(1, 10 ** 9))

    def push(body, token=tst, headers=None, key=None):
        h = headers if headers is not None else [("Content-Type", "application/json"),
                                                 ("Idempotency-Key", key or "k%d" % next(keys))]
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return http(port, "POST", "/v1/push", headers=h, body=body, token=token)

    def items_refused(n, allowed=("invalid", "forbidden", "conflict")):
        def check(ans):
            body = ans.json()
            expect(isinstance(body, dict) and isinstance(body.get("results"), list)
                   and len(body["results"]) == n, "one result per item")
            for r in body["results"]:
                expect(r.get("status") in allowed, "item status %s, not one of %s"
                       % (r.get("status"), allowed))
        return check

    good_body = json.dumps({"items": []})
    for v in ("text/plain", "application/x-www-form-urlencoded", "", "application/json\x01",
              H.TEXTS[0], "x" * 10000):
        judge(push(good_body, headers=[("Content-Type", v), ("Idempotency-Key", "ct")]),
              "Content-Type %r" % v[:40], check=items_refused(0), proto="\x01" in v)
    for v in ["", "k" * 129, H.TEXTS[0], "a b", "é", b"\xff", "a%00b", H.CUT_TEXTS[0]]:
        judge(push(good_body, headers=[("Content-Type", "application/json"),
                                       ("Idempotency-Key", v)]),
              "Idempotency-Key %r" % (v[:40],), ok=())
    judge(push(good_body, key="k" * 128), "a 128-character key", check=items_refused(0))
    for v in ("1e400", "18446744073709551616", "-1", "99999999999999999999", "abc", "5, 5"):
        judge(push(good_body, headers=[("Content-Type", "application/json"),
                                       ("Idempotency-Key", "cl" + str(next(keys))),
                                       ("Content-Length", v)]),
              "Content-Length %s" % v, proto=True, check=items_refused(0))

    bodies = {
        "empty": b"", "not JSON": b"items please", "null": b"null", "an array": b"[]",
        "items a number": {"items": 5}, "items an object": {"items": {}},
        "no items": {"things": []}, "10,000 levels": H.deep_json(10000),
        "10,000 levels inside items": '{"items": [' + H.deep_json(10000) + ']}',
        "raw NUL": b'{"items": [{"kind": "offering\x00", "id": "TST/x", "deleted": true}]}',
        "not UTF-8": b'{"items": [{"kind": "offering", "id": "TST/\xff", "deleted": true}]}',
        "duplicate keys": b'{"items": [], "items": [1]}', "1e400": b"1e400",
        "a huge number": b'{"items": [' + b"9" * 100000 + b"]}",
        "17 MiB": b'{"items": ["' + b"x" * (17 * H.MIB) + b'"]}',
    }
    for what, body in bodies.items():
        judge(push(body), "a push body: " + what, ok=())
    judge(push({"items": [{"kind": "offering", "id": "TST/zz-%d" % i, "deleted": True}
                          for i in range(1001)]}), "1,001 items", ok=())
    checkpoint("hostile push bodies")

    # Items of every wrong shape: each is refused on its own, the batch is 200.
    shapes = [1, "x", None, [], {}, {"kind": 5}, {"kind": H.TEXTS[0]}, {"kind": "offering"},
              {"kind": "offering", "record": 5}, {"kind": "offering", "record": []},
              {"kind": "offering", "id": 5, "deleted": True},
              {"kind": "offering", "id": "RXX/x", "deleted": True},
              {"kind": "offering", "id": H.TEXTS[0], "deleted": True},
              {"kind": "offering", "id": "TST/" + "a" * 100000, "deleted": True},
              {"kind": "offering", "id": "TST/a\u0000b", "deleted": True},
              {"kind": "request"}, {"kind": "request", "record": {}},
              {"kind": "request", "record": {"id": H.TEXTS[0]}}]
    judge(push({"items": shapes}), "items of every wrong shape",
          check=items_refused(len(shapes), ("invalid", "forbidden", "conflict", "unchanged")))
    checkpoint("items of every wrong shape")

    # Offerings with hostile fields: refused item by item.
    def offering(**fields):
        rec = copy.deepcopy(template)
        rec["rev"] = template["rev"] + 1
        for k, v in fields.items():
            rec[k] = v
        return {"kind": "offering", "record": rec}

    hostile = [offering(title=H.big(H.MIB)), offering(title=H.big(10 * H.MIB)),
               offering(title=""), offering(title="a\nb"), offering(title=5),
               offering(id="TST/../../x"), offering(id=H.TEXTS[0]), offering(id="RXX/alpha"),
               offering(provider={"ods": "RXX", "name": "x"}), offering(area=H.TEXTS[0]),
               offering(attributes={"level": H.deep_json(20)}),
               offering(attributes=json.loads(H.deep_json(30))),
               offering(description=H.big(H.MIB)), offering(tags=[H.TEXTS[0]]),
               offering(regions=["x"] * 10000), offering(contact=H.TEXTS[0]),
               offering(status=H.TEXTS[0]), offering(updated_at=H.TEXTS[0])]
    for n in H.JSON_NUMBERS:
        for field in ("rev", "capacity", "duration_days"):
            item = offering()
            item["record"][field] = "@@N@@"
            hostile.append(json.dumps(item).replace('"@@N@@"', n))
        item = offering()
        item["record"]["price"]["amount_pence"] = "@@N@@"
        hostile.append(json.dumps(item).replace('"@@N@@"', n))
        item = offering()
        item["record"]["attributes"]["level"] = "@@N@@"
        hostile.append(json.dumps(item).replace('"@@N@@"', n))
    for item in hostile:
        body = ('{"items": [%s]}' % item) if isinstance(item, str) else {"items": [item]}
        judge(push(body), "a hostile offering %s" % str(item)[:100], check=items_refused(1))
    checkpoint("hostile offerings pushed")

    # Requests with hostile fields, pushed by RXX.
    req = hub.run(["request", "show", rid, "--json"]).json()
    fresh = copy.deepcopy(req)
    fresh["id"] = "00000000-0000-4000-8000-000000000001"

    def request(base, **fields):
        r = copy.deepcopy(base)
        r.update(fields)
        return {"kind": "request", "record": r}

    cancel = {"status": "cancelled", "at": req["history"][0]["at"], "by": "RXX"}
    hostile = [request(fresh, id=H.TEXTS[0]), request(fresh, id="../../x"),
               request(fresh, offering_id=H.TEXTS[0]), request(fresh, quantity=2 ** 64),
               request(fresh, quantity=-2 ** 63 - 1), request(fresh, quantity=10 ** 400),
               request(fresh, note=H.big(H.MIB)), request(fresh, note=H.TEXTS[14] + "\x00"),
               request(fresh, start=H.TEXTS[0]), request(fresh, status=H.TEXTS[0]),
               request(fresh, requester={"ods": "TST"}), request(fresh, rev=2 ** 64),
               request(fresh, history=[]), request(fresh, history=[{"status": 5}] * 10000),
               request(req, history=req["history"] + [dict(cancel, by=H.TEXTS[0])]),
               request(req, history=req["history"] + [dict(cancel, status=H.TEXTS[0])]),
               request(req, history=req["history"] + [dict(cancel, at=H.TEXTS[0])]),
               request(req, history=req["history"] + [cancel] * 10000),
               request(req, history=[dict(req["history"][0], by=H.TEXTS[0])] + [cancel])]
    for item in hostile:
        judge(push({"items": [item]}, token=rxx), "a hostile request %s" % str(item)[:100],
              check=items_refused(1))
    judge(push('{"items": [%s]}' % json.dumps(request(fresh)).replace(
        '"quantity": %d' % fresh["quantity"], '"quantity": 1e400'), token=rxx),
          "a request for 1e400", check=items_refused(1))
    checkpoint("hostile requests pushed")

    # Hostile but well-formed text is data: stored and served back exactly.
    for i, text in enumerate(H.TEXTS[:10] + [H.TEXTS[16], H.TEXTS[17], H.TEXTS[19]]):
        if "\n" in text or not text.strip() or "\x01" in text:
            continue
        item = offering(id="TST/probe-%d" % i, title=text, summary=text + " summary")
        item["record"]["rev"] = 1
        ans = push({"items": [item]})
        judge(ans, "a title of %r" % text, check=items_refused(1, ("ok",)))
        ans = get("/v1/offerings/TST/probe-%d" % i)
        judge(ans, "reading back a title of %r" % text)
        expect(ans.status == 200 and ans.json()["title"] == text,
               "the hub stored the title %r as %r" % (text, ans.body[:200]))
        ans = get("/v1/search?q=" + quote(text))
        judge(ans, "searching for %r" % text, check=results)
    checkpoint("well-formed hostile text", changed=True)

    # ---- HTTP itself -----------------------------------------------------------
    abuses = [b"GARBAGE\r\n\r\n", b"GET /v1/health HTTP/9.9\r\n\r\n",
              b"GET /v1/health\r\n\r\n", b"\x00\x01\x02\r\n\r\n",
              b"GET " + b"/" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
              b"POST /v1/push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
              b"Authorization: Bearer " + tst.encode() + b"\r\n\r\nfffffffffffffffffff\r\nx\r\n",
              b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
              b"Content-Length: 5\r\n\r\nhello",
              b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 20000 + b"\r\n"]
    for data in abuses:
        judge(H.http_raw(port, data), "raw %r" % data[:60], proto=True)
    checkpoint("abuses of HTTP")

    # The log: no 5xx, and every line is one of the hub's own.
    for method, path, status, org in hub.requests_since(0):
        expect(status < 500, "the hub logged %s for %s %s" % (status, method, path[:100]))
    for line in hub.log().splitlines():
        expect(line.startswith("fgcat: "), "a log line that is not the hub's: %r" % line[:200])
    H.integrity(hub.db)
    print("%d hostile requests, %.1f s" % (counts["requests"], time.monotonic() - t0))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
