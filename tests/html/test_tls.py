#!/usr/bin/env python3
"""The browser catalogue on a hub that serves HTTPS.

The session cookie is Secure as well (set and cleared), and a POST's
Origin must name https and this host: the same host over http is another
origin and is refused.  Needs the openssl command to make a throwaway
certificate; without it the test fails (scripts/bootstrap installs it).
"""

import os
import shutil
import subprocess
import sys

import htmltest
from htmltest import Hub, Client, expect


def make_cert(box):
    cert = os.path.join(box.tmp, "cert.pem")
    key = os.path.join(box.tmp, "key.pem")
    proc = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2", "-subj",
                           "/CN=127.0.0.1"], capture_output=True, timeout=60)
    expect(proc.returncode == 0, "openssl could not make a certificate: %s"
           % proc.stderr.decode(errors="replace"))
    return cert, key


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-tls") as box:
        box.seed()
        with Hub(box, tls=make_cert(box)) as hub:
            expect(hub.origin.startswith("https://"), "the hub serves HTTPS")
            email, password = hub.person("RXX")
            client = Client(hub)
            res = client.post("/login", {"email": email, "password": password},
                              origin="http://" + hub.host)
            expect(res.status == 403, "http://HOST is not the origin of an HTTPS hub\n"
                   + res.describe())
            res = client.login(email, password)
            cookie = res.header("Set-Cookie")
            expect(cookie.endswith("; Secure") and "HttpOnly" in cookie and
                   "SameSite=Strict" in cookie,
                   "over HTTPS the cookie is Secure too: %r" % cookie)
            res = client.get("/requests")
            expect(res.status == 200 and "RXX" in res.tree.find("span", cls="who").text(),
                   "the session works over HTTPS\n" + res.describe())
            res = client.post("/logout", {})
            expect(res.status == 303 and "Max-Age=0" in res.header("Set-Cookie") and
                   res.header("Set-Cookie").endswith("; Secure"),
                   "signing out clears the Secure cookie: %r" % res.header("Set-Cookie"))


if __name__ == "__main__":
    if shutil.which("openssl") is None:
        # scripts/bootstrap installs it; a test that cannot run fails.
        print("FAIL: the openssl command is not installed", file=sys.stderr)
        sys.exit(1)
    htmltest.main(scenario, __doc__)
