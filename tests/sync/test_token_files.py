"""Token files and schedules as users write them.  `fgcat token create ODS
--output FILE` writes the token to a new file of mode 0600 (and keeps an
existing file); `remote add --token-file F` with a relative F stores the
absolute path, so a sync run from / (as the systemd units do) finds it; a
token file others can read gives one warning line and still works;
`sync --every 15` is a usage error (exit 2) saying a unit is needed."""

import os
import stat
import subprocess

import synctest
from synctest import expect, clitest


def scenario(scene):
    hub = scene.hub().start()
    rxx = scene.node("RXX")
    tmp = rxx.sandbox.tmp

    # The operator writes the token straight to a file only it can read.
    out = os.path.join(tmp, "rxx.token")
    res = hub.sandbox.run(["token", "create", "RXX", "--output", out], env=hub.env)
    expect(res.code == 0 and res.stdout == "", "token create --output prints no token", res)
    expect(stat.S_IMODE(os.stat(out).st_mode) == 0o600,
           "mode %o, not 0600" % stat.S_IMODE(os.stat(out).st_mode))
    with open(out) as f:
        token = f.read()
    expect(token.endswith("\n") and len(token.strip()) >= 20 and token.strip() not in res.stderr,
           "the file holds the token, and it is printed nowhere")
    res = hub.sandbox.run(["token", "create", "RXX", "--output", out], env=hub.env)
    clitest.one_error_line(res, 2, r"^fgcat: cannot create token file .*rxx\.token.*exists")
    with open(out) as f:
        expect(f.read() == token, "an existing token file is kept as it was")

    # A relative path as typed in the node's directory is stored absolute.
    rxx.ok(["remote", "add", "hub", hub.url, "--token-file", "rxx.token"])
    remotes = rxx.ok(["remote", "list", "--json"]).json()
    expect(remotes[0]["token_file"] == os.path.realpath(out),
           "the absolute path is stored: %s" % remotes[0]["token_file"])
    proc = subprocess.run([rxx.sandbox.fgcat, "sync", "--json"], cwd="/", env=rxx.env,
                          capture_output=True, text=True, timeout=120)
    expect(proc.returncode == 0 and proc.stderr == "",
           "a sync run from / finds the token: %s %s" % (proc.returncode, proc.stderr))

    # A token file others can read: one warning line, and the sync goes on.
    os.chmod(out, 0o644)
    res = rxx.run(["sync", "--json"])
    expect(res.code == 0 and len(res.stderr_lines) == 1
           and "can be read by others" in res.stderr and "chmod 600" in res.stderr,
           "one warning line for a token file others can read", res)
    os.chmod(out, 0o600)
    res = rxx.run(["sync", "--json"])
    expect(res.code == 0 and res.stderr == "", "no warning once it is 0600", res)

    # --every needs a unit.
    res = rxx.run(["sync", "--every", "15"])
    clitest.one_error_line(res, 2, r"--every takes a duration with its unit .*not '15'")
    for bad in ("15x", "0m", "m"):
        res = rxx.run(["sync", "--every", bad])
        expect(res.code == 2, "--every %s is a usage error" % bad, res)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
