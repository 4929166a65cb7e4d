"""The shipped systemd units work as written.

contrib/systemd/fgcat.sysusers, given to `systemd-sysusers --root=DIR`
(a temporary root: the machine's users are not touched), creates the
system user and group fgcat with home /var/lib/fgcat.  Both services run
as that user and have systemd make their state directory (StateDirectory=
fgcat, nothing left to create by hand), where their catalogues live
(FGCAT_DB); ProtectSystem=strict leaves only that directory writable.
`systemd-analyze verify` (no running systemd needed) accepts the three
units, with only the binary's path changed to this build's, and prints no
warning.

The hub unit's ExecStart, read from the file (continuation lines joined,
Environment= applied), is started with only these changes: the binary is
this build's, /var/lib/fgcat and /etc/fgcat are temporary directories (the
first made as StateDirectoryMode= says, the second holding a certificate
made here) and the listen address is loopback (a test binds nothing
else).  It runs in /, as systemd runs it.  The hub answers /v1/health
over TLS, keeps its catalogue and state file in the state directory, logs
an access-log line for the request, and stops with exit 0 on the unit's
KillSignal within its TimeoutStopSec."""

import json
import os
import shlex
import shutil
import signal
import ssl
import stat
import subprocess
import tempfile
import time
import urllib.request

import synctest
from synctest import expect
from test_tls import make_cert

CONTRIB = os.path.join(os.path.dirname(os.path.dirname(synctest.HERE)), "contrib", "systemd")
UNITS = ("fgcat-hub.service", "fgcat-sync.service", "fgcat-sync.timer")
BINARY = "/usr/local/bin/fgcat"


def unit(name):
    """{key: [values]} of a unit file, continuation lines joined."""
    out = {}
    with open(os.path.join(CONTRIB, name)) as f:
        text = f.read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def tool(name):
    path = shutil.which(name)
    expect(path is not None, "%s is needed (package systemd; scripts/bootstrap installs it)"
           % name)
    return path


def check_sysusers(tmp):
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "etc"))
    proc = subprocess.run([tool("systemd-sysusers"), "--root=" + root,
                           os.path.join(CONTRIB, "fgcat.sysusers")],
                          capture_output=True, timeout=60)
    expect(proc.returncode == 0, "systemd-sysusers failed: %s" % proc.stderr.decode())
    with open(os.path.join(root, "etc", "passwd")) as f:
        users = {l.split(":")[0]: l.strip().split(":") for l in f if l.strip()}
    with open(os.path.join(root, "etc", "group")) as f:
        groups = {l.split(":")[0] for l in f if l.strip()}
    expect("fgcat" in users and "fgcat" in groups,
           "fgcat.sysusers made no user and group fgcat: %s %s" % (users, groups))
    expect(users["fgcat"][5] == "/var/lib/fgcat" and int(users["fgcat"][2]) < 1000,
           "fgcat is not a system user living in /var/lib/fgcat: %s" % users["fgcat"])


def check_verify(tmp, fgcat):
    where = os.path.join(tmp, "units")
    os.makedirs(where)
    for name in UNITS:
        with open(os.path.join(CONTRIB, name)) as f:
            text = f.read()
        with open(os.path.join(where, name), "w") as f:
            f.write(text.replace(BINARY, fgcat))
    proc = subprocess.run([tool("systemd-analyze"), "verify", "--man=no"]
                          + [os.path.join(where, n) for n in UNITS],
                          capture_output=True, timeout=120, cwd=where)
    said = (proc.stdout + proc.stderr).decode(errors="replace")
    expect(proc.returncode == 0 and not said.strip(),
           "systemd-analyze verify (exit %d):\n%s" % (proc.returncode, said))


def scenario(scene):
    hub_unit = unit("fgcat-hub.service")
    sync_unit = unit("fgcat-sync.service")
    for name, u in (("hub", hub_unit), ("sync", sync_unit)):
        expect(u.get("User") == ["fgcat"] and u.get("Group") == ["fgcat"]
               and u.get("StateDirectory") == ["fgcat"],
               "the %s unit runs as fgcat with StateDirectory=fgcat: %s" % (name, u))
        expect(u.get("ProtectSystem") == ["strict"] and "ReadWritePaths" not in u,
               "the %s unit writes nowhere but its state directory: %s" % (name, u))
        env = dict(e.split("=", 1) for e in u["Environment"])
        expect(env["FGCAT_DB"].startswith("/var/lib/fgcat/"),
               "the %s unit's catalogue is in the state directory: %s" % (name, env))
    expect(dict(e.split("=", 1) for e in hub_unit["Environment"])["FGCAT_DB"]
           != dict(e.split("=", 1) for e in sync_unit["Environment"])["FGCAT_DB"],
           "the hub and the node have catalogues of their own")

    box = scene.hub(name="unit", default=True).sandbox
    tmp = tempfile.mkdtemp(prefix="units.", dir=box.tmp)
    check_sysusers(tmp)
    check_verify(tmp, box.fgcat)

    state, conf = os.path.join(tmp, "state"), os.path.join(tmp, "etc")
    os.makedirs(state, mode=int(hub_unit["StateDirectoryMode"][0], 8))  # StateDirectory=
    os.chmod(state, int(hub_unit["StateDirectoryMode"][0], 8))
    os.makedirs(conf)
    cert, key = make_cert(conf)
    os.rename(cert, os.path.join(conf, "hub.crt"))
    os.rename(key, os.path.join(conf, "hub.key"))

    def local(path):
        for real, here in (("/var/lib/fgcat", state), ("/etc/fgcat", conf)):
            if path.startswith(real + "/"):
                return here + path[len(real):]
        return path

    expect(len(hub_unit["ExecStart"]) == 1, "one ExecStart: %s" % hub_unit["ExecStart"])
    argv = shlex.split(hub_unit["ExecStart"][0])
    expect(argv[:2] == [BINARY, "serve"], "ExecStart: %s" % argv)
    argv[0] = box.fgcat
    i = argv.index("--listen")
    expect(argv[i + 1].endswith(":8473"), "the hub unit listens on %s" % argv[i + 1])
    argv[i + 1] = "127.0.0.1:0"
    argv = [local(a) for a in argv]
    env = dict(box.env)
    env.pop("FGCAT_DB", None)
    for e in hub_unit["Environment"]:
        k, v = e.split("=", 1)
        env[k] = local(v)
    log_path = os.path.join(tmp, "unit.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=log, env=env, cwd="/")
    try:
        deadline = time.monotonic() + synctest.HUB_WAIT
        port = None
        while port is None and time.monotonic() < deadline and proc.poll() is None:
            with open(log_path, "rb") as f:
                for line in f.read().decode(errors="replace").splitlines():
                    if line.startswith("fgcat: hub listening on 127.0.0.1:"):
                        port = int(line.rsplit(":", 1)[1])
            time.sleep(0.05)
        with open(log_path) as f:
            expect(port is not None, "the unit's command did not start:\n" + f.read())
        ctx = ssl.create_default_context(cafile=os.path.join(conf, "hub.crt"))
        with urllib.request.urlopen("https://127.0.0.1:%d/v1/health" % port, context=ctx,
                                    timeout=30) as resp:
            health = json.loads(resp.read())
        expect(health["status"] == "ok", "health: %s" % health)
        made = sorted(os.listdir(state))
        expect("hub.db" in made and "hub.db.hub-state" in made,
               "the catalogue and its state file are not in the state directory: %s" % made)
        expect(stat.S_IMODE(os.stat(state).st_mode) == 0o750, "the state directory's mode")
        stop = float(hub_unit["TimeoutStopSec"][0])
        proc.send_signal(getattr(signal, hub_unit["KillSignal"][0]))
        code = proc.wait(stop)
        with open(log_path) as f:
            text = f.read()
        synctest.check_log(text, "the unit's hub")
        expect(any(synctest.HUB_LINE.match(l) and " GET /v1/health 200 " in l
                   for l in text.splitlines()),
               "no access-log line for the health check:\n" + text)
        expect(code == 0 and "fgcat: hub: stopped" in text,
               "the hub exited %s on %s:\n%s" % (code, hub_unit["KillSignal"][0], text[-2000:]))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
