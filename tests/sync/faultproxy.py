"""A fault-injecting HTTP proxy for loopback, for the sync tests (python3
standard library only).

It listens on 127.0.0.1 (a free port), forwards every request to the hub
unchanged and answers with the hub's answer, except for the requests a
rule picks: for the next N requests matching a method and a path prefix
(after letting `skip` of them through) it injects a fault instead.  It also
records every request it saw (method, path, query, headers, the answer's
status, the time, the fault applied), so a test can count the calls per
path and check that a fault really happened.

Faults (the `fault` argument of inject()):

  status      answer `code` (default 500) with a JSON error body; with
              `retry_after`, also a Retry-After header (seconds)
  garbage     answer 200, Content-Type application/json, a body that is not
              JSON (forwarding nothing to the hub)
  truncate    forward; send the hub's status and headers with the correct
              Content-Length but only the first half of the body, then cut
              the connection
  oversize    answer 200 with a chunked body of `size` bytes (default
              80 MiB, well over the client's 64 MiB limit), streamed in
              256 KiB chunks until done or the client hangs up; the bytes
              written are counted in rule.params["sent"]
  drip        forward; send the hub's answer `chunk` bytes (default 1) every
              `interval` seconds (default 0.2), until done or the client
              hangs up
  drop        forward (so the hub applies a push), read the hub's answer
              (kept in rule.lost), then close the connection without
              answering: "a replayed push, its response lost"
  hold        forward; send the hub's status, headers and `fraction`
              (default 0.5) of the body, set rule.reached, then wait until
              rule.release is set (then send the rest: a slow but complete
              answer) or the client hangs up (e.g. killed) or `hold_max`
              seconds (default 60) pass; with fraction 0 nothing at all is
              sent before the release; with `containing` (a string) only
              an answer whose body contains it is held, and answers before
              it pass through as if the rule were not there

Use in a test:

    with FaultProxy(hub_port) as proxy:
        rule = proxy.inject("status", path="/v1/changes", code=500, count=1)
        ... run fgcat against proxy.url ...
        assert rule.fired == 1 and proxy.count("/v1/changes") == 2

Run alone (python3 faultproxy.py --upstream 127.0.0.1:PORT) it prints its
URL and takes rules over HTTP: POST /_proxy/inject with a JSON object of
inject()'s arguments, GET /_proxy/stats for the requests seen, POST
/_proxy/clear to drop every rule.
"""

import argparse
import http.client
import http.server
import json
import select
import socket
import sys
import threading
import time

# Headers that belong to one connection, not to the request or answer.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade", "content-length", "host"}

FAULTS = {"status", "garbage", "truncate", "oversize", "drip", "drop", "hold"}

OVERSIZE = 80 * 1024 * 1024

GARBAGE = (b"<!DOCTYPE html><html><body>502 Bad Gateway from a confused middlebox"
           b"\x00\xff\xfe{\"changes\": [ nope</body></html>\n")


class Rule:
    """One injected fault: which requests it takes and what it did."""

    def __init__(self, fault, path=None, method=None, count=1, skip=0, **params):
        if fault not in FAULTS:
            raise ValueError("unknown fault %r (one of %s)" % (fault, ", ".join(sorted(FAULTS))))
        self.fault = fault
        self.path = path
        self.method = method
        self.count = count      # requests still to fault
        self.skip = skip        # matching requests still to let through first
        self.params = params
        self.fired = 0          # how many requests got the fault
        self.reached = threading.Event()   # set when a fault has begun
        self.release = threading.Event()   # ends a hold
        self.lost = []          # answers the hub gave that "drop" threw away
        self.client_gone = False  # a hold or drip ended because the client hung up

    def matches(self, method, path):
        return ((self.method is None or self.method == method)
                and (self.path is None or path.startswith(self.path)))

    def describe(self):
        return "%s on %s %s" % (self.fault, self.method or "*", self.path or "*")


class Seen:
    """One request the proxy received."""

    def __init__(self, method, path, query, headers, at):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.at = at
        self.status = None   # what the client was answered (None: nothing)
        self.fault = None
        self.answered = False  # a complete answer was sent
        self.done_at = None    # when (time.monotonic())
        self.answer = None     # its body
        self.body = b""      # the request body

    def __repr__(self):
        return "<%s %s%s -> %s%s>" % (self.method, self.path,
                                      "?" + self.query if self.query else "",
                                      self.status, " (%s)" % self.fault if self.fault else "")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as curl uses it

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self):
        proxy = self.server.proxy
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_proxy/"):
            return self._control(proxy, path, body)
        seen = Seen(self.command, path, query,
                    {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        seen.body = body
        rule = proxy._take(seen)
        try:
            if rule is None:
                status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
                self._answer(seen, status, headers, data)
            else:
                seen.fault = rule.fault
                getattr(self, "_fault_" + rule.fault)(proxy, rule, seen, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- plain answers ---------------------------------------------------

    def _answer(self, seen, status, headers, data):
        seen.status = status
        seen.answer = data
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()
        self.server.proxy._answered(seen)

    def _cut(self):
        """Closes the connection at once, without a proper end."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _client_gone(self):
        """True when the client has closed its end (readable with no data)."""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if not r:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    # -- faults ----------------------------------------------------------

    def _fault_status(self, proxy, rule, seen, body):
        code = rule.params.get("code", 500)
        headers = [("Content-Type", "application/json")]
        if "retry_after" in rule.params:
            headers.append(("Retry-After", str(rule.params["retry_after"])))
        data = json.dumps({"error": "injected", "message": "injected by faultproxy"}).encode()
        rule.reached.set()
        self._answer(seen, code, headers, data)

    def _fault_garbage(self, proxy, rule, seen, body):
        rule.reached.set()
        self._answer(seen, 200, [("Content-Type", "application/json")], GARBAGE)

    def _fault_truncate(self, proxy, rule, seen, body):
        status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
        seen.status = status
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:len(data) // 2])
        rule.reached.set()
        self._cut()

    def _fault_oversize(self, proxy, rule, seen, body):
        size = rule.params.get("size", OVERSIZE)
        chunk = b'{"changes": [' + b" " * (256 * 1024 - 13)
        seen.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        rule.reached.set()
        sent = 0
        rule.params["sent"] = 0
        try:
            while sent < size:
                piece = chunk[:min(len(chunk), size - sent)]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
                rule.params["sent"] = sent
                chunk = b" " * len(chunk)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            rule.client_gone = True
        self.close_connection = True

    def _fault_drip(self, proxy, rule, seen, body):
        chunk = rule.params.get("chunk", 1)
        interval = rule.params.get("interval", 0.2)
        status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
        seen.status = status
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        rule.reached.set()
        try:
            for i in range(0, len(data), chunk):
                if proxy.closing.is_set() or self._client_gone():
                    rule.client_gone = True
                    break
                self.wfile.write(data[i:i + chunk])
                self.wfile.flush()
                time.sleep(interval)
        except OSError:
            rule.client_gone = True
        self.close_connection = True

    def _fault_drop(self, proxy, rule, seen, body):
        status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
        rule.lost.append((status, data))
        rule.reached.set()
        self._cut()

    def _fault_hold(self, proxy, rule, seen, body):
        fraction = rule.params.get("fraction", 0.5)
        hold_max = rule.params.get("hold_max", 60)
        status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
        containing = rule.params.get("containing")
        if containing is not None and containing.encode() not in data:
            # Not the answer to hold: pass it on and wait for the next one.
            with proxy._lock:
                rule.count += 1
                rule.fired -= 1
            seen.fault = None
            self._answer(seen, status, headers, data)
            return
        cut = int(len(data) * fraction)
        if fraction > 0:
            seen.status = status
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:cut])
            self.wfile.flush()
        rule.reached.set()
        deadline = time.monotonic() + hold_max
        while not rule.release.wait(0.05):
            if proxy.closing.is_set() or time.monotonic() > deadline or self._client_gone():
                rule.client_gone = True
                self._cut()
                return
        if fraction > 0:
            self.wfile.write(data[cut:])
            self.wfile.flush()
        else:
            self._answer(seen, status, headers, data)

    # -- control (when run alone) ---------------------------------------

    def _control(self, proxy, path, body):
        if path == "/_proxy/inject" and self.command == "POST":
            args = json.loads(body or b"{}")
            rule = proxy.inject(args.pop("fault"), **args)
            out = {"rule": rule.describe()}
        elif path == "/_proxy/clear" and self.command == "POST":
            proxy.clear()
            out = {"cleared": True}
        elif path == "/_proxy/stats":
            out = {"requests": [repr(s) for s in proxy.seen()],
                   "rules": [{"rule": r.describe(), "fired": r.fired, "left": r.count}
                             for r in proxy.rules]}
        else:
            out = {"error": "unknown control path"}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FaultProxy:
    """The proxy, serving from a thread of the test's own process until
    close() (or the end of a `with` block)."""

    def __init__(self, upstream_port, upstream_host="127.0.0.1", timeout=60):
        self.upstream = (upstream_host, upstream_port)
        self.timeout = timeout
        self.rules = []
        self.closing = threading.Event()
        self._seen = []
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.closing.set()
        for r in self.rules:
            r.release.set()
        self._server.shutdown()
        self._server.server_close()

    def set_upstream(self, port, host="127.0.0.1"):
        """Points the proxy at another hub (e.g. one restarted on a new port)."""
        self.upstream = (host, port)

    def inject(self, fault, path=None, method=None, count=1, skip=0, **params):
        """Adds a rule; returns it (rule.fired counts the faults it made)."""
        rule = Rule(fault, path=path, method=method, count=count, skip=skip, **params)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            for r in self.rules:
                r.count = 0
                r.release.set()

    def seen(self, path=None, method=None):
        """The requests received so far (those whose path starts with
        `path`, by `method`, when given), oldest first."""
        with self._lock:
            return [s for s in self._seen
                    if (path is None or s.path.startswith(path))
                    and (method is None or s.method == method)]

    def count(self, path=None, method=None):
        return len(self.seen(path, method))

    def forget(self):
        """Drops the record of requests seen (the rules stay)."""
        with self._lock:
            self._seen = []

    def wait_answered(self, path, n, timeout=60):
        """Waits until `n` requests whose path starts with `path` have had a
        complete answer; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._done:
            while sum(1 for s in self._seen if s.answered and s.path.startswith(path)) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True

    def _answered(self, seen):
        with self._done:
            seen.answered = True
            seen.done_at = time.monotonic()
            self._done.notify_all()

    def _take(self, seen):
        with self._lock:
            self._seen.append(seen)
            for r in self.rules:
                if r.count <= 0 or not r.matches(seen.method, seen.path):
                    continue
                if r.skip > 0:
                    r.skip -= 1
                    return None
                r.count -= 1
                r.fired += 1
                return r
        return None

    def _forward(self, method, target, headers, body):
        """Sends the request to the hub; returns (status, headers, body)."""
        conn = http.client.HTTPConnection(*self.upstream, timeout=self.timeout)
        try:
            out = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            out["Host"] = "%s:%d" % self.upstream
            if body or method == "POST":
                out["Content-Length"] = str(len(body))
            try:
                conn.request(method, target, body=body if body or method == "POST" else None,
                             headers=out)
                resp = conn.getresponse()
                data = resp.read()
            except OSError as e:
                # The hub is not there: say so as a gateway would.
                msg = json.dumps({"error": "unavailable",
                                  "message": "faultproxy: upstream: %s" % e}).encode()
                return 502, [("Content-Type", "application/json")], msg
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            return resp.status, kept, data
        finally:
            conn.close()


def main():
    ap = argparse.ArgumentParser(description="fault-injecting HTTP proxy for loopback")
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the hub")
    opts = ap.parse_args()
    host, _, port = opts.upstream.rpartition(":")
    proxy = FaultProxy(int(port), host or "127.0.0.1")
    print(proxy.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.close()


if __name__ == "__main__":
    sys.exit(main())
