"""Shared helpers for the hardening tests (python3 standard library only).

The hostile values every input surface meets, the catalogue's state
(compared before and after a refused input), the shape of a clear refusal,
and a seeded random generator whose seed each test prints so a failure can
be replayed (HARDEN_SEED=N).  Built on tests/cli/clitest.py and
tests/sync/synctest.py, imported unchanged.
"""

import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sync"))

import clitest  # noqa: E402
import synctest  # noqa: E402
from clitest import Failure, expect  # noqa: E402,F401

# Linux refuses a single command-line argument of 128 KiB or more
# (MAX_ARG_STRLEN), so the largest text an argument can carry is just under.
MAX_ARG = 128 * 1024 - 1
MIB = 1024 * 1024

# Text a user may type: SQL, FTS5 query syntax, quotes, markup, control
# characters, terminal escapes, odd Unicode.  Every one is valid UTF-8
# without NUL, so every surface can be given it.
TEXTS = [
    "'; DROP TABLE offering; --",
    "1' OR '1'='1",
    "\" OR 1=1 --",
    "x'); DELETE FROM request; SELECT ('",
    "nurse\" OR \"care",
    "NEAR(nurse care, 2)",
    "title:nurse",
    "{title summary}: nurse",
    "nurse* AND NOT ^care",
    "(((",
    "\"",
    "*",
    "%_%",
    "<script>alert(1)</script>",
    "a\nfgcat: forged line",
    "\x1b[2J\x1b[31mred",
    "\x01\x7f",
    "\u202egnp.exe",
    "\ufeff\u200b",
    "\U0001F489 \u8b77\u58eb",
    "",
    " ",
]

# A dozen of the above for surfaces where the whole list would only repeat
# the same check: SQL, FTS5 syntax, a quote, a forged line, an escape
# sequence, bidi and emoji, nothing at all.
CORE_TEXTS = [TEXTS[0], TEXTS[1], TEXTS[5], TEXTS[8], TEXTS[10], TEXTS[14], TEXTS[15],
              TEXTS[17], TEXTS[19], TEXTS[20]]

# Texts whose multi-byte characters straddle the lengths messages cut quoted
# input at ('%.40s' ...): a cut in the middle of a character must not make
# a message that is not UTF-8 (and so not JSON).
CUT_TEXTS = ["a" * n + "\u00e9" * 40 for n in (19, 39, 59, 79, 99)]

# Bytes that are not UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated).
BAD_UTF8 = [b"nurse\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
            b"\xe2\x82"]

# Numbers that do not fit: beyond a double, 2^64, below INT64_MIN, and their
# friends.  Any field or option that takes a number meets them.
NUMBERS = ["1e400", "-1e400", "18446744073709551616", "-9223372036854775809",
           "9223372036854775807", "9223372036854775808", "-1", "0", "0x10", "1.5", "NaN",
           "inf", " 7", "7 ", "+7", "007", "1" * 400]

# JSON numbers for fields that hold one: Python writes them literally.
JSON_NUMBERS = ["1e400", "-1e400", "18446744073709551616", "-9223372036854775809",
                "9223372036854775807", "-1", "1.5", "1" * 400]


def big(n, seed="nurse "):
    """A text of n bytes (ASCII, so no multi-byte character is cut)."""
    return (seed * (n // len(seed) + 1))[:n]


def deep_json(levels, leaf="1"):
    """JSON text nested `levels` deep: [[[...]]] alternating with objects."""
    opens, closes = [], []
    for i in range(levels):
        if i % 2:
            opens.append('{"a":')
            closes.append("}")
        else:
            opens.append("[")
            closes.append("]")
    return "".join(opens) + leaf + "".join(reversed(closes))


class Rng(random.Random):
    """A seeded generator that says its seed (HARDEN_SEED=N replays one)."""

    def __init__(self, name):
        seed = os.environ.get("HARDEN_SEED")
        seed = int(seed) if seed else random.SystemRandom().randrange(1 << 32)
        super().__init__(seed)
        print("%s: seed %d (HARDEN_SEED=%d replays it)" % (name, seed, seed), flush=True)


# ---- the catalogue's state -----------------------------------------------

def sql(db, query, args=()):
    """Runs a read-only query on a catalogue file."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def integrity(db):
    """Fails unless PRAGMA integrity_check and foreign_key_check are clean."""
    rows = sql(db, "PRAGMA integrity_check")
    expect(rows == [("ok",)], "%s: PRAGMA integrity_check: %s" % (db, rows[:10]))
    rows = sql(db, "PRAGMA foreign_key_check")
    expect(rows == [], "%s: PRAGMA foreign_key_check: %s" % (db, rows[:10]))


def tables(db):
    """Every row of every ordinary table (FTS5 shadow tables included), as
    {table: sorted rows}: what "the catalogue did not change" compares."""
    out = {}
    names = [r[0] for r in sql(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    for name in names:
        rows = sql(db, 'SELECT * FROM "%s"' % name.replace('"', '""'))
        if name == "meta":
            # What fgcat recorded of the plugin files it loaded is a cache
            # of their descriptors, not catalogue data.
            rows = [r for r in rows if r[0] != "plugin_descriptors"]
        out[name] = sorted(rows, key=repr)
    return out


class State:
    """What fgcat shows of a catalogue (export, request list --json) and
    what it holds (every table), with PRAGMA integrity_check."""

    def __init__(self, run, db):
        res = run(["export"])
        expect(res.code == 0, "fgcat export failed", res)
        self.export = res.stdout
        res = run(["request", "list", "--json"])
        expect(res.code == 0, "fgcat request list failed", res)
        self.requests = res.stdout
        integrity(db)
        self.tables = tables(db)

    def same(self, other, what):
        """Fails unless `other` is the same state; `what` changed it."""
        expect(self.export == other.export, "%s changed fgcat export" % what)
        expect(self.requests == other.requests, "%s changed fgcat request list" % what)
        for name in sorted(set(self.tables) | set(other.tables)):
            a, b = self.tables.get(name), other.tables.get(name)
            if a != b:
                extra = [r for r in (b or []) if r not in (a or [])][:3]
                gone = [r for r in (a or []) if r not in (b or [])][:3]
                raise Failure("%s changed table %s: new rows %s, gone rows %s"
                              % (what, name, clitest.clip(repr(extra), 600),
                                 clitest.clip(repr(gone), 600)))


# ---- what an answer to hostile input must look like -------------------------

def refusal(res, codes=(2, 3, 4)):
    """A clear refusal: an exit status of `codes`, nothing on stdout, and
    exactly one line "fgcat: ..." on stderr, with no control character."""
    expect(res.code in codes, "expected a refusal with exit status in %s" % (codes,), res)
    expect(res.stdout == "", "a refusal prints nothing on stdout", res)
    lines = res.stderr_lines
    expect(len(lines) == 1 and lines[0].startswith("fgcat: "),
           "a refusal is exactly one line 'fgcat: ...'", res)
    expect(res.stderr.endswith("\n") and not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", res.stderr),
           "the error line carries no control character", res)
    # Input that was UTF-8 gives a message that is UTF-8: quoting it must
    # not cut a character in two.
    if all(isinstance(a, str) and "\ufffd" not in a for a in res.args):
        expect("\ufffd" not in res.stderr, "the error line is not UTF-8 (a character cut "
               "in two?)", res)


def answer_or_refusal(res, codes=(2, 3, 4), check=None):
    """Exit 0 (then `check(res)`, when given, judges the answer, and stderr
    holds at most "fgcat: " lines) or a clear refusal.  Returns True for an
    answer."""
    if res.code == 0:
        for line in res.stderr_lines:
            expect(line.startswith("fgcat: ") and not re.search(r"[\x00-\x1f\x7f]", line),
                   "stderr of an answer holds only 'fgcat: ' lines", res)
        if check:
            check(res)
        return True
    refusal(res, codes)
    return False


def elapsed(fn, *args, **kw):
    """(seconds, result) of fn(*args, **kw)."""
    t0 = time.monotonic()
    out = fn(*args, **kw)
    return time.monotonic() - t0, out


def json_array_of_offerings(res):
    data = res.json()
    if isinstance(data, dict) and set(data) == {"results", "facets"}:
        data = data["results"]
    expect(isinstance(data, list) and all(isinstance(o, dict) and "id" in o for o in data),
           "--json prints an array of offerings", res)


def main(fn, description):
    """Runs a test: fn(opts) raises Failure to fail; prints the time taken."""
    opts = clitest.parse_args(description).parse_args()
    t0 = time.monotonic()
    try:
        fn(opts)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("PASS (%.1f s)" % (time.monotonic() - t0))


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


# ---- raw HTTP ------------------------------------------------------------

class Answer:
    """One HTTP answer read off a socket: status (None when the connection
    closed without one), headers [(name, value)], body bytes."""

    def __init__(self, raw):
        self.raw = raw
        self.status, self.headers, self.body = None, [], b""
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            return
        lines = head.split(b"\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
        if not m:
            return
        self.status = int(m.group(1))
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            self.headers.append((k.decode("latin-1").strip().lower(),
                                 v.decode("latin-1").strip()))
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self):
        return "HTTP %s\n%s\n%s" % (self.status, self.headers,
                                    clitest.clip(self.body.decode("utf-8", "replace"), 1500))


def http_raw(port, data, timeout=30):
    """Sends `data` (a whole request, bytes) to 127.0.0.1:port and reads the
    answer to the end (send Connection: close).  A hub that hangs fails."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    chunks = []
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hub stopped reading (a request too large): read its answer
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                raise Failure("the hub did not answer within %d s: %r..." % (timeout, data[:200]))
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        s.close()
    return Answer(b"".join(chunks))


def to_bytes(v):
    return v if isinstance(v, bytes) else v.encode("utf-8")


def http(port, method, path, headers=(), body=None, token=None):
    """Builds and sends one request: path and header values may be bytes
    (sent as they are) or str (UTF-8)."""
    lines = [b"%s %s HTTP/1.1" % (to_bytes(method), to_bytes(path)), b"Host: 127.0.0.1:%d" % port,
             b"Connection: close"]
    if token:
        lines.append(b"Authorization: Bearer " + to_bytes(token))
    for k, v in headers:
        lines.append(to_bytes(k) + b": " + to_bytes(v))
    if body is not None:
        body = to_bytes(body)
        if not any(to_bytes(k).lower() == b"content-length" for k, _ in headers):
            lines.append(b"Content-Length: %d" % len(body))
    data = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    return http_raw(port, data)


def request_form(port, session, offering, fields):
    """POSTs the request form of `offering` as a signed-in browser does:
    its Origin, the session cookie, a CSRF token in both the cookie and
    the form, a new one-time form token and a contact (the form requires
    one); `fields` (str) follow."""
    csrf, form = os.urandom(16).hex(), os.urandom(16).hex()
    return http(port, "POST", "/offerings/%s/request" % offering,
                headers=[("Content-Type", "application/x-www-form-urlencoded"),
                         ("Origin", "http://127.0.0.1:%d" % port),
                         ("Cookie", "fgcat_session=%s; fgcat_csrf=%s" % (session, csrf))],
                body="csrf=%s&form=%s&contact=lead%%40nhs.net&%s" % (csrf, form, fields))


def sign_in(hub, ods, role="approver"):
    """Signs a new person of `ods` in to `hub`'s pages the way a person
    does (`fgcat user add`, the one-time link of `fgcat user reset`, a
    password set on its page, the sign-in form); returns
    (session secret, email, password)."""
    email = "%s.%s@example.nhs.uk" % (role, ods.lower())
    password = "quiet orchard lantern %s" % ods.lower()
    origin = "http://127.0.0.1:%d" % hub.port
    hub.run(["user", "add", email, "--org", ods, "--role", role])
    hub.run(["config", "set", "hub-url", origin])
    link = hub.run(["user", "reset", email]).stdout.strip()
    secret = link.rsplit("=", 1)[1]
    csrf = os.urandom(16).hex()
    form = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin),
            ("Cookie", "fgcat_csrf=" + csrf)]
    ans = http(hub.port, "POST", "/account/password", headers=form,
               body="csrf=%s&secret=%s&password=%s&confirm=%s"
               % (csrf, secret, quote(password), quote(password)))
    expect(ans.status == 303, "setting a password: %s" % ans.describe())
    ans = http(hub.port, "POST", "/login", headers=form,
               body="csrf=%s&email=%s&password=%s" % (csrf, quote(email), quote(password)))
    cookie = ans.header("set-cookie") or ""
    expect(ans.status == 303 and cookie.startswith("fgcat_session=fgs_"),
           "signing in: %s" % ans.describe())
    return cookie.split(";")[0].split("=", 1)[1], email, password


def quote(v):
    """Percent-encodes every byte that is not unreserved (str: as UTF-8)."""
    return urllib.parse.quote(to_bytes(v), safe="")


# ---- killing at random moments -------------------------------------------

class Victim:
    """An fgcat process to be killed: started at once, killed with SIGKILL
    after `delay` seconds unless it finished first."""

    def __init__(self, fgcat, args, env, cwd):
        self.args = list(args)
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([fgcat] + self.args, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err, env=env, cwd=cwd)

    def kill_after(self, delay):
        """Returns None when it was killed, else its (sanity-checked) Result."""
        try:
            code = self.proc.wait(delay)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.close()
            return None
        self.out.seek(0)
        self.err.seek(0)
        res = clitest.Result(self.args, code, self.out.read().decode("utf-8", "replace"),
                             self.err.read().decode("utf-8", "replace"))
        self.close()
        clitest.check_sane(res)
        return res

    def close(self):
        self.out.close()
        self.err.close()


class Tally:
    """How the kills landed: before the change was committed, after it,
    or after the process had finished."""

    def __init__(self):
        self.n = {"unchanged": 0, "applied": 0, "finished": 0}

    def add(self, what):
        self.n[what] += 1

    def __str__(self):
        return ", ".join("%s %d" % kv for kv in self.n.items())
