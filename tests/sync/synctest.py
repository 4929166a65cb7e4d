"""Helpers for the sync tests (python3 standard library only): a hub run by
the test on a free loopback port, nodes with their own catalogues and
tokens, background fgcat processes, and the checks every sync scenario
shares (integrity, cursor never ahead of the data, catalogues equal).

It builds on tests/cli/clitest.py (Sandbox, Result, Failure, expect),
which it imports without changing it.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))

import clitest  # noqa: E402
import schemacheck  # noqa: E402
from clitest import Failure, expect  # noqa: E402,F401
from faultproxy import FaultProxy, OVERSIZE  # noqa: E402,F401

# How long a hub may take to start or to stop after SIGTERM (ASan is slow).
HUB_WAIT = 20

# One request line of the hub's log (its access log):
# "fgcat: hub: CLIENT METHOD PATH STATUS ORG BYTESB TIMEms".
HUB_LINE = re.compile(r"^fgcat: hub: [0-9.?]+ (\S+) (\S+) (\d{3}) (\S+) (\d+)B ([0-9.]+)ms$")


def parse_args(description):
    return clitest.parse_args(description)


def main(fn, description):
    """Runs a scenario: fn(scene) with a Scene that is always torn down
    (processes stopped, temporary directories removed)."""
    opts = parse_args(description).parse_args()
    try:
        with Scene(opts) as scene:
            fn(scene)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("PASS")


def check_log(text, what):
    """Fails when a sanitizer reported something in `text`."""
    if clitest.SANITIZER_MARKS.search(text):
        raise Failure("a sanitizer reported an error in %s:\n%s" % (what, clitest.clip(text)))


class Background:
    """An fgcat process running in the background, its output in files."""

    def __init__(self, node, args, env=None):
        self.node = node
        self.args = list(args)
        n = len(node.background)
        self.out_path = os.path.join(node.sandbox.tmp, "bg%d.out" % n)
        self.err_path = os.path.join(node.sandbox.tmp, "bg%d.err" % n)
        full_env = dict(node.env)
        full_env.update(env or {})
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([node.sandbox.fgcat] + self.args, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, env=full_env,
                                         cwd=node.sandbox.tmp)
        node.background.append(self)

    @property
    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill9(self):
        """kill -9 and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(HUB_WAIT)

    def wait(self, timeout=30):
        """Waits for the end; returns a clitest.Result (sanity-checked)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise Failure("fgcat %s did not finish within %s s" % (" ".join(self.args), timeout))
        res = clitest.Result(self.args, code, self.stdout, self.stderr)
        clitest.check_sane(res)
        return res

    def stop(self):
        if self.proc.poll() is None:
            self.kill9()


class Hub:
    """`fgcat serve` on a catalogue of its own, on a free loopback port."""

    def __init__(self, scene, name="hub", env=None, offerings="", default=False):
        self.scene = scene
        self.ods = name          # for messages
        self.sandbox = clitest.Sandbox(scene.opts, name="fgcat-sync-" + name)
        self.env = dict(self.sandbox.env)
        if not default:          # default: the built-in plugins, as users get them
            self.env["FGCAT_PLUGIN_PATH"] = scene.test_area_dir
            self.env["FGCAT_TEST_OFFERINGS"] = offerings
        self.env.update(env or {})
        self.db = self.sandbox.db
        self.log_path = os.path.join(self.sandbox.tmp, "hub.log")
        self.proc = None
        self.port = None
        self.scheme = "http"
        self.started_at = 0      # offset of this run's first byte in the log
        self.tokens = {}

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def run(self, args):
        """Runs an fgcat command on the hub's catalogue; requires exit 0."""
        res = self.sandbox.run(args, env=self.env)
        if res.code != 0:
            raise Failure("expected exit 0\n" + res.report())
        return res

    def token(self, ods):
        """Issues (once) and returns the token for `ods`."""
        if ods not in self.tokens:
            tok = self.run(["token", "create", ods]).stdout.strip()
            expect(re.fullmatch(r"\S{20,}", tok) is not None,
                   "fgcat token create printed no token: %r" % tok)
            self.tokens[ods] = tok
        return self.tokens[ods]

    def start(self, args=(), port=0, wait_for=None):
        """Starts the hub; waits for its "listening" line (and for the log
        line matching `wait_for`, a regex, when given).  A restart on the
        port it had (port=N) waits a little while for that port to be free
        again, should another process have borrowed it meanwhile."""
        expect(self.proc is None, "hub already running")
        self.scheme = "https" if "--tls-cert" in args else "http"
        for attempt in range(20):
            with open(self.log_path, "ab") as log:
                self.started_at = log.tell()
                self.proc = subprocess.Popen(
                    [self.sandbox.fgcat, "serve", "--listen", "127.0.0.1:%d" % port]
                    + list(args),
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    env=self.env, cwd=self.sandbox.tmp)
            try:
                m = self.wait_log(r"^fgcat: hub listening on 127\.0\.0\.1:(\d+)$")
                break
            except Failure:
                busy = port and "cannot listen on" in self.log()
                self.kill()
                if not busy or attempt == 19:
                    raise
                time.sleep(0.25)
        self.port = int(m.group(1))
        if wait_for:
            self.wait_log(wait_for)
        return self

    def wait_log(self, pattern, timeout=HUB_WAIT):
        """Waits for a line of this run's log matching `pattern`; the match."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.MULTILINE)
        while True:
            text = self.log()
            m = rx.search(text)
            if m:
                return m
            if self.proc.poll() is not None:
                raise Failure("the hub exited with %s before logging /%s/:\n%s"
                              % (self.proc.returncode, pattern, clitest.clip(text)))
            if time.monotonic() > deadline:
                raise Failure("the hub did not log /%s/ within %d s:\n%s"
                              % (pattern, timeout, clitest.clip(text)))
            time.sleep(0.05)

    def log(self):
        """This run's log so far."""
        with open(self.log_path, "rb") as f:
            f.seek(self.started_at)
            return f.read().decode("utf-8", errors="replace")

    def mark(self):
        """A position in this run's log, for requests_since()."""
        return len(self.log())

    def requests_since(self, mark=0):
        """The request lines logged since `mark`: (method, path, status, org)."""
        out = []
        for line in self.log()[mark:].splitlines():
            m = HUB_LINE.match(line)
            if m:
                out.append((m.group(1), m.group(2), int(m.group(3)), m.group(4)))
        return out

    def stop(self):
        """SIGTERM; the hub must exit 0, promptly, with a clean log."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(HUB_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Failure("the hub did not stop within %d s of SIGTERM" % HUB_WAIT)
        with open(self.log_path, "rb") as f:
            f.seek(self.started_at)
            text = f.read().decode("utf-8", errors="replace")
        check_log(text, "the hub's log")
        expect(code == 0, "the hub exited %s after SIGTERM, not 0:\n%s"
               % (code, clitest.clip(text)))
        expect("fgcat: hub: stopped" in text, "the hub did not log that it stopped:\n"
               + clitest.clip(text))

    def kill(self):
        """For teardown after a failure: no checks."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def api(self, method, path, token=None, body=None, headers=None, data=None,
            ctype="application/json"):
        """Calls the hub's API directly (urllib); returns (status, JSON or None, headers).
        The body is `body` as JSON, or the bytes `data` as they are, sent as
        `ctype`."""
        req = urllib.request.Request(self.url + path, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            req.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, data=data, timeout=30) as resp:
                raw, status, hdrs = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, e.headers
        try:
            # Every answer of the protocol matches its schema in docs/schema/.
            schemacheck.check_answer(method, path, status, hdrs.get("Content-Type"), raw)
        except AssertionError as e:
            raise Failure(str(e))
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = None
        return status, value, hdrs

    def export(self):
        """{id: offering} from fgcat export on the hub's catalogue."""
        return {o["id"]: o for o in self.run(["export"]).json()}

    def health(self):
        status, value, _ = self.api("GET", "/v1/health")
        expect(status == 200, "GET /v1/health answered %s" % status)
        return value

    def feed(self, token):
        """Every change the hub lists for `token`'s organisation: {id: change}."""
        out, since = {}, ""
        while True:
            status, page, _ = self.api("GET", "/v1/changes?since=%s&limit=5000" % since, token)
            expect(status == 200, "GET /v1/changes answered %s: %s" % (status, page))
            for c in page["changes"]:
                out[c["id"]] = c
            since = page["next"]
            if not page["more"]:
                return out


class Node:
    """A node: its own catalogue with the test-area plugin (provider TST),
    registering FGCAT_TEST_OFFERINGS (none for a member), and one remote
    "hub" with its own token."""

    def __init__(self, scene, ods, offerings=None, default=False):
        self.scene = scene
        self.ods = ods
        self.sandbox = clitest.Sandbox(scene.opts, name="fgcat-sync-" + ods.lower())
        self.env = dict(self.sandbox.env)
        if not default:          # default: the built-in plugins, as users get them
            self.env["FGCAT_PLUGIN_PATH"] = scene.test_area_dir
            self.env["FGCAT_TEST_OFFERINGS"] = "" if offerings is None else offerings
        self.db = self.sandbox.db
        self.token_file = os.path.join(self.sandbox.tmp, "hub.token")
        self.background = []

    def run(self, args, env=None):
        e = dict(self.env)
        e.update(env or {})
        return self.sandbox.run(args, env=e)

    def ok(self, args, env=None):
        res = self.run(args, env)
        if res.code != 0:
            raise Failure("%s: expected exit 0\n%s" % (self.ods, res.report()))
        return res

    def spawn(self, args, env=None):
        return Background(self, args, env)

    def set_offerings(self, offerings, suffix=None):
        """Changes what the plugin registers and refreshes."""
        self.env["FGCAT_TEST_OFFERINGS"] = offerings
        if suffix is not None:
            self.env["FGCAT_TEST_TITLE_SUFFIX"] = suffix
        return self.ok(["refresh"])

    def follow(self, hub, url=None, token=None, remote="hub"):
        """Writes its token file (mode 0600) and adds remote `remote` (at
        `url`, default the hub's own)."""
        path = self.token_file if remote == "hub" else os.path.join(self.sandbox.tmp,
                                                                     remote + ".token")
        with open(path, "w") as f:
            f.write((token or hub.token(self.ods)) + "\n")
        os.chmod(path, 0o600)
        self.ok(["remote", "add", remote, url or hub.url, "--token-file", path])

    def sync(self, *args, code=0):
        """fgcat sync --json ARGS; requires exit `code`; returns (Result, report)."""
        res = self.run(["sync", "--json"] + list(args))
        expect(res.code == code, "%s: fgcat sync: expected exit %d" % (self.ods, code), res)
        return res, res.json()

    def status(self, remote="hub"):
        """The `remote` entry of fgcat sync status --json."""
        st = self.ok(["sync", "status", "--json"]).json()
        for r in st:
            if r["name"] == remote:
                return r
        raise Failure("%s: no remote %s in sync status: %s" % (self.ods, remote, st))

    def export(self):
        """{id: offering} from fgcat export."""
        return {o["id"]: o for o in self.ok(["export"]).json()}

    def revs(self, prefix="TST/"):
        """{id: (rev, status)} of the offerings whose id starts with prefix."""
        return {k: (o["rev"], o["status"]) for k, o in self.export().items()
                if k.startswith(prefix)}

    def requests(self):
        return {r["id"]: r for r in self.ok(["request", "list", "--json"]).json()}

    def sql(self, query, args=()):
        """Runs a read-only query on the catalogue file."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def check_integrity(self):
        rows = self.sql("PRAGMA integrity_check")
        expect(rows == [("ok",)], "%s: PRAGMA integrity_check: %s" % (self.ods, rows))
        rows = self.sql("PRAGMA foreign_key_check")
        expect(rows == [], "%s: PRAGMA foreign_key_check: %s" % (self.ods, rows))

    def cursor_seq(self):
        """The sequence of the stored cursor (0 when there is none)."""
        rows = self.sql("SELECT cursor FROM remote WHERE name = 'hub'")
        cur = rows[0][0] if rows and rows[0][0] else ""
        m = re.fullmatch(r"(?:[0-9a-f]+|snapshot):(\d+)", cur)
        expect(cur == "" or m is not None, "%s: cursor %r is not EPOCH:SEQ" % (self.ods, cur))
        return int(m.group(1)) if m else 0

    def close(self):
        for b in self.background:
            b.stop()
        self.sandbox.close()


class Scene:
    """The hubs, nodes and proxies of one test, torn down at the end."""

    def __init__(self, opts):
        self.opts = opts
        self.test_area_dir = os.path.join(os.path.abspath(opts.test_plugins), "test-area")
        if not os.path.exists(os.path.join(self.test_area_dir, "test-area.so")):
            raise Failure("the test-area plugin is not built in %s" % self.test_area_dir)
        self.hubs, self.nodes, self.proxies = [], [], []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        for p in self.proxies:
            p.close()
        for n in self.nodes:
            n.close()
        for h in self.hubs:
            if exc_type is None:
                try:
                    h.stop()
                finally:
                    h.kill()
            else:
                h.kill()
            h.sandbox.close()
        return False

    def hub(self, name="hub", env=None, offerings="", default=False):
        """A hub (not started) whose own catalogue registers `offerings`
        (test-area slugs) when it is created; default=True: the built-in
        plugins and their offerings instead, as a user's hub has them."""
        h = Hub(self, name, env, offerings, default)
        self.hubs.append(h)
        return h

    def node(self, ods, offerings=None, default=False):
        """A node of organisation `ods`; default=True: with the built-in
        plugins (every provider's offerings registered locally), as a
        user's node is."""
        n = Node(self, ods, offerings, default)
        self.nodes.append(n)
        return n

    def proxy(self, hub):
        p = FaultProxy(hub.port)
        self.proxies.append(p)
        return p

    def delivered_request(self, hub, node, moves=(), offering="TST/alpha", quantity=2):
        """A request `node` makes for `offering`, then its `moves` ((action,
        reason) pairs), each synced to `hub`: returns the hub's copy."""
        rid = node.ok(["request", "create", offering, "--org", node.ods, "--quantity",
                       str(quantity), "--json"]).json()["id"]
        node.sync()
        for action, reason in moves:
            node.ok(["request", action, rid, "--org", node.ods, "--reason", reason])
            node.sync()
        status, rec, _ = hub.api("GET", "/v1/requests/" + rid, hub.token(node.ods))
        expect(status == 200 and rec["rev"] == 1 + len(moves),
               "the hub has the request and its moves: %s %s" % (status, rec))
        return rec

    def provider_and_member(self, offerings=None, proxy=False):
        """A hub, provider TST (registering `offerings`, default the
        plugin's three) synced, and member RXX following the hub (through a
        fault proxy when asked) and synced once.  Returns (hub, tst, rxx,
        proxy or None)."""
        hub = self.hub().start()
        tst = self.node("TST", offerings if offerings is not None else "alpha,beta,gamma")
        tst.ok(["refresh"])
        tst.follow(hub)
        tst.sync()
        rxx = self.node("RXX")
        p = self.proxy(hub) if proxy else None
        rxx.follow(hub, url=p.url if p else None)
        rxx.sync()
        return hub, tst, rxx, p


def same_offerings(a, b, prefix="TST/"):
    """Fails unless nodes a and b hold the same offerings under `prefix`,
    record for record (rev, content, status, dates)."""
    ea = {k: v for k, v in a.export().items() if k.startswith(prefix)}
    eb = {k: v for k, v in b.export().items() if k.startswith(prefix)}
    expect(set(ea) == set(eb), "%s and %s hold different offerings: only %s: %s; only %s: %s"
           % (a.ods, b.ods, a.ods, sorted(set(ea) - set(eb))[:10], b.ods,
              sorted(set(eb) - set(ea))[:10]))
    for k in ea:
        expect(ea[k] == eb[k], "%s differs between %s and %s:\n%s\n%s"
               % (k, a.ods, b.ods, json.dumps(ea[k], sort_keys=True),
                  json.dumps(eb[k], sort_keys=True)))
    return ea


def cursor_not_ahead(node, hub, token):
    """The cursor never runs ahead of the data: every offering the hub's
    feed lists at or below the node's cursor is in the node's catalogue at
    that rev (or newer), and nothing from the hub is there beyond it."""
    seq = node.cursor_seq()
    feed = hub.feed(token)
    have = node.revs()
    for id_, c in feed.items():
        if c["kind"] != "offering" or not id_.startswith("TST/"):
            continue
        if c["seq"] <= seq:
            if c.get("deleted"):
                expect(id_ not in have, "%s: %s was deleted at seq %d <= cursor %d but is "
                       "still here" % (node.ods, id_, c["seq"], seq))
            else:
                expect(id_ in have and have[id_][0] >= c["record"]["rev"],
                       "%s: cursor at %d but %s (seq %d, rev %d) is %s"
                       % (node.ods, seq, id_, c["seq"], c["record"]["rev"],
                          "missing" if id_ not in have else "at rev %d" % have[id_][0]))
    return seq


def unchanged_member(node):
    """What a failed sync must leave as it was: offerings, requests, cursor,
    last success.  Compare before and after with ==."""
    st = node.status()
    return (node.export(), node.requests(), st["cursor"], st["last_success"])


def bad_answer_scenario(scene, fault, error, **params):
    """A member meets `fault` on the change feed: once (retried, then the
    sync succeeds), then on every attempt (the sync fails cleanly: exit 1,
    one line matching `error`, nothing applied, the error recorded, and the
    next good sync converges)."""
    hub, tst, rxx, proxy = scene.provider_and_member(proxy=True)
    tst.set_offerings("alpha,beta,gamma,delta")
    tst.sync()

    proxy.forget()
    rule = proxy.inject(fault, path="/v1/changes", count=1, **params)
    _, rep = rxx.sync()
    expect(rule.fired == 1, "the fault happened once")
    expect(rep["pulled"] == 1 and rep["status"] == "ok", "retried, then pulled: %s" % rep)
    expect(proxy.count("/v1/changes") == 2, "asked twice: %s" % proxy.seen("/v1/changes"))
    same_offerings(tst, rxx)

    # Every attempt fails: nothing is applied, the error is recorded.
    tst.set_offerings("alpha,beta,gamma,delta,epsilon", suffix=" v3")
    tst.sync()
    before = unchanged_member(rxx)
    proxy.forget()
    rule = proxy.inject(fault, path="/v1/changes", count=1000, **params)
    res = rxx.run(["sync", "--retries", "2"])
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*(?:%s)" % error)
    expect(rule.fired == 2 and proxy.count("/v1/changes") == 2,
           "two attempts (--retries 2): %s" % proxy.seen("/v1/changes"))
    expect(unchanged_member(rxx) == before, "a failed sync applied something")
    rxx.check_integrity()
    st = rxx.status()
    expect(st["last_error"] and re.search(error, st["last_error"]) and st["last_error_at"],
           "sync status records the error: %s" % st)
    cursor_not_ahead(rxx, hub, hub.token("RXX"))

    # The hub answers properly again: the next sync converges.
    rule.count = 0
    _, rep = rxx.sync()
    expect(rep["pulled"] == 5, "all five changed offerings arrive: %s" % rep)
    same_offerings(tst, rxx)
    return hub, tst, rxx, proxy
