#!/usr/bin/env python3
"""Plugin isolation on the hub (fgcat serve), with the faulty test plugin
(tests/plugins/faulty.c) beside test-area.

validate_offering crashes (segv, then abort, exit): a push of a faulty
offering gets a per-item error ("unavailable") naming the plugin and what
happened, log lines say so and when the worker restarts; a test-area item of the same
push is applied; the hub stays healthy; after the backoff the worker is
started again (and fails again, with a longer backoff).  quote_request
loops: the request form answers 503 naming the plugin once the time limit
(--plugin-timeout 2) ends the call, and /v1/health is answered meanwhile.
With a time limit of 30 s and a quote looping, SIGTERM stops the hub
promptly (well under the limit), exit 0, and no worker outlives it.
quote_request crashes on the hub: a member's node creates a request for
the faulty area (its own plugin quotes it) and syncs; the hub answers the
pushed request "unavailable" naming the plugin (not "conflict"), logs it,
the node records the refusal with that reason, and the hub keeps serving.
validate_offering loops on the hub (time limit 3 s): while one push waits
for it, another organisation's push is applied at once (the hub's lock is
not held during plugin calls); the waiting push is then answered
"unavailable" with "did not answer validate_offering within 3 s", and the
offering is unchanged on the hub.
"""

import json
import os
import re
import threading
import time

import hardentest as H
from hardentest import expect

FAULTS = [("segv", r"crashed in validate_offering \(signal 11"),
          ("abort", r"crashed in validate_offering \(signal 6"),
          ("exit", r"exited in validate_offering \(status 3\)")]


def push(hub, token, items, key):
    return H.http(hub.port, "POST", "/v1/push", token=token,
                  body=json.dumps({"items": items}),
                  headers=[("Content-Type", "application/json"), ("Idempotency-Key", key)])


def request_form(hub, session, offering):
    return H.request_form(hub.port, session, offering, "quantity=3")


def new_hub(scene, opts, fault, name):
    hub = scene.hub(name=name, offerings="alpha")
    faulty = os.path.join(os.path.abspath(opts.test_plugins), "faulty")
    hub.env["FGCAT_PLUGIN_PATH"] = faulty + ":" + scene.test_area_dir
    hub.run(["refresh"])
    hub.env["FGCAT_FAULT"] = fault
    return hub


def validate_scenario(scene, opts, fault, says):
    hub = new_hub(scene, opts, "validate:" + fault, "hub-" + fault)
    flt, tst = hub.token("FLT"), hub.token("TST")
    hub.start(["--plugin-timeout", "2"])
    offerings = hub.export()
    faulty, alpha = offerings["FLT/faulty-course"], offerings["TST/alpha"]

    for round_, backoff in ((1, 1), (2, 2)):
        item = {"kind": "offering",
                "record": dict(faulty, title="Faulty course v%d" % round_,
                               rev=faulty["rev"] + round_)}
        ans = push(hub, flt, [item], "f%d" % round_)
        body = ans.json()
        expect(ans.status == 200 and body and body["results"][0]["status"] == "unavailable",
               "%s: the faulty item gets a per-item error\n%s" % (fault, ans.describe()))
        reason = body["results"][0].get("reason", "")
        expect(re.search(r"plugin faulty " + says, reason),
               "%s: the reason names the plugin and what happened: %r" % (fault, reason))
        hub.wait_log(r"plugin faulty %s.*; restarting it in %d s" % (says, backoff))
        hub.wait_log(r"hub: push by FLT: offering FLT/faulty-course answered unavailable: "
                     r"plugin faulty %s" % says)
        ans = push(hub, tst, [{"kind": "offering",
                               "record": dict(alpha, title="Alpha v%d" % round_,
                                              rev=alpha["rev"] + round_)}], "t%d" % round_)
        expect(ans.status == 200 and ans.json()["results"][0]["status"] == "ok",
               "%s: the hub keeps serving other areas\n%s" % (fault, ans.describe()))
        ans = H.http(hub.port, "GET", "/v1/health")
        expect(ans.status == 200, "%s: the hub is healthy" % fault)
        time.sleep(backoff + 0.3)  # the worker is started again on the next call
    hub.wait_log(r"plugin faulty restarted")
    hub.stop()


def quote_scenario(scene, opts):
    hub = new_hub(scene, opts, "quote:loop", "hub-quote")
    hub.start(["--plugin-timeout", "2"])
    rxx = H.sign_in(hub, "RXX")[0]
    answers = {}

    def ask():
        answers["form"] = request_form(hub, rxx, "FLT/faulty-course")

    t = threading.Thread(target=ask)
    t0 = time.monotonic()
    t.start()
    time.sleep(0.3)
    ans = H.http(hub.port, "GET", "/v1/health")
    expect(ans.status == 200 and time.monotonic() - t0 < 1.0,
           "/v1/health is answered while a plugin loops")
    t.join(30)
    ans = answers.get("form")
    expect(ans is not None and ans.status == 503,
           "a looping quote is answered 503\n%s" % (ans.describe() if ans else "no answer"))
    text = ans.body.decode("utf-8")
    expect("did not answer quote_request within 2 s" in text,
           "the page names the plugin's failure\n" + ans.describe())
    hub.wait_log(r"plugin faulty did not answer quote_request within 2 s")
    hub.stop()


def sigterm_scenario(scene, opts):
    hub = new_hub(scene, opts, "quote:loop", "hub-term")
    hub.start(["--plugin-timeout", "30"])
    rxx = H.sign_in(hub, "RXX")[0]
    pid = hub.proc.pid
    workers = H.clitest.plugin_workers(pid)
    expect(len(workers) == 2, "two workers run under the hub (found %r)" % workers)
    t = threading.Thread(target=lambda: request_form(hub, rxx, "FLT/faulty-course"))
    t.daemon = True
    t.start()
    time.sleep(1.0)  # the quote is looping now
    t0 = time.monotonic()
    hub.stop()  # SIGTERM; requires exit 0 and a clean log
    took = time.monotonic() - t0
    expect(took < 10, "the hub stopped %.1f s after SIGTERM, not promptly" % took)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(H.clitest.process_alive(w) for w in workers):
        time.sleep(0.05)
    left = [w for w in workers if H.clitest.process_alive(w)]
    expect(not left, "workers %r outlived the hub" % left)


def request_crash_scenario(scene, opts):
    hub = new_hub(scene, opts, "quote:segv", "hub-request")
    hub.start(["--plugin-timeout", "2"])
    rxx = scene.node("RXX")
    rxx.env["FGCAT_PLUGIN_PATH"] = hub.env["FGCAT_PLUGIN_PATH"]
    rxx.follow(hub)
    rxx.sync()
    made = rxx.ok(["request", "create", "FLT/faulty-course", "--org", "RXX", "--quantity",
                   "3", "--json"]).json()
    res, rep = rxx.sync(code=4)
    expect(rep["refused"] == 1, "the pushed request is refused: %r" % rep)
    hub.wait_log(r"hub: push by RXX: request %s answered unavailable: plugin faulty crashed "
                 r"in quote_request \(signal 11" % made["id"])
    st = rxx.ok(["sync", "status", "--json"]).json()
    text = json.dumps(st)
    expect("unavailable" in text and "plugin faulty crashed in quote_request" in text
           and "conflict" not in text,
           "the node records the hub's answer, naming the plugin: %s" % text)
    ans = H.http(hub.port, "GET", "/v1/health")
    expect(ans.status == 200, "the hub keeps serving after the crash")
    tst = hub.token("TST")
    alpha = hub.export()["TST/alpha"]
    ans = push(hub, tst, [{"kind": "offering",
                           "record": dict(alpha, title="Alpha again", rev=alpha["rev"] + 1)}],
               "after-crash")
    expect(ans.status == 200 and ans.json()["results"][0]["status"] == "ok",
           "another organisation's push is applied after the crash\n" + ans.describe())
    hub.stop()


def hang_scenario(scene, opts):
    hub = new_hub(scene, opts, "validate:loop", "hub-hang")
    flt, tst = hub.token("FLT"), hub.token("TST")
    hub.start(["--plugin-timeout", "3"])
    offerings = hub.export()
    faulty, alpha = offerings["FLT/faulty-course"], offerings["TST/alpha"]
    answers = {}

    def slow():
        item = {"kind": "offering",
                "record": dict(faulty, title="Faulty course, hanging", rev=faulty["rev"] + 1)}
        answers["slow"] = push(hub, flt, [item], "hang1")
        answers["slow_at"] = time.monotonic()

    t = threading.Thread(target=slow)
    t0 = time.monotonic()
    t.start()
    time.sleep(0.5)  # the faulty plugin is looping in validate_offering now
    ans = push(hub, tst, [{"kind": "offering",
                           "record": dict(alpha, title="Alpha meanwhile", rev=alpha["rev"] + 1)}],
               "meanwhile")
    took = time.monotonic() - t0
    expect(ans.status == 200 and ans.json()["results"][0]["status"] == "ok",
           "another organisation's push is applied while a plugin hangs\n" + ans.describe())
    t.join(30)
    slow_ans = answers.get("slow")
    expect(slow_ans is not None, "the hanging push was answered")
    expect(took < answers["slow_at"] - t0,
           "the other push (%.1f s) was answered before the hanging one (%.1f s)"
           % (took, answers["slow_at"] - t0))
    res = slow_ans.json()["results"][0]
    expect(slow_ans.status == 200 and res["status"] == "unavailable"
           and "plugin faulty did not answer validate_offering within 3 s" in res.get("reason", ""),
           "the hanging push's item names the plugin's overrun\n" + slow_ans.describe())
    now = hub.export()
    expect(now["FLT/faulty-course"]["title"] == faulty["title"]
           and now["FLT/faulty-course"]["rev"] == faulty["rev"],
           "the faulty offering is unchanged on the hub")
    expect(now["TST/alpha"]["title"] == "Alpha meanwhile", "the other push is stored")
    hub.stop()


def main(opts):
    with H.synctest.Scene(opts) as scene:
        for fault, says in FAULTS:
            validate_scenario(scene, opts, fault, says)
        quote_scenario(scene, opts)
        sigterm_scenario(scene, opts)
        request_crash_scenario(scene, opts)
        hang_scenario(scene, opts)


if __name__ == "__main__":
    H.main(main, __doc__)
