#!/usr/bin/env python3
"""The hub as a network service facing hostile clients (issue 15).

- Idle connections: 300 connections that send nothing, from the very
  address the test then asks /v1/health from, and the health answer still
  comes, at once (the head deadline is set to a minute, so only the
  per-client limit can have made room); the address keeps at most its
  share of connections.
- Slow clients: a request head dripped one header line every 0.3 s, a
  connection that sends nothing and a body dripped a byte at a time are
  all closed once --head-timeout / --body-timeout (set to 2 s) pass.
- URLs: over 8 KiB (with 30,000 arguments) gets 414, just under 8 KiB an
  answer; %00, a '%' without two hex digits, a raw NUL in the request line
  get 400, in the path, a query value and a cursor alike.
- Framing: Content-Length twice (equal or not), Content-Length with
  Transfer-Encoding (with a request smuggled behind), a Transfer-Encoding
  other than chunked, a NUL byte inside a header (after a bearer token)
  get 400 with Connection: close, and the connection ends there: what
  followed is never answered as a request.  A chunked push alone works.
- Case: "bearer" and "APPLICATION/JSON" are accepted (RFC 9110).
- Write-lock contention: while another process holds the catalogue's
  write lock a push gets 503 with Retry-After after --lock-timeout (1 s),
  /v1/health answers meanwhile, and the same push succeeds once the lock
  is free.
- Secrets: a token put in a URL path, a query or a header never appears in
  the hub's log.
"""

import json
import socket
import sqlite3
import time

import hardentest as H
from hardentest import expect

synctest = H.synctest


def exchange(port, data, timeout=15, source="127.0.0.1"):
    """Sends `data` without closing our side and reads until the hub closes
    the connection: (the answers' status codes, raw bytes).  A hub that
    keeps the connection open for `timeout` seconds fails."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    raw = b""
    try:
        s.sendall(data)
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                raise H.Failure("the hub kept the connection open %d s after: %r\n%r"
                                % (timeout, data[:300], raw[:600])) from None
            if not chunk:
                break
            raw += chunk
    finally:
        s.close()
    statuses = [int(raw[i + 9:i + 12]) for i in range(len(raw)) if raw.startswith(b"HTTP/1.", i)
                and raw[i + 8:i + 9] == b" "]
    return statuses, raw


def request(method, path, headers=(), body=b"", close=False):
    lines = [b"%s %s HTTP/1.1" % (method.encode(), H.to_bytes(path)), b"Host: 127.0.0.1"]
    if close:
        lines.append(b"Connection: close")
    lines += [H.to_bytes(k) + b": " + H.to_bytes(v) for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def still_open(sock):
    """Whether the hub has not closed `sock` (nothing was ever sent on it)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def closed_within(sock, seconds, drip=None):
    """Waits until the hub closes `sock`, calling drip() every 0.3 s; the
    seconds it took, or a failure after `seconds`."""
    t0 = time.monotonic()
    sock.settimeout(0.3)
    while time.monotonic() - t0 < seconds:
        try:
            if drip:
                drip()
            if sock.recv(65536) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
    raise H.Failure("the hub still held a slow connection after %d s" % seconds)


def idle_connections(scene):
    hub = scene.hub(name="idle", offerings="alpha").start(["--head-timeout", "60"])
    idle = []
    try:
        for _ in range(300):
            idle.append(socket.create_connection(("127.0.0.1", hub.port), timeout=10))
        t0 = time.monotonic()
        status, raw = exchange(hub.port, request("GET", "/v1/health", close=True), timeout=10)
        took = time.monotonic() - t0
        expect(status == [200], "with 300 idle connections open, /v1/health got %s: %r"
               % (status, raw[:300]))
        print("health with 300 idle connections: %.2f s" % took)
        time.sleep(0.5)
        held = sum(still_open(s) for s in idle)
        expect(held <= 32, "one address holds %d idle connections, beyond its 32" % held)
    finally:
        for s in idle:
            s.close()
    hub.stop()


def slow_clients(scene):
    hub = scene.hub(name="slow", offerings="alpha").start(
        ["--head-timeout", "2", "--body-timeout", "2"])
    port = hub.port
    tok = hub.token("TST")

    # A header line every 0.3 s: libmicrohttpd's idle timer never fires.
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
    n = [0]

    def drip_head():
        n[0] += 1
        s.sendall(b"X-Drip-%d: y\r\n" % n[0])
    took = closed_within(s, 12, drip_head)
    s.close()
    print("a dripped head was closed after %.1f s" % took)

    # Nothing at all.
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    took = closed_within(s, 12)
    s.close()
    print("a silent connection was closed after %.1f s" % took)

    # A body a byte at a time.
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request("POST", "/v1/push", [("Authorization", "Bearer " + tok),
                                            ("Content-Type", "application/json"),
                                            ("Idempotency-Key", "drip"),
                                            ("Content-Length", "1000")]))

    def drip_body():
        s.sendall(b" ")
    took = closed_within(s, 12, drip_body)
    s.close()
    print("a dripped body was closed after %.1f s" % took)

    # A keep-alive client that asks in time is served, twice on one connection.
    both = request("GET", "/v1/health") + request("GET", "/v1/health", close=True)
    status, raw = exchange(port, both)
    expect(status == [200, 200], "two requests on one connection: %s %r" % (status, raw[:300]))
    expect("closed a connection from 127.0.0.1: no whole request head in time" in hub.log(),
           "the hub did not log why it closed the slow connections:\n" + hub.log()[-2000:])
    hub.stop()


def urls_and_framing(scene):
    hub = scene.hub(name="framing", offerings="alpha").start()
    port = hub.port
    tok = hub.token("TST")
    auth = ("Authorization", "Bearer " + tok)
    epoch = hub.health()["epoch"]

    def one(data, want, what):
        status, raw = exchange(port, data)
        expect(status == [want], "%s: answered %s, not once %s:\n%r" % (what, status, want,
                                                                       raw[:600]))
        head, _, payload = raw.partition(b"\r\n\r\n")
        if want >= 400 and b"content-type: text/html" in head.lower():
            expect(not H.to_bytes(data.split(b" ")[1]).startswith((b"/v1", b"/fhir")),
                   "%s: the API answered a page" % what)
            return raw  # a browser page's refusal is a page
        body = json.loads(payload or b"null")
        if want >= 400:
            expect(isinstance(body, dict) and isinstance(body.get("error"), str)
                   and isinstance(body.get("message"), str),
                   "%s: the %d carries no {error, message}: %r" % (what, want, raw[:400]))
        return raw

    # URLs: the 8 KiB limit, whatever the query holds.
    many = "&".join("a" for _ in range(30000))
    raw = one(request("GET", "/v1/search?" + many, [auth], close=True), 414, "a 60 KB URL")
    under = "/v1/search?q=nurse&" + "&".join("a" for _ in range(4000))
    expect(len(under) < 8192, "the test's URL is under 8 KiB")
    one(request("GET", under, [auth], close=True), 200, "a URL just under 8 KiB")
    one(request("GET", "/v1/search?q=" + "x" * 9000, [auth], close=True), 414, "a 9 KB query")

    # NUL and bad escapes anywhere in the request line.
    for path in ("/v1/offerings/TST/alpha%00junk", "/v1/offerings/TST/alpha%00",
                 "/v1/changes?since=%00" + epoch + ":0", "/v1/search?q=nurse%00x",
                 "/v1/search?q=%zz", "/v1/search?q=%4", "/v1/search?q=%", "/v1/offerings/%g0",
                 "/v1/whoami%2", b"/v1/whoami\x00junk", b"/v1/offerings/TST/alpha\x00",
                 "/offerings/TST/alpha%00", "/fhir/HealthcareService?name=%00"):
        one(request("GET", path, [auth], close=True), 400, "GET %r" % (path,))
    # The same paths without the NUL are fine.
    one(request("GET", "/v1/offerings/TST/alpha", [auth], close=True), 200, "the offering")

    # A NUL inside a header hides what follows it from libmicrohttpd.
    for headers in ([("Authorization", b"Bearer " + tok.encode() + b"\x00junk")],
                    [auth, ("X-Note", b"a\x00b")],
                    [("Authorization", b"Bearer " + tok.encode() + b"\x00\x00more"),
                     ("X-Other", "y")]):
        one(request("GET", "/v1/whoami", headers, close=True), 400,
            "a header with NUL %r" % (headers,))

    # Framing: each refused, and the connection ends with the answer, so
    # nothing smuggled behind is answered.
    smuggled = request("GET", "/v1/whoami", [auth], close=True)
    push_head = [auth, ("Content-Type", "application/json"), ("Idempotency-Key", "frame")]
    body = b'{"items": []}'
    for what, headers, data in (
            ("Content-Length twice, different",
             [("Content-Length", "13"), ("Content-Length", "2")], body),
            ("Content-Length twice, equal",
             [("Content-Length", "13"), ("Content-Length", "13")], body),
            ("Content-Length with Transfer-Encoding",
             [("Content-Length", "4"), ("Transfer-Encoding", "chunked")], b"0\r\n\r\n"),
            ("Transfer-Encoding gzip", [("Transfer-Encoding", "gzip")], b"0\r\n\r\n"),
            ("Transfer-Encoding twice",
             [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
             b"0\r\n\r\n")):
        raw = one(request("POST", "/v1/push", push_head + headers, data) + smuggled, 400, what)
        expect(b"connection: close" in raw.lower(), "%s: no Connection: close" % what)
    # A chunked push alone is framing the hub takes.
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    one(request("POST", "/v1/push", push_head + [("Transfer-Encoding", "chunked")], chunked,
                close=True), 200, "a chunked push")

    # Case-insensitive scheme and media type.
    one(request("GET", "/v1/whoami", [("Authorization", "bearer " + tok)], close=True), 200,
        "a lower-case bearer")
    one(request("POST", "/v1/push", [auth, ("Content-Type", "APPLICATION/JSON; charset=UTF-8"),
                                     ("Idempotency-Key", "case"),
                                     ("Content-Length", str(len(body)))], body, close=True),
        200, "Content-Type APPLICATION/JSON")
    expect(hub.health()["status"] == "ok", "the hub is healthy after the framing abuses")
    hub.stop()


def lock_contention(scene):
    hub = scene.hub(name="locked", offerings="alpha").start(["--lock-timeout", "1"])
    tok = hub.token("TST")
    offering = hub.export()["TST/alpha"]
    offering["rev"] += 1
    offering["title"] = "Alpha while locked"
    body = json.dumps({"items": [{"kind": "offering", "record": offering}]}).encode()
    push = request("POST", "/v1/push", [("Authorization", "Bearer " + tok),
                                        ("Content-Type", "application/json"),
                                        ("Idempotency-Key", "locked"),
                                        ("Content-Length", str(len(body)))], body, close=True)
    other = sqlite3.connect(hub.db, timeout=30, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        status, raw = exchange(hub.port, push, timeout=15)
        expect(status == [503], "a push while another process writes: %s\n%r"
               % (status, raw[:500]))
        head, _, payload = raw.partition(b"\r\n\r\n")
        expect(b"\r\nretry-after: 1" in head.lower(), "the 503 has no Retry-After: %r" % head)
        expect(json.loads(payload)["error"] == "unavailable", "the 503's error: %r" % payload)
        status, _ = exchange(hub.port, request("GET", "/v1/health", close=True), timeout=5)
        expect(status == [200], "/v1/health while the catalogue is locked: %s" % status)
    finally:
        other.execute("ROLLBACK")
        other.close()
    status, raw = exchange(hub.port, push)
    expect(status == [200] and b'"status":"ok"' in raw,
           "the same push once the lock is free: %s %r" % (status, raw[-300:]))
    expect(hub.export()["TST/alpha"]["title"] == "Alpha while locked", "the push was applied")
    hub.stop()


def redaction(scene):
    hub = scene.hub(name="secrets", offerings="alpha").start()
    tok = hub.token("TST")
    other = hub.token("RXX")
    auth = ("Authorization", "Bearer " + tok)
    for path in ("/v1/offerings/" + other, "/v1/" + other, "/v1/requests/" + other.upper(),
                 "/fhir/Organization/" + other, "/offerings/" + other, "/" + other,
                 "/v1/search?q=" + other, "/login?token=" + other):
        exchange(hub.port, request("GET", path, [auth], close=True))
    exchange(hub.port, request("GET", "/v1/whoami", [("Authorization", "Bearer " + other + "x")],
                               close=True))
    exchange(hub.port, request("GET", "/v1/whoami",
                               [("Authorization", b"Bearer " + other.encode() + b"\x00")],
                               close=True))
    hub.stop()
    text = hub.log()
    for t in (tok, other):
        expect(t[4:].lower() not in text.lower(), "the hub's log holds a token:\n" + text[-3000:])
    expect("fgc_[redacted]" in text, "the log shows no redacted path:\n" + text[-2000:])


def scenario(scene):
    idle_connections(scene)
    slow_clients(scene)
    urls_and_framing(scene)
    lock_contention(scene)
    redaction(scene)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
