#!/usr/bin/env python3
"""Plugin isolation through the CLI, with the faulty test plugin
(tests/plugins/faulty.c) beside the four built-in ones.

For each callback (init, register, validate, quote) and each fault
(segv, abort, exit, loop, alloc), on a new catalogue: the first use
registers the healthy plugins; refresh exits 4 naming the plugin and what
happened and keeps its previous offerings; `plugins --json` shows it failed
or refused with the reason; `request create` on its area exits 1 with one
line naming it when the quote fails; search still works.  Loops are ended
by the node's time limit (`plugins timeout 2`).  A plugin that prints does
not break --json; one that opens a socket, runs a shell or writes a file is
refused by the sandbox and carries on.  `plugins check` calls every
callback (quote included) and reports a crash, a hang or output.  A FIFO
and a directory named like a plugin are refused without hanging.  Killing
fgcat with SIGKILL while a plugin loops leaves no worker behind."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import clitest
from clitest import Sandbox, expect

BUILTIN = ["clinical-effectiveness", "health-planning", "integrated-care-training",
           "productivity"]
CALLBACKS = {"init": "init", "register": "register_offerings",
             "validate": "validate_offering", "quote": "quote_request"}
FAULTS = ["segv", "abort", "exit", "loop", "alloc"]
# What the failure line says for each fault.
SAYS = {"segv": r"crashed in %s \(signal 11",
        "abort": r"crashed in %s \(signal 6",
        "exit": r"exited in %s \(status 3\)",
        "loop": r"did not answer %s within 2 s",
        # An address-space limit makes malloc fail (the plugin then
        # crashes); a sanitizer build has an RSS limit instead, which ends
        # the worker with status 1.
        "alloc": r"(crashed in %s \(signal|exited in %s \(status 1\)|did not answer %s "
                 r"within 2 s)"}
OFFERING = "FLT/faulty-course"


# The warning line that carries what a plugin printed: under a sanitizer
# build, the sanitizer's own report of the worker's death (an RSS limit)
# is what faulty printed, not a report about fgcat.
OUTPUT_LINE = re.compile(r"^fgcat: plugin faulty wrote \d+ bytes to its output")


def run_fault(box, args, env, fault):
    """box.run, except that for the alloc fault the plugin's own output
    line is not taken for a sanitizer report about fgcat."""
    if fault != "alloc":
        return box.run(args, env=env)
    full_env = dict(box.env)
    full_env.update(env)
    proc = subprocess.run([box.fgcat] + list(args), capture_output=True, env=full_env,
                          cwd=box.tmp, timeout=clitest.RUN_TIMEOUT)
    stderr = proc.stderr.decode("utf-8", errors="replace")
    res = clitest.Result(list(args), proc.returncode,
                         proc.stdout.decode("utf-8", errors="replace"), stderr)
    checked = clitest.Result(list(args), proc.returncode, res.stdout,
                             "".join(l + "\n" for l in res.stderr_lines
                                     if not OUTPUT_LINE.match(l)))
    clitest.check_sane(checked)
    return res


def plugin_dir(box):
    """A plugin directory: the built-ins and faulty."""
    d = os.path.join(box.tmp, "plugins")
    os.mkdir(d)
    for name in BUILTIN:
        os.symlink(os.path.join(box.plugins, name + ".so"), os.path.join(d, name + ".so"))
    os.symlink(box.test_plugin("faulty"), os.path.join(d, "faulty.so"))
    return d


def says(fault, callback):
    pattern = SAYS[fault]
    return pattern % ((callback,) * pattern.count("%s"))


def count_builtin(box, db, env):
    res = box.ok(["--db", db, "export", "--format", "json"], env=env)
    offerings = json.loads(res.stdout)
    return sum(1 for o in offerings if o["area"] in BUILTIN), offerings


def faulty_record(box, db, env, fault):
    res = run_fault(box, ["--db", db, "plugins", "--json"], env, fault)
    expect(res.code == 0, "plugins --json must succeed", res)
    for p in res.json():
        if p["path"].endswith("faulty.so"):
            return p
    raise clitest.Failure("faulty.so is not listed\n" + res.report())


def check_fault(box, plugins, callback, fault):
    where = "%s:%s" % (callback, fault)
    db = os.path.join(box.tmp, "%s-%s.db" % (callback, fault))
    base = {"FGCAT_PLUGIN_PATH": plugins}
    env = dict(base, FGCAT_FAULT=where)
    cb = CALLBACKS[callback]

    # The node's time limit, set before the catalogue is first used.
    box.ok(["--db", db, "plugins", "timeout", "2"], env=base)

    # First use of the catalogue, with the fault: the healthy plugins are
    # registered, the faulty one is named.
    t0 = time.monotonic()
    res = run_fault(box, ["--db", db, "refresh"], env, fault)
    expect(time.monotonic() - t0 < 20, "%s: refresh took too long" % where, res)
    n_builtin, offerings = count_builtin(box, db, base)
    expect(n_builtin >= 30, "%s: the built-in offerings must be registered" % where, res)
    has_faulty = any(o["id"] == OFFERING for o in offerings)
    if callback == "quote":
        expect(res.code == 0, "%s: refresh must succeed (quote is not called)" % where, res)
        expect(has_faulty, "%s: the faulty offering must be registered" % where, res)
    else:
        expect(res.code == 4, "%s: refresh must exit 4" % where, res)
        expect(not has_faulty, "%s: a failed registration must store nothing" % where, res)
        expect(re.search(r"plugin \S*faulty\S* (refused|failed): plugin faulty " +
                         says(fault, cb), res.stderr),
               "%s: refresh must name the plugin and what happened" % where, res)

    # A refresh of a catalogue that has the faulty offering keeps it.
    if callback in ("register", "validate"):
        box.ok(["--db", db, "refresh"], env=base)
        res = run_fault(box, ["--db", db, "refresh"], env, fault)
        expect(res.code == 4, "%s: second refresh must exit 4" % where, res)
        _, offerings = count_builtin(box, db, base)
        kept = [o for o in offerings if o["id"] == OFFERING]
        expect(kept and kept[0]["status"] == "active",
               "%s: the plugin's previous offerings must be kept" % where, res)

    # fgcat plugins shows its state and reason.
    rec = faulty_record(box, db, env, fault)
    if callback == "quote":
        expect(rec["state"] == "loaded", "%s: faulty must be loaded" % where)
    else:
        expect(rec["state"] in ("failed", "refused") and re.search(says(fault, cb),
                                                                   rec.get("reason", "")),
               "%s: plugins --json must show the failure: %r" % (where, rec))
        if callback in ("register", "validate"):
            expect(rec["state"] == "failed", "%s: state must be failed: %r" % (where, rec))

    # request create on its area: exit 1 and one line naming it.
    if callback == "quote":
        res = run_fault(box, ["--db", db, "request", "create", OFFERING, "--org", "RX1",
                              "--quantity", "3"], env, fault)
        lines = [l for l in res.stderr_lines if not OUTPUT_LINE.match(l)]
        expect(res.code == 1 and len(lines) == 1 and
               re.search(r"^fgcat: plugin faulty " + says(fault, cb), lines[0]),
               "%s: request create must exit 1 with one line naming the plugin" % where, res)
        expect(res.stdout == "", "%s: nothing on stdout" % where, res)

    # The rest carries on.
    res = box.ok(["--db", db, "search", "--json", "nurse"], env=env)
    expect(len(res.json()) > 0, "%s: search must still find built-in offerings" % where, res)


def check_stdout(box, plugins):
    db = os.path.join(box.tmp, "stdout.db")
    env = {"FGCAT_PLUGIN_PATH": plugins,
           "FGCAT_FAULT": "init:stdout,register:stdout,validate:stdout,quote:stdout"}
    res = box.run(["--db", db, "refresh", "--json"], env=env)
    expect(res.code == 0, "stdout: refresh must succeed", res)
    json.loads(res.stdout)
    expect(re.search(r"plugin faulty wrote \d+ bytes to its output in init",
                     res.stderr), "stdout: the output must be logged as a warning", res)
    expect("hello from" not in res.stdout, "stdout: the plugin's output is not fgcat's", res)
    res = box.ok(["--db", db, "plugins", "--json"], env=env)
    expect(any(p["id"] == "faulty" and p["state"] == "loaded" for p in res.json()),
           "stdout: printing does not fail the plugin", res)
    res = box.ok(["--db", db, "request", "create", OFFERING, "--org", "RX1",
                  "--quantity", "3", "--json"], env=env)
    expect(res.json()["quote"]["amount_pence"] == 15000 if "quote" in res.json() else True,
           "stdout: the quote must be stored", res)
    # plugins check reports it as a problem.
    res = box.run(["--plugin-path", os.path.join(box.tmp, "empty"), "plugins", "check",
                   "--json", box.test_plugin("faulty")],
                  env={"FGCAT_FAULT": "quote:stdout"})
    expect(res.code == 4, "stdout: plugins check must refuse a plugin that prints", res)
    problems = res.json()["problems"]
    expect(any(p["what"] == "output" and "quote_request" in p["message"] for p in problems),
           "stdout: the problem must name the callback", res)


def check_sandbox(box, plugins):
    """socket, exec and write are refused; the plugin carries on."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    marker = os.path.join(box.tmp, "obeyed")
    try:
        for callback in ("init", "register", "validate", "quote"):
            for fault, word in (("socket", "socket"), ("exec", "exec"), ("write", "write")):
                where = "%s:%s" % (callback, fault)
                db = os.path.join(box.tmp, "sandbox-%s-%s.db" % (callback, fault))
                env = {"FGCAT_PLUGIN_PATH": plugins, "FGCAT_FAULT": where,
                       "FGCAT_FAULT_PORT": str(port), "FGCAT_FAULT_FILE": marker}
                res = box.run(["--db", db, "refresh"], env=env)
                expect(res.code == 0, "%s: refresh must succeed" % where, res)
                if callback == "quote":
                    res = box.ok(["--db", db, "request", "create", OFFERING, "--org", "RX1",
                                  "--quantity", "3"], env=env)
                expect(re.search(r"plugin faulty: %s refused: Operation not permitted" % word,
                                 res.stderr),
                       "%s: the plugin must be refused %s" % (where, word), res)
                try:
                    conn, _ = listener.accept()
                    conn.close()
                    raise clitest.Failure("%s: the plugin connected to a socket" % where)
                except socket.timeout:
                    pass
                expect(not os.path.exists(marker), "%s: the plugin wrote a file" % where)
    finally:
        listener.close()


def check_plugins_check(box):
    empty = os.path.join(box.tmp, "empty")
    faulty = box.test_plugin("faulty")
    box.ok(["--plugin-path", empty, "plugins", "check", faulty])
    for callback, cb in CALLBACKS.items():
        for fault in ("segv", "loop"):
            where = "check %s:%s" % (callback, fault)
            t0 = time.monotonic()
            res = box.run(["--plugin-path", empty, "plugins", "check", "--json", faulty],
                          env={"FGCAT_FAULT": "%s:%s" % (callback, fault)})
            expect(time.monotonic() - t0 < 20, "%s: took too long" % where, res)
            expect(res.code == 4, "%s: must exit 4" % where, res)
            report = res.json()
            expect(re.search(says(fault, cb).replace("2 s", r"\d+ s"), report["reason"]),
                   "%s: the reason must say what happened: %r" % (where, report["reason"]),
                   res)


def check_odd_files(box, plugins):
    d = os.path.join(box.tmp, "odd")
    os.mkdir(d)
    for name in BUILTIN:
        os.symlink(os.path.join(box.plugins, name + ".so"), os.path.join(d, name + ".so"))
    os.mkfifo(os.path.join(d, "fifo.so"))
    os.mkdir(os.path.join(d, "x.so"))
    db = os.path.join(box.tmp, "odd.db")
    t0 = time.monotonic()
    res = box.run(["--db", db, "--plugin-path", d, "refresh"])
    expect(time.monotonic() - t0 < 20, "odd files: refresh must not hang", res)
    expect(res.code == 4, "odd files: refresh must exit 4", res)
    expect(re.search(r"fifo\.so refused: cannot load: not a regular file \(a FIFO\)",
                     res.stderr), "odd files: the FIFO must be named", res)
    expect(re.search(r"x\.so refused: cannot load: not a regular file \(a directory\)",
                     res.stderr), "odd files: the directory must be named", res)
    res = box.ok(["--db", db, "--plugin-path", d, "areas", "--json"])
    expect(len(res.json()) == 4, "odd files: the built-ins must carry on", res)


def check_no_orphans(box, plugins):
    db = os.path.join(box.tmp, "orphans.db")
    env = dict(box.env, FGCAT_PLUGIN_PATH=plugins, FGCAT_FAULT="register:loop")
    box.ok(["--db", db, "plugins", "timeout", "60"])
    proc = subprocess.Popen([box.fgcat, "--db", db, "refresh"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = []
        deadline = time.monotonic() + 20
        while len(workers) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = clitest.plugin_workers(proc.pid)
        expect(len(workers) == 5, "orphans: five workers must run (found %d)" % len(workers))
        time.sleep(0.5)  # faulty is looping by now
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 5
        while any(clitest.process_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if clitest.process_alive(w)]
        for w in left:
            os.kill(w, signal.SIGKILL)
        expect(not left, "orphans: workers %r outlived a SIGKILLed fgcat" % left)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_lazy(box):
    """Workers start on their plugin's first call: once the catalogue has
    recorded the plugin files, `search` starts none and `request create`
    one, its area's; `refresh`, `plugins` and `areas` start them all; a
    changed file is read again; a crash in init on that first call is
    named in one line."""
    d = os.path.join(box.tmp, "lazy-plugins")
    os.mkdir(d)
    for name in BUILTIN:
        os.symlink(os.path.join(box.plugins, name + ".so"), os.path.join(d, name + ".so"))
    os.symlink(box.test_plugin("faulty"), os.path.join(d, "faulty.so"))
    real = os.path.abspath(os.path.join(os.path.dirname(box.fgcat), "..", "libexec", "fgcat",
                                        "fgcat-plugin-worker"))
    starts = os.path.join(box.tmp, "starts")
    wrapper = os.path.join(box.tmp, "worker.sh")
    with open(wrapper, "w") as f:  # a worker that says which plugin it runs
        f.write("#!/bin/sh\necho \"$4\" >> '%s'\nexec '%s' \"$@\"\n" % (starts, real))
    os.chmod(wrapper, 0o755)
    db = os.path.join(box.tmp, "lazy.db")
    env = {"FGCAT_PLUGIN_PATH": d, "FGCAT_PLUGIN_WORKER": wrapper}
    every = sorted(n + ".so" for n in BUILTIN + ["faulty"])

    def started(args, code=0, extra=None):
        if os.path.exists(starts):
            os.remove(starts)
        res = box.run(["--db", db] + args, env=dict(env, **(extra or {})))
        expect(res.code == code, "lazy: %s must exit %d" % (" ".join(args), code), res)
        names = []
        if os.path.exists(starts):
            with open(starts) as f:
                names = sorted(os.path.basename(l) for l in f.read().split("\n") if l)
        return res, names

    create = ["request", "create", OFFERING, "--org", "RX1", "--quantity", "3"]
    _, names = started(["refresh"])
    expect(set(names) == set(every), "lazy: refresh starts every worker: %r" % names)
    _, names = started(["search", "nurse"])
    expect(names == [], "lazy: search starts no worker: %r" % names)
    _, names = started(create)
    expect(names == ["faulty.so"], "lazy: request create starts its area's worker only: %r"
           % names)
    _, names = started(["request", "create", "RYJ/nurse-management-course", "--org", "RX1",
                        "--quantity", "12"])
    expect(names == ["integrated-care-training.so"],
           "lazy: request create starts its area's worker only: %r" % names)
    for args in (["plugins"], ["areas"], ["refresh"]):
        _, names = started(args)
        expect(names == every, "lazy: %s starts every worker: %r" % (args[0], names))

    # A changed file (here another copy) is read again, by one worker.
    os.remove(os.path.join(d, "faulty.so"))
    shutil.copy(box.test_plugin("faulty"), os.path.join(d, "faulty.so"))
    _, names = started(create)
    expect(names == ["faulty.so"], "lazy: a changed file starts one worker: %r" % names)
    _, names = started(create)
    expect(names == ["faulty.so"], "lazy: and then only on its call: %r" % names)

    # A crash in init on the first call: one line naming the plugin.
    res, names = started(create, code=1, extra={"FGCAT_FAULT": "init:segv"})
    expect(names == ["faulty.so"], "lazy: init's crash starts one worker: %r" % names)
    expect(len(res.stderr_lines) == 1 and
           re.search(r"^fgcat: plugin faulty crashed in init \(signal 11", res.stderr_lines[0]),
           "lazy: a crash in init on the first call is one line naming the plugin", res)
    expect(res.stdout == "", "lazy: nothing on stdout", res)


def main(opts):
    with Sandbox(opts, "fgcat-isolation") as box:
        os.mkdir(os.path.join(box.tmp, "empty"))
        plugins = plugin_dir(box)
        for callback in CALLBACKS:
            for fault in FAULTS:
                check_fault(box, plugins, callback, fault)
        check_stdout(box, plugins)
        check_sandbox(box, plugins)
        check_plugins_check(box)
        check_odd_files(box, plugins)
        check_no_orphans(box, plugins)
        check_lazy(box)


if __name__ == "__main__":
    clitest.main(main, __doc__)
