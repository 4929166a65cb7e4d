"""The independent client (fgclient.py, written from docs/sync-protocol.md
and docs/schema/ only) against a real `fgcat serve` with the settings a
user gets (built-in plugins, default limits): pushes, pulls, snapshots,
single records, search, quotes, requests and their moves, and each edge
case the document states -- the rev range, fixed request fields, the same
rev with other content, unknown fields, another organisation's records,
the item limit, the hub's own move times, the epoch of pages,
include_withdrawn -- every answer checked against its schema.

usage: test_client.py --fgcat PATH [other options ignored]"""

import argparse
import copy
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fgclient  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROVIDER, MEMBER, STRANGER = "RXY", "RYY", "RZZ"
FAR_PAST, FAR_FUTURE = "2001-01-01T00:00:00Z", "2099-01-01T00:00:00Z"


class Failure(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Hub:
    def __init__(self, fgcat):
        self.fgcat = os.path.abspath(fgcat)
        self.tmp = tempfile.mkdtemp(prefix="fgcat-client-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FGCAT_")}
        self.env.update(FGCAT_DB=os.path.join(self.tmp, "hub.db"), HOME=self.tmp,
                        XDG_DATA_HOME=os.path.join(self.tmp, "data"))
        self.log = os.path.join(self.tmp, "hub.log")
        self.proc = None

    def run(self, *args):
        res = subprocess.run([self.fgcat] + list(args), env=self.env, cwd=self.tmp,
                             capture_output=True, text=True, timeout=60)
        expect(res.returncode == 0, "fgcat %s: %d %s" % (" ".join(args), res.returncode,
                                                          res.stderr))
        return res.stdout

    def start(self):
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([self.fgcat, "serve", "--listen", "127.0.0.1:0"],
                                         env=self.env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                m = re.search(r"^fgcat: hub listening on 127\.0\.0\.1:(\d+)$", f.read(), re.M)
            if m:
                self.url = "http://127.0.0.1:%s" % m.group(1)
                return
            expect(self.proc.poll() is None, "the hub ended: %s" % open(self.log).read())
            time.sleep(0.1)
        raise Failure("the hub did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def an_offering():
    """An offering of PROVIDER's for a built-in area: the first of the
    integrated-care-training plugin's published offerings, renamed."""
    with open(os.path.join(TOP, "plugins", "integrated-care-training", "offerings.json"),
              encoding="utf-8") as f:
        o = json.load(f)[0]
    slug = o["id"].split("/", 1)[1]
    o.update(id="%s/%s" % (PROVIDER, slug), rev=1, status="active",
             updated_at="2026-11-01T10:00:00Z")
    o["provider"] = {"ods": PROVIDER, "name": "An independent test trust"}
    return o


def statuses(ans):
    expect(ans.status == 200, "push answered %r" % ans)
    return [r["status"] for r in ans.json["results"]]


def scenario(hub):
    tokens = {o: hub.run("token", "create", o).strip() for o in (PROVIDER, MEMBER, STRANGER)}
    hub.start()
    prov = fgclient.Client(hub.url, tokens[PROVIDER])
    mem = fgclient.Client(hub.url, tokens[MEMBER])
    other = fgclient.Client(hub.url, tokens[STRANGER])
    anon = fgclient.Client(hub.url)

    # Health, identity, authentication.
    health = anon.health().json
    epoch = health["epoch"]
    expect(prov.whoami().json == {"ods": PROVIDER}, "whoami")
    ans = anon.whoami()
    expect(ans.status == 401 and ans.json["error"] == "unauthorized"
           and ans.headers.get("WWW-Authenticate", "").lower().startswith("bearer"),
           "no token: %r" % ans)
    lower = fgclient.Client(hub.url, tokens[MEMBER], scheme="bearer")
    expect(lower.whoami().json == {"ods": MEMBER}, "the scheme is case-insensitive")

    # Push an offering: ok, then unchanged; other content at that rev: conflict.
    o = an_offering()
    expect(not fgclient.valid_push([{"kind": "offering", "record": o}]), "a valid push body")
    expect(statuses(prov.push([{"kind": "offering", "record": o}], "o1")) == ["ok"], "new")
    expect(statuses(prov.push([{"kind": "offering", "record": o}], "o2")) == ["unchanged"],
           "again")
    o2 = dict(o, title="Another title")
    expect(statuses(prov.push([{"kind": "offering", "record": o2}], "o3")) == ["conflict"],
           "equal rev, other content")
    o2["rev"] = 2
    expect(statuses(prov.push([{"kind": "offering", "record": o2}], "o4")) == ["ok"], "rev 2")
    # The rev range: per item, whatever the number.
    for n, rev in enumerate(("0", "9007199254740992", "9223372036854775808",
                             "-99999999999999999999")):
        text = json.dumps({"items": [{"kind": "offering", "record": dict(o2, rev=777)},
                                     {"kind": "offering", "record": o2}]})
        text = text.replace('"rev": 777', '"rev": ' + rev)
        ans = prov.push_raw(text, "rev%d" % n)
        expect(statuses(ans) == ["invalid", "unchanged"] and "rev" in
               ans.json["results"][0]["reason"], "rev %s: %r" % (rev, ans))
    # Unknown fields and another organisation's records.
    ans = prov.push([{"kind": "offering", "record": dict(o2, rev=3, colour="red")}], "u1")
    expect(statuses(ans) == ["invalid"] and "colour" in ans.json["results"][0]["reason"],
           "an unknown field: %r" % ans)
    ans = other.push([{"kind": "offering", "record": dict(o2, rev=3)},
                      {"kind": "offering", "id": o["id"], "deleted": True}], "f1")
    expect(statuses(ans) == ["forbidden", "forbidden"], "another's offering: %r" % ans)
    # The item limit.
    many = [{"kind": "offering", "id": "%s/none-%d" % (PROVIDER, i), "deleted": True}
            for i in range(1001)]
    ans = prov.push(many, "l1")
    expect(ans.status == 422 and ans.json["error"] == "invalid", "1,001 items: %r" % ans)
    expect(statuses(prov.push(many[:1000], "l2")) == ["unchanged"] * 1000, "1,000 items")
    # Idempotency: the same key gets the stored answer.
    ans = prov.push([], "o4")
    expect(statuses(ans) == ["ok"], "a known key's stored answer: %r" % ans)

    # Pull: the feed, its epoch, the cursor; a snapshot walk.
    changes, cursor = mem.pull()
    expect(changes[o["id"]]["record"] == dict(o2, updated_at=changes[o["id"]]["record"]
                                              ["updated_at"]) or
           changes[o["id"]]["record"]["rev"] == 2, "the member sees rev 2")
    expect(cursor.startswith(epoch + ":"), "the cursor holds the epoch")
    page = mem.changes(cursor).json
    expect(page["changes"] == [] and page["epoch"] == epoch and not page["more"],
           "nothing new: %s" % page)
    snap, snap_cursor = mem.walk_snapshot(limit=1)
    expect(set(snap) == set(changes) and snap_cursor == cursor, "the snapshot lists the feed")
    ans = mem.snapshot(1, epoch="another")
    expect(ans.status == 410 and ans.json["reason"] == "epoch", "another epoch: %r" % ans)
    ans = mem.changes(("f" if epoch[0] != "f" else "e") + epoch[1:] + ":1")
    expect(ans.status == 410 and ans.json["reason"] == "epoch", "a cursor of another epoch")
    ans = mem.changes("nonsense")
    expect(ans.status == 400 and ans.json["error"] == "bad_request", "a bad cursor")

    # Single records with ETags.
    ans = mem.offering(o["id"])
    expect(ans.status == 200 and ans.headers["ETag"] == '"2"', "ETag: %r" % ans)
    expect(mem.offering(o["id"], '"2"').status == 304, "If-None-Match")
    expect(mem.offering(PROVIDER + "/nothing").status == 404, "unknown offering")

    # Search and include_withdrawn.
    ans = mem.search(provider=PROVIDER)
    expect([r["id"] for r in ans.json["results"]] == [o["id"]], "search: %r" % ans)
    o3 = dict(o2, rev=3, status="withdrawn", withdrawn_at="2026-11-02T10:00:00Z")
    expect(statuses(prov.push([{"kind": "offering", "record": o3}], "w1")) == ["ok"], "withdraw")
    expect(mem.search(provider=PROVIDER).json["results"] == [], "withdrawn: not listed")
    for v in ("1", "true"):
        ans = mem.search(provider=PROVIDER, include_withdrawn=v)
        expect([r["id"] for r in ans.json["results"]] == [o["id"]],
               "include_withdrawn=%s: %r" % (v, ans))
    expect(mem.search(provider=PROVIDER, include_withdrawn="0").json["results"] == [], "=0")
    expect(mem.search(include_withdrawn="maybe").status == 400, "include_withdrawn=maybe")
    o4 = dict(o3, rev=4, status="active")
    o4.pop("withdrawn_at")
    expect(statuses(prov.push([{"kind": "offering", "record": o4}], "w2")) == ["ok"],
           "active again")

    # Quote, then a request carrying that quote.
    q = mem.quote({"offering_id": o["id"], "quantity": 10})
    expect(q.status == 200 and q.json["offering_id"] == o["id"], "a quote: %r" % q)
    expect(mem.quote({"offering_id": o["id"], "quantity": 10, "x": 1}).status == 422,
           "a quote with an unknown field")
    expect(mem.quote({"offering_id": PROVIDER + "/nothing", "quantity": 10}).status == 404,
           "a quote for no offering")
    rid = str(uuid.uuid4())
    req = {"id": rid, "offering_id": o["id"], "provider": {"ods": PROVIDER},
           "requester": {"ods": MEMBER, "contact": "lead@example.nhs.uk"}, "quantity": 10,
           "start": None, "note": "two teams", "status": "submitted", "quote": q.json["quote"],
           "rev": 1, "history": [{"status": "submitted", "at": FAR_PAST, "by": MEMBER}],
           "created_at": FAR_PAST, "updated_at": FAR_PAST}
    expect(not fgclient.valid_push([{"kind": "request", "record": req}]), "a valid request")
    wrong = copy.deepcopy(req)
    wrong["quote"]["amount_pence"] += 1
    expect(statuses(mem.push([{"kind": "request", "record": wrong}], "q0")) == ["invalid"],
           "another quote than the hub's")
    before = now()
    expect(statuses(mem.push([{"kind": "request", "record": req}], "r1")) == ["ok"], "submit")
    hubreq = mem.request(rid).json
    at0 = hubreq["history"][0]["at"]
    expect(before <= at0 <= now() and hubreq["created_at"] == at0,
           "the hub stamps the submission: %s" % hubreq)
    expect(prov.request(rid).status == 200, "the provider sees it")
    expect(other.request(rid).status == 404, "a third organisation does not")
    expect(statuses(mem.push([{"kind": "request", "record": req}], "r2")) == ["unchanged"],
           "the same again (its own times are not content)")
    # Same rev, other content; unknown fields; another's request.
    ans = mem.push([{"kind": "request", "record": dict(req, note="other")}], "r3")
    expect(statuses(ans) == ["conflict"] and "note" in ans.json["results"][0]["reason"],
           "same rev, other note: %r" % ans)
    ans = mem.push([{"kind": "request", "record": dict(req, urgent=True)}], "r4")
    expect(statuses(ans) == ["invalid"] and "urgent" in ans.json["results"][0]["reason"],
           "an unknown request field: %r" % ans)
    stranger = dict(copy.deepcopy(req), id=str(uuid.uuid4()), quantity=0)
    stranger["requester"]["ods"] = "RWW"
    stranger["history"][0]["by"] = "RWW"
    expect(statuses(other.push([{"kind": "request", "record": stranger}], "r5"))
           == ["forbidden"], "a request between two others")

    # Moves: the provider accepts (dated in the future: the hub's time).
    acc = dict(hubreq, status="accepted", rev=2, updated_at=FAR_FUTURE,
               history=hubreq["history"] + [{"status": "accepted", "at": FAR_FUTURE,
                                            "by": PROVIDER}])
    ans = mem.push([{"kind": "request", "record": acc}], "m0")
    expect(statuses(ans) in (["conflict"], ["forbidden"]), "the member cannot accept: %r" % ans)
    edited = dict(acc, quantity=12)
    ans = prov.push([{"kind": "request", "record": edited}], "m1")
    expect(statuses(ans) == ["conflict"] and "quantity" in ans.json["results"][0]["reason"]
           and ans.json["results"][0]["rev"] == 1, "a move that edits quantity: %r" % ans)
    ans = prov.push([{"kind": "request", "record": acc}], "m2")
    expect(statuses(ans) == ["ok"] and ans.json["results"][0]["rev"] == 2, "accept: %r" % ans)
    hubreq = mem.request(rid).json
    at1 = hubreq["history"][1]["at"]
    expect(at0 <= at1 <= now() and hubreq["updated_at"] == at1 and hubreq["status"] ==
           "accepted", "the hub stamps the acceptance: %s" % hubreq)
    # The requester cancels, with a reason.
    can = dict(hubreq, status="cancelled", rev=3,
               history=hubreq["history"] + [{"status": "cancelled", "at": FAR_PAST,
                                            "by": MEMBER, "reason": "plans changed"}])
    expect(statuses(mem.push([{"kind": "request", "record": can}], "m3")) == ["ok"], "cancel")
    hubreq = mem.request(rid).json
    expect([h["status"] for h in hubreq["history"]] == ["submitted", "accepted", "cancelled"]
           and hubreq["history"][2]["at"] >= at1, "three moves in order: %s" % hubreq)
    ans = mem.push([{"kind": "request", "record": dict(can, history=can["history"][:2] + [
        dict(can["history"][2], reason="another")])}], "m4")
    expect(statuses(ans) == ["conflict"], "same rev, another reason: %r" % ans)
    changes, _ = mem.pull(cursor)
    expect(changes[rid]["record"] == hubreq, "the feed brings the hub's version")
    expect(rid not in other.pull()[0], "and not to a third organisation")

    # Protocol errors.
    ans = mem.call("POST", "/v1/push", raw=b"{}", headers={"Idempotency-Key": "e1",
                                                          "Content-Type": "text/plain"})
    expect(ans.status == 415, "text/plain: %r" % ans)
    expect(mem.call("GET", "/v1/push").status == 405, "GET /v1/push")
    expect(mem.push([], "bad key!").status == 400, "a bad Idempotency-Key")
    expect(mem.call("GET", "/v1/search?q=" + "a" * 9000).status == 414, "a URL over 8 KiB")
    expect(mem.call("GET", "/v1/nothing").status == 404, "an unknown path")
    total = prov.checked + mem.checked + other.checked + anon.checked + lower.checked
    print("%d answers checked against their schemas" % total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fgcat", required=True)
    opts, _ = ap.parse_known_args()
    hub = Hub(opts.fgcat)
    try:
        scenario(hub)
    except (Failure, fgclient.ProtocolError) as e:
        print("FAIL: %s" % e, file=sys.stderr)
        if hub.proc:
            with open(hub.log, encoding="utf-8", errors="replace") as f:
                print(f.read()[-3000:], file=sys.stderr)
        sys.exit(1)
    finally:
        hub.stop()
    print("PASS")


if __name__ == "__main__":
    main()
