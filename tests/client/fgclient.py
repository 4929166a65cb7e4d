"""An independent client of the fgcat sync protocol, version 1, written from
docs/sync-protocol.md and the JSON Schemas of docs/schema/ only (none of
fgcat's code, nor its other tests): Python's standard library (urllib) and
jsonschema.  Every answer it gets is checked against the schema the
document gives it; a mismatch is a ProtocolError."""

import glob
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import warnings

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema")


class ProtocolError(Exception):
    """The hub answered something the document does not allow."""


def _validators():
    schemas = {}
    for path in glob.glob(os.path.join(SCHEMA_DIR, "*.json")):
        with open(path, encoding="utf-8") as f:
            schemas[os.path.basename(path)] = json.load(f)
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
        reg = Registry().with_resources((s["$id"], Resource.from_contents(s))
                                        for s in schemas.values())
        return {n: cls(s, registry=reg) for n, s in schemas.items()}
    except ImportError:          # jsonschema before 4.18
        store = {s["$id"]: s for s in schemas.values()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return {n: cls(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
                    for n, s in schemas.items()}


VALIDATORS = _validators()


class Answer:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        ctype = (headers.get("Content-Type") or "").lower()
        self.json = json.loads(raw) if raw and ctype.startswith("application/json") else None

    def __repr__(self):
        return "%d %s" % (self.status, self.raw[:300].decode("utf-8", "replace"))


class Client:
    """One organisation's connection to a hub: `base` like
    http://127.0.0.1:PORT, `token` its bearer token (None for none)."""

    def __init__(self, base, token=None, scheme="Bearer"):
        self.base, self.token, self.scheme = base.rstrip("/"), token, scheme
        self.checked = 0         # answers validated against a schema

    # -- the wire ---------------------------------------------------------
    def call(self, method, path, body=None, headers=None, schema=None, raw=None):
        """One call; returns an Answer whose JSON matched `schema` (for 200)
        or error.json (for 400 and above)."""
        req = urllib.request.Request(self.base + path, method=method)
        if self.token is not None:
            req.add_header("Authorization", "%s %s" % (self.scheme, self.token))
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, data=data, timeout=30) as resp:
                ans = Answer(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as e:
            ans = Answer(e.code, e.headers, e.read())
        name = "error.json" if ans.status >= 400 else schema if ans.status == 200 else None
        if name:
            if ans.json is None:
                raise ProtocolError("%s %s: %r is not a JSON answer" % (method, path, ans))
            errs = ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message)
                    for e in VALIDATORS[name].iter_errors(ans.json)]
            if errs:
                raise ProtocolError("%s %s answered %d not as %s says: %s"
                                    % (method, path, ans.status, name, "; ".join(errs[:5])))
            self.checked += 1
        return ans

    # -- the calls of the document -----------------------------------------
    def health(self):
        return self.call("GET", "/v1/health", schema="health.json")

    def whoami(self):
        return self.call("GET", "/v1/whoami", schema="whoami.json")

    def changes(self, since="", limit=None):
        q = {"since": since}
        if limit:
            q["limit"] = limit
        return self.call("GET", "/v1/changes?" + urllib.parse.urlencode(q), schema="page.json")

    def snapshot(self, after=0, limit=None, epoch=None):
        q = {"after": after}
        if limit:
            q["limit"] = limit
        if epoch:
            q["epoch"] = epoch
        return self.call("GET", "/v1/snapshot?" + urllib.parse.urlencode(q), schema="page.json")

    def pull(self, since=""):
        """Every change after cursor `since`: ({id: change}, next cursor)."""
        out = {}
        while True:
            ans = self.changes(since)
            if ans.status != 200:
                raise ProtocolError("changes: %r" % ans)
            for c in ans.json["changes"]:
                out[c["id"]] = c
            since = ans.json["next"]
            if not ans.json["more"]:
                return out, since

    def walk_snapshot(self, limit=None):
        """A whole snapshot, every page after the first naming its epoch:
        ({id: change}, cursor for /changes)."""
        out, after, epoch = {}, 0, None
        while True:
            ans = self.snapshot(after, limit, epoch)
            if ans.status != 200:
                raise ProtocolError("snapshot: %r" % ans)
            epoch = epoch or ans.json["epoch"]
            for c in ans.json["changes"]:
                out[c["id"]] = c
            nxt = ans.json["next"]
            after = int(nxt.rsplit(":", 1)[1])
            if not ans.json["more"]:
                return out, nxt

    def offering(self, oid, etag=None):
        return self.call("GET", "/v1/offerings/" + oid, schema="offering.json",
                         headers={"If-None-Match": etag} if etag else None)

    def request(self, rid):
        return self.call("GET", "/v1/requests/" + rid, schema="request.json")

    def search(self, **params):
        return self.call("GET", "/v1/search?" + urllib.parse.urlencode(params),
                         schema="search.json")

    def quote(self, body):
        return self.call("POST", "/v1/quote", body, schema="quote-answer.json")

    def push(self, items, key):
        """POST /v1/push of `items` (checked against push.json unless they
        are meant to be wrong: see push_raw)."""
        return self.call("POST", "/v1/push", {"items": items}, {"Idempotency-Key": key},
                         schema="push-answer.json")

    def push_raw(self, text, key):
        return self.call("POST", "/v1/push", headers={"Idempotency-Key": key},
                         schema="push-answer.json", raw=text.encode())


def valid_push(items):
    """The schema's errors for a push body, as lines (empty when it is one)."""
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
            for e in VALIDATORS["push.json"].iter_errors({"items": items})]
