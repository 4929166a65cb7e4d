"""A hub behind a private CA (made here with the openssl command, as an NHS
organisation's own CA would sign it): a node that does not know the CA is
refused (exit 1, one line); `remote add --ca-file ca.pem` trusts it without
--insecure (the path stored absolute); and without --ca-file,
SSL_CERT_FILE or CURL_CA_BUNDLE naming the CA work as curl users expect."""

import os
import shutil
import subprocess

import synctest
from synctest import expect, clitest


def openssl(args):
    exe = shutil.which("openssl")
    expect(exe is not None, "the openssl command is needed (scripts/bootstrap installs it)")
    proc = subprocess.run([exe] + args, capture_output=True, timeout=60)
    expect(proc.returncode == 0, "openssl %s failed: %s"
           % (args[0], proc.stderr.decode(errors="replace")))


def private_ca(tmp):
    """A CA and a hub certificate for 127.0.0.1 it signed: (ca, cert, key)."""
    ca, ca_key = os.path.join(tmp, "ca.pem"), os.path.join(tmp, "ca.key")
    csr, cert, key = (os.path.join(tmp, n) for n in ("hub.csr", "hub.crt", "hub.key"))
    ext = os.path.join(tmp, "hub.ext")
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
             "-days", "2", "-subj", "/CN=Test NHS private CA"])
    openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
             "-subj", "/CN=127.0.0.1"])
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl(["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
             "-out", cert, "-days", "2", "-extfile", ext])
    return ca, cert, key


def scenario(scene):
    hub = scene.hub()
    ca, cert, key = private_ca(hub.sandbox.tmp)
    hub.start(["--tls-cert", cert, "--tls-key", key])

    # Not trusted by default.
    stranger = scene.node("RXX")
    stranger.follow(hub)
    res = stranger.run(["sync"], env={"SSL_CERT_FILE": "", "CURL_CA_BUNDLE": ""})
    clitest.one_error_line(res, 1, r"^fgcat: sync hub: .*(?:SSL certificate|certificate)")

    # --ca-file: trusted, path stored absolute.
    rxy = scene.node("RXY")
    shutil.copy(ca, os.path.join(rxy.sandbox.tmp, "nhs-ca.pem"))
    token = os.path.join(rxy.sandbox.tmp, "rxy.token")
    with open(token, "w") as f:
        f.write(hub.token("RXY") + "\n")
    os.chmod(token, 0o600)
    rxy.ok(["remote", "add", "hub", hub.url, "--token-file", "rxy.token",
            "--ca-file", "nhs-ca.pem"])
    remote = rxy.ok(["remote", "list", "--json"]).json()[0]
    expect(remote["ca_file"] == os.path.realpath(os.path.join(rxy.sandbox.tmp, "nhs-ca.pem")),
           "the CA file is stored absolute: %s" % remote)
    res = rxy.run(["sync", "--json"], env={"SSL_CERT_FILE": "", "CURL_CA_BUNDLE": ""})
    expect(res.code == 0 and res.json()["status"] == "ok", "--ca-file trusts the hub", res)
    res = rxy.run(["remote", "add", "bad", hub.url, "--token-file", "rxy.token",
                   "--ca-file", "missing.pem"])
    clitest.one_error_line(res, 1, r"^fgcat: .*CA file 'missing\.pem'")

    # The variables curl honours, when the remote names no CA file.
    for var in ("SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        env = {"SSL_CERT_FILE": "", "CURL_CA_BUNDLE": ""}
        env[var] = ca
        res = stranger.run(["sync", "--json"], env=env)
        expect(res.code == 0 and res.json()["status"] == "ok", "%s names the CA" % var, res)
    expect(stranger.status()["last_error"] is None, "the good sync cleared the error")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
