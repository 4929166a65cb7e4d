"""The hub is operable: /v1/metrics in the Prometheus text format, for the
operator's addresses only, and one access-log line per request.

A hub with the defaults a user gets (built-in plugins, no options) is
scraped from 127.0.0.1 before and after known traffic: health, whoami
with and without a token, a search, an unknown path, and pushes whose
items the hub answers ok, unchanged, conflict, forbidden and invalid.
Every line of both scrapes passes a strict reading of the exposition
format (a parser below: comments, names, labels, values, one TYPE per
family before its samples, histogram buckets cumulative up to +Inf equal
to _count).  Between the scrapes each request counter moved by exactly
the requests sent (the first scrape counts in the second), each push-item
counter by the items answered so, the histogram by the number of
requests; the feed sequence is the one /v1/health gives; an open
connection is counted; no plugin worker was restarted.  127.0.0.2
(loopback still, not the operator's) gets 403, with a member's token too.

A second hub, with the faulty test plugin crashing in validate_offering,
`--metrics-from 127.0.0.2` and `--head-timeout 1`: 127.0.0.2 gets the
metrics and 127.0.0.1 gets 403; after the worker is restarted the restart
counter is 1, and a connection that sends nothing is counted closed for
its head timeout.

The access log: one line per request, in the documented form (client
address, method, path, status, organisation, size, time), each request
above logged with its client address, never a query and never a token,
whether the token was in the path, the query or the Authorization header.
"""

import json
import math
import os
import re
import socket
import time

import synctest
from synctest import expect

# ---- the exposition format, read strictly ----------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*,?\})? (\S+)(?: (-?\d+))?$" % (NAME, LABEL, LABEL))
COMMENT = re.compile(r"^# (HELP|TYPE) (%s) (.*)$" % NAME)
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text, line):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    expect(re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text) is not None,
           "not a number in %r" % line)
    return float(text)


def parse_labels(text):
    out = {}
    for m in re.finditer(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', text or ""):
        expect(m.group(1) not in out, "label %s twice in %s" % (m.group(1), text))
        out[m.group(1)] = m.group(2)
    return out


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[:-len(suffix)]) == "histogram":
            return name[:-len(suffix)]
    return name


def parse_exposition(text):
    """{(name, frozenset(labels)): value}, failing on anything that is not
    the Prometheus text format (version 0.0.4)."""
    expect(text.endswith("\n"), "the exposition does not end with a newline")
    types, helps, samples, done = {}, set(), {}, set()
    current = None
    for line in text[:-1].split("\n"):
        if line.startswith("#"):
            m = COMMENT.match(line)
            expect(m is not None, "not a HELP or TYPE line: %r" % line)
            kind, name, rest = m.groups()
            if kind == "TYPE":
                expect(rest in TYPES, "unknown type in %r" % line)
                expect(name not in types, "a second TYPE for %s" % name)
                expect(name not in done and not any(family_of(n, {name: rest}) == name
                                                    for n, _ in samples),
                       "TYPE of %s after its samples" % name)
                types[name] = rest
            else:
                expect(name not in helps, "a second HELP for %s" % name)
                helps.add(name)
            continue
        m = SAMPLE.match(line)
        expect(m is not None, "not a sample line: %r" % line)
        name, labels, value = m.group(1), parse_labels(m.group(2)), parse_value(m.group(3), line)
        family = family_of(name, types)
        expect(family in types, "sample %s without a TYPE line before it" % name)
        if current != family:
            expect(family not in done, "the samples of %s are not together" % family)
            if current:
                done.add(current)
            current = family
        key = (name, frozenset(labels.items()))
        expect(key not in samples, "a sample twice: %r" % line)
        if types[family] == "counter":
            expect(name.endswith("_total") and value >= 0 and not math.isnan(value),
                   "a counter not named _total or negative: %r" % line)
        samples[key] = value
    for family, kind in types.items():
        if kind != "histogram":
            continue
        buckets = sorted((float(dict(k[1])["le"].replace("Inf", "inf")), v)
                         for k, v in samples.items() if k[0] == family + "_bucket")
        expect(buckets and buckets[-1][0] == math.inf, "%s has no +Inf bucket" % family)
        expect(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])),
               "%s's buckets are not cumulative: %s" % (family, buckets))
        expect(samples.get((family + "_count", frozenset())) == buckets[-1][1],
               "%s_count is not its +Inf bucket" % family)
        expect((family + "_sum", frozenset()) in samples, "%s has no _sum" % family)
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def by_label(samples, name, label):
    return {dict(k[1])[label]: v for k, v in samples.items() if k[0] == name}


def requests(samples):
    return {(dict(k[1])["route"], dict(k[1])["status"]): v
            for k, v in samples.items() if k[0] == "fgcat_hub_requests_total"}


# ---- HTTP from a chosen loopback address -------------------------------------

def http(port, method, path, source="127.0.0.1", token=None, body=None, headers=()):
    """One request on its own connection from `source`: (status, head, body)."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % port,
             "Connection: close"]
    if token:
        lines.append("Authorization: Bearer " + token)
    lines += ["%s: %s" % h for h in headers]
    data = (body or "").encode()
    if body is not None:
        lines.append("Content-Length: %d" % len(data))
    s = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    finally:
        s.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    expect(head.startswith(b"HTTP/1.1 "), "no answer to %s %s: %r" % (method, path, raw[:200]))
    return int(head[9:12]), head.decode("latin-1"), payload.decode("utf-8", "replace")


def scrape(hub, source="127.0.0.1"):
    status, head, text = http(hub.port, "GET", "/v1/metrics", source)
    expect(status == 200, "GET /v1/metrics from %s: %s %s" % (source, status, text[:300]))
    expect(re.search(r"(?im)^content-type: text/plain; version=0\.0\.4", head) is not None,
           "the metrics' content type: %s" % head)
    return parse_exposition(text)


def push(hub, token, items, key, source="127.0.0.1"):
    status, _, text = http(hub.port, "POST", "/v1/push", source, token,
                           json.dumps({"items": items}),
                           [("Content-Type", "application/json"), ("Idempotency-Key", key)])
    expect(status == 200, "push %s: %s %s" % (key, status, text[:500]))
    return [r["status"] for r in json.loads(text)["results"]]


# ---- the scenarios ------------------------------------------------------------

def default_hub(scene):
    hub = scene.hub(name="metrics", default=True).start()
    offerings = hub.export()
    mine = sorted(i for i in offerings if i.startswith("RTF/"))
    theirs = sorted(i for i in offerings if i.startswith("RBV/"))
    expect(len(mine) >= 2 and theirs, "the built-in offerings: %s" % sorted(offerings))
    rtf, rbv = hub.token("RTF"), hub.token("RBV")
    a, b = offerings[mine[0]], offerings[mine[1]]

    before = scrape(hub)
    mark = hub.mark()
    sent = {}

    def count(route, status):
        sent[(route, str(status))] = sent.get((route, str(status)), 0) + 1

    expect(http(hub.port, "GET", "/v1/health")[0] == 200, "health")
    count("health", 200)
    expect(http(hub.port, "GET", "/v1/whoami", token=rtf)[0] == 200, "whoami")
    count("whoami", 200)
    expect(http(hub.port, "GET", "/v1/whoami")[0] == 401, "whoami without a token")
    count("whoami", 401)
    # A token in the path, the query and the header: never in the log.
    status = http(hub.port, "GET", "/v1/search?q=planning&secret=" + rbv, token=rtf)[0]
    expect(status == 200, "search: %s" % status)
    count("search", 200)
    expect(http(hub.port, "GET", "/v1/nothing/" + rbv, token=rtf)[0] == 404, "an unknown path")
    count("other", 404)
    expect(http(hub.port, "GET", "/v1/metrics", "127.0.0.2")[0] == 403,
           "metrics from 127.0.0.2 (not the operator's address)")
    count("metrics", 403)
    expect(http(hub.port, "GET", "/v1/metrics", "127.0.0.2", token=rtf)[0] == 403,
           "metrics from 127.0.0.2 with a member's token")
    count("metrics", 403)

    edit = dict(a, title="Edited by the metrics test", rev=a["rev"] + 1)
    got = push(hub, rtf, [{"kind": "offering", "record": edit}], "m1")
    expect(got == ["ok"], "an edit: %s" % got)
    bad = {k: v for k, v in b.items() if k != "title"}
    bad["rev"] = b["rev"] + 1
    got = push(hub, rtf, [{"kind": "offering", "record": edit},
                          {"kind": "offering", "record": dict(a, rev=a["rev"])},
                          {"kind": "offering", "record": offerings[theirs[0]]},
                          {"kind": "offering", "record": bad}], "m2")
    expect(got == ["unchanged", "conflict", "forbidden", "invalid"], "the batch: %s" % got)
    # The same key again: the stored answer, not counted a second time.
    got = push(hub, rtf, [{"kind": "offering", "record": edit}], "m1")
    expect(got == ["ok"], "the replayed push: %s" % got)
    count("push", 200)
    count("push", 200)
    count("push", 200)
    seq = hub.health()["seq"]
    count("health", 200)

    after = scrape(hub)
    count("metrics", 200)  # the first scrape
    moved = {k: requests(after).get(k, 0) - requests(before).get(k, 0)
             for k in set(requests(after)) | set(requests(before))}
    moved = {k: v for k, v in moved.items() if v}
    expect(moved == sent, "the request counters moved by %s, not %s" % (moved, sent))
    items = {k: v - by_label(before, "fgcat_hub_push_items_total", "status").get(k, 0)
             for k, v in by_label(after, "fgcat_hub_push_items_total", "status").items()}
    expect(items == {"ok": 1, "unchanged": 1, "conflict": 1, "forbidden": 1, "invalid": 1,
                     "unavailable": 0}, "the push items counted: %s" % items)
    hist = value(after, "fgcat_hub_request_duration_seconds_count") - \
        value(before, "fgcat_hub_request_duration_seconds_count")
    expect(hist == sum(sent.values()), "the histogram counted %s requests, not %s"
           % (hist, sum(sent.values())))
    expect(value(after, "fgcat_hub_request_duration_seconds_sum")
           > value(before, "fgcat_hub_request_duration_seconds_sum"), "the latency sum moved")
    expect(value(after, "fgcat_hub_feed_sequence") == seq,
           "feed sequence %s, health %s" % (value(after, "fgcat_hub_feed_sequence"), seq))
    expect(value(after, "fgcat_hub_connections") >= 1, "the scrape's own connection is open")
    expect(value(after, "fgcat_hub_plugin_worker_restarts_total") == 0, "no worker restarted")
    expect(set(by_label(after, "fgcat_hub_connections_closed_total", "reason"))
           == {"per_client", "max_connections", "head_timeout", "body_timeout"},
           "the closed-connection reasons: %s" % after)

    # The access log.
    text = hub.log()[mark:]
    lines = [l for l in text.splitlines() if l.startswith("fgcat: hub: 127.")]
    logged = [synctest.HUB_LINE.match(l) for l in lines]
    expect(all(logged), "an access-log line not in the documented form: %s"
           % [l for l, m in zip(lines, logged) if not m])
    # The requests counted, less the first scrape (before the mark), plus
    # the second.
    expect(len(lines) == sum(sent.values()),
           "%d access-log lines for %d requests:\n%s" % (len(lines), sum(sent.values()),
                                                         "\n".join(lines)))
    for want in (r"127\.0\.0\.1 GET /v1/whoami 200 RTF \d+B [0-9.]+ms",
                 r"127\.0\.0\.1 GET /v1/whoami 401 - ",
                 r"127\.0\.0\.1 GET /v1/search 200 RTF ",
                 r"127\.0\.0\.1 GET /v1/nothing/fgc_\[redacted\] 404 RTF ",
                 r"127\.0\.0\.2 GET /v1/metrics 403 - ",
                 r"127\.0\.0\.1 POST /v1/push 200 RTF ",
                 r"127\.0\.0\.1 GET /v1/metrics 200 - "):
        expect(any(re.match("fgcat: hub: " + want, l) for l in lines),
               "no access-log line like %r:\n%s" % (want, "\n".join(lines)))
    expect("?" not in "".join(m.group(2) for m in logged), "a query in the log:\n" + text)
    for t in (rtf, rbv):
        expect(t[4:].lower() not in hub.log().lower(), "a token in the log:\n" + text)
    hub.stop()


def faulty_hub(scene):
    hub = scene.hub(name="metrics-faulty", offerings="alpha")
    faulty = os.path.join(os.path.abspath(scene.opts.test_plugins), "faulty")
    hub.env["FGCAT_PLUGIN_PATH"] = faulty + ":" + scene.test_area_dir
    hub.run(["refresh"])
    hub.env["FGCAT_FAULT"] = "validate:segv"
    flt = hub.token("FLT")
    hub.start(["--plugin-timeout", "2", "--metrics-from", "127.0.0.2",
               "--head-timeout", "1"])
    expect(http(hub.port, "GET", "/v1/metrics")[0] == 403,
           "metrics from 127.0.0.1 with --metrics-from 127.0.0.2")
    before = scrape(hub, "127.0.0.2")
    expect(value(before, "fgcat_hub_plugin_worker_restarts_total") == 0, "no restart yet")
    course = hub.export()["FLT/faulty-course"]
    for n in (1, 2):
        got = push(hub, flt, [{"kind": "offering",
                               "record": dict(course, title="Faulty v%d" % n,
                                              rev=course["rev"] + n)}], "f%d" % n)
        expect(got == ["unavailable"], "a push to the crashing plugin: %s" % got)
        if n == 1:
            hub.wait_log(r"plugin faulty crashed in validate_offering.*; restarting it in 1 s")
            time.sleep(1.3)  # past the backoff: the next call starts it again
    hub.wait_log(r"plugin faulty restarted")
    idle = socket.create_connection(("127.0.0.1", hub.port), timeout=10)
    try:
        hub.wait_log(r"closed a connection from 127\.0\.0\.1: no whole request head in time",
                     timeout=10)
    finally:
        idle.close()
    after = scrape(hub, "127.0.0.2")
    expect(value(after, "fgcat_hub_plugin_worker_restarts_total") == 1,
           "restarts counted: %s" % value(after, "fgcat_hub_plugin_worker_restarts_total"))
    expect(value(after, "fgcat_hub_push_items_total", status="unavailable") == 2,
           "the refused items: %s" % by_label(after, "fgcat_hub_push_items_total", "status"))
    expect(value(after, "fgcat_hub_connections_closed_total", reason="head_timeout") >= 1,
           "the idle connection closed: %s"
           % by_label(after, "fgcat_hub_connections_closed_total", "reason"))
    hub.stop()


def scenario(scene):
    default_hub(scene)
    faulty_hub(scene)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
