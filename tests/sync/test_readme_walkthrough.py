"""README.md's hub-and-sync walkthrough, run as written, on default
installs: the built-in plugins on the hub and on both nodes, each node on
its default catalogue (no --db, no FGCAT_DB), relative paths as typed.
Every command run here is taken from README.md (the test fails when the
README stops showing it), with only these substitutions:
- the hub's catalogue /var/lib/fgcat/hub.db is hub.db in the hub's own
  directory, and it listens on a free loopback port (never 0.0.0.0);
- https://hub.example.nhs.uk:8473 is that loopback hub, whose certificate
  a test CA signed; CURL_CA_BUNDLE and SSL_CERT_FILE name the CA,
  standing in for the system's trust store that trusts a real hub's
  certificate;
- the request id printed by request create replaces 4f0c2a4e-...;
- the start date, once the README's is too close for the programme's
  notice, is moved 120 days ahead."""

import datetime
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

import synctest
from synctest import expect
from test_ca_file import private_ca

README = os.path.join(os.path.dirname(os.path.dirname(synctest.HERE)), "README.md")
OFFERING = "RTF/integrated-care-community-nursing"


def readme_command(text):
    """The README's command `text` (its lines joined as a shell would) as
    argv without the leading fgcat; fails when the README lacks it."""
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    expect(text in readme, "README.md no longer shows:\n%s" % text)
    argv = shlex.split(text.replace("\\\n", " "))
    expect(argv[0] == "fgcat", "not an fgcat command: %s" % text)
    return argv[1:]


def subst(argv, subs):
    return [subs.get(a, a) for a in argv]


def scenario(scene):
    hub = scene.hub(default=True)
    tmp = hub.sandbox.tmp
    ca, _, _ = private_ca(tmp)  # writes hub.crt and hub.key beside hub.db
    hub_subs = {"/var/lib/fgcat/hub.db": "hub.db"}

    # On the hub: a token file per trust, then the server.
    for ods in ("RXX", "RTF"):
        argv = subst(readme_command("fgcat --db /var/lib/fgcat/hub.db token create %s "
                                    "--output %s.token" % (ods, ods.lower())), hub_subs)
        res = hub.sandbox.run(argv, env=hub.env, unset=["FGCAT_DB"])
        expect(res.code == 0 and res.stdout == "", "token create --output", res)
    serve = subst(readme_command("fgcat --db /var/lib/fgcat/hub.db serve --listen "
                                 "0.0.0.0:8473 \\\n        --tls-cert hub.crt --tls-key hub.key"),
                  hub_subs)
    expect(serve[:4] == ["--db", "hub.db", "serve", "--listen"], "serve: %s" % serve)
    hub.start(["--db", "hub.db"] + serve[5:])

    nodes = {}
    for ods in ("RXX", "RTF"):
        n = scene.node(ods, default=True)
        shutil.copy2(os.path.join(tmp, ods.lower() + ".token"), n.sandbox.tmp)
        n.env["SSL_CERT_FILE"] = n.env["CURL_CA_BUNDLE"] = ca
        nodes[ods] = n
    node_subs = {"https://hub.example.nhs.uk:8473": hub.url}

    def run(node, argv, code=0):
        res = node.sandbox.run(subst(argv, node_subs), env=node.env, unset=["FGCAT_DB"])
        expect(res.code == code, "%s: expected exit %d" % (node.ods, code), res)
        return res

    for ods, n in nodes.items():
        add = readme_command("fgcat remote add northumbria https://hub.example.nhs.uk:8473 "
                             "--token-file rxx.token")
        run(n, [a.replace("rxx.token", ods.lower() + ".token") for a in add])
        run(n, readme_command("fgcat sync northumbria"))
    expect(os.path.exists(os.path.join(nodes["RXX"].sandbox.tmp, "xdg", "fgcat",
                                       "catalogue.db")),
           "the nodes use their default catalogue")

    # The request, made at RXX as the README shows.
    rxx, rtf = nodes["RXX"], nodes["RTF"]
    run(rxx, readme_command("fgcat search community nursing"))
    create = readme_command("fgcat request create RTF/integrated-care-community-nursing \\\n"
                            "        --org RXX --quantity 12 --start 2027-03-01 \\\n"
                            "        --contact lead@example.nhs.uk --note \"Two community teams\"")
    start = create[create.index("--start") + 1]
    if datetime.date.fromisoformat(start) < datetime.date.today() + datetime.timedelta(days=60):
        create[create.index("--start") + 1] = (datetime.date.today()
                                               + datetime.timedelta(days=120)).isoformat()
    m = re.search(r"^request (\S+)  submitted$", run(rxx, create).stdout, re.MULTILINE)
    expect(m is not None, "request create prints the request's id")
    rid = m.group(1)
    node_subs["4f0c2a4e-..."] = rid

    sync = readme_command("fgcat sync")
    run(rxx, sync)
    run(rtf, sync)
    listed = run(rtf, readme_command("fgcat request list --org RTF")).stdout
    expect(rid in listed, "RTF lists the request:\n%s" % listed)
    run(rtf, readme_command("fgcat request accept 4f0c2a4e-... --org RTF "
                            "--reason \"Dates agreed\""))
    run(rtf, sync)
    run(rxx, sync)
    shown = run(rxx, readme_command("fgcat request show 4f0c2a4e-...")).stdout
    expect(re.search(r"^request %s  accepted$" % rid, shown, re.MULTILINE)
           and re.search(r"submitted by RXX\n.*accepted by RTF: Dates agreed", shown)
           and "delivered to northumbria" in shown,
           "RXX sees it accepted, with its history:\n%s" % shown)
    status = run(rxx, readme_command("fgcat sync status")).stdout
    expect(re.search(r"requests\s+0 waiting, 1 delivered, 0 refused, 0 undeliverable", status)
           and "last error:    -" in status, "sync status:\n%s" % status)

    # sync --all --every 15m: runs a round, then stops cleanly on SIGTERM.
    every = readme_command("fgcat sync --all --every 15m")
    env = {k: v for k, v in rxx.env.items() if k != "FGCAT_DB"}
    err_path = os.path.join(rxx.sandbox.tmp, "every.err")
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([rxx.sandbox.fgcat] + every, env=env, cwd=rxx.sandbox.tmp,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(err_path, encoding="utf-8", errors="replace") as f:
                if "sync northumbria: pushed 0" in f.read():
                    break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    synctest.check_log(text, "sync --every")
    expect(code == 0 and "sync northumbria: pushed 0" in text,
           "sync --all --every 15m ran a round and stopped on SIGTERM: %s\n%s" % (code, text))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
