"""TLS: a hub serving HTTPS with a self-signed certificate (made here with
the openssl command) is refused by default — exit 1, one line naming the
certificate, one attempt only — and accepted with --insecure."""

import os
import shutil
import subprocess
import time

import synctest
from synctest import expect, clitest


def make_cert(tmp):
    openssl = shutil.which("openssl")
    expect(openssl is not None, "the openssl command is needed (scripts/bootstrap installs it)")
    cert, key = os.path.join(tmp, "hub.crt"), os.path.join(tmp, "hub.key")
    proc = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1"],
                          capture_output=True, timeout=60)
    expect(proc.returncode == 0, "openssl req failed: %s" % proc.stderr.decode(errors="replace"))
    return cert, key


def scenario(scene):
    hub = scene.hub()
    cert, key = make_cert(hub.sandbox.tmp)
    hub.token("RXX")
    hub.start(["--tls-cert", cert, "--tls-key", key])
    expect(hub.url.startswith("https://"), "an https hub")
    rxx = scene.node("RXX")
    rxx.follow(hub)

    mark = hub.mark()
    t0 = time.monotonic()
    res = rxx.run(["sync"])
    took = time.monotonic() - t0
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*SSL certificate problem: self-signed certificate")
    # The hub logs each failed handshake: one, so the client did not retry.
    hub.wait_log(r"^fgcat: hub: .*handshake")
    time.sleep(0.2)
    tries = [l for l in hub.log()[mark:].splitlines() if "handshake" in l]
    expect(len(tries) == 1 and took < 5,
           "a refused certificate is not retried: %d handshakes in %.1f s" % (len(tries), took))
    expect(hub.requests_since(mark) == [], "no request got through: %s" % hub.requests_since(mark))
    st = rxx.status()
    expect("ertificate" in (st["last_error"] or "") and st["org"] is None,
           "the refusal is recorded: %s" % st)

    res = rxx.run(["sync", "--insecure", "--json"])
    expect(res.code == 0 and res.json()["status"] == "ok", "--insecure works", res)
    lines = hub.requests_since(mark)
    expect([(l[1], l[2], l[3]) for l in lines] == [("/v1/whoami", 200, "RXX"),
                                                   ("/v1/changes", 200, "RXX")],
           "the hub served it over TLS: %s" % lines)
    expect(rxx.status()["org"] == "RXX", "the organisation is learnt")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
