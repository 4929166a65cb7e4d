"""Notifications and the relay's options (docs/notifications.md): a hub
without --smtp logs that messages stay queued, and they do; without
--smtp-insecure-plain a relay that offers no STARTTLS gets nothing (the
message fails, saying why) and no secret; a relay with STARTTLS under a
private CA (--smtp-ca-file) gets the queued messages; an smtps:// relay
gets them with the credentials of --smtp-user-file, which appear neither
in the hub's log nor in its catalogue; hub-url unset is warned of, and the
message says how to find the request; credentials in the URL and
--smtp-insecure-plain with smtps:// are refused."""

import os
import time

import synctest
from smtpsink import SmtpSink
from synctest import expect, clitest
from test_ca_file import private_ca

FROM = "catalogue@hub.example.nhs.uk"
APPROVER, BUYER = "ann.approver@tst.nhs.uk", "bea.buyer@rxx.nhs.uk"
PASSWORD = "relay-secret-8c1f2e"


def status(hub):
    return hub.run(["notify", "status", "--json"]).json()


def submit(hub):
    return hub.run(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                    "--by", BUYER, "--json"]).json()["id"]


def wait_status(hub, test, what, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        st = status(hub)
        if test(st):
            return st
        expect(time.monotonic() < deadline, "%s: %s" % (what, st))
        time.sleep(0.2)


def scenario(scene):
    hub = scene.hub(offerings="alpha")
    hub.run(["user", "add", APPROVER, "--org", "TST", "--role", "approver"])
    hub.run(["user", "add", BUYER, "--org", "RXX", "--role", "requester"])
    ca, cert, key = private_ca(hub.sandbox.tmp)
    creds = os.path.join(hub.sandbox.tmp, "smtp.credentials")
    with open(creds, "w") as f:
        f.write("hub-user:%s\n" % PASSWORD)
    os.chmod(creds, 0o600)

    # Refused options.
    for args, rx in ((["--smtp", "smtp://u:p@127.0.0.1:25", "--mail-from", FROM],
                      r"--smtp must not hold a user name or password"),
                     (["--smtp", "smtps://127.0.0.1:25", "--mail-from", FROM,
                       "--smtp-insecure-plain"], r"--smtp-insecure-plain goes with smtp://"),
                     (["--smtp", "http://127.0.0.1:25", "--mail-from", FROM],
                      r"--smtp must be smtp://"),
                     (["--smtp", "smtp://127.0.0.1:25"], r"--mail-from must be"),
                     (["--mail-from", FROM], r"need --smtp")):
        res = hub.sandbox.run(["serve", "--listen", "127.0.0.1:0"] + args, env=hub.env)
        clitest.one_error_line(res, 2, rx)

    # No relay: queued, said once at start.
    hub.start()
    hub.wait_log(r"notify: no SMTP relay \(--smtp\): notifications stay queued")
    rid = submit(hub)
    st = status(hub)
    expect(st["queued"] == 1 and st["sent"] == 0 and st["hub_url"] is None,
           "one message queued without a relay: %s" % st)
    text = hub.run(["notify", "status"]).stdout
    expect("hub-url is not set" in text, "notify status warns of hub-url:\n%s" % text)
    hub.stop()

    # A plain relay, and no --smtp-insecure-plain: STARTTLS is required.
    plain = SmtpSink().start()
    try:
        hub.start(["--smtp", plain.url, "--mail-from", FROM, "--smtp-retry-min", "1s",
                   "--smtp-user-file", creds])
        hub.wait_log(r"notify: hub-url is not set")
        st = wait_status(hub, lambda s: s["failing"] == 1, "the message fails without TLS")
        err = st["problems"][0]["last_error"]
        expect(rid == st["problems"][0]["request"] and "STARTTLS" in err,
               "it says why it failed: %s" % st["problems"])
        expect(plain.taken() == [] and plain.logins == [],
               "the plain relay got nothing: %s %s" % (plain.taken(), plain.logins))
        hub.stop()
    finally:
        plain.stop()

    # STARTTLS under a private CA.
    starttls = SmtpSink("starttls", cert, key).start()
    try:
        hub.start(["--smtp", starttls.url, "--mail-from", FROM, "--smtp-ca-file", ca,
                   "--smtp-retry-min", "1s"])
        hub.run(["notify", "retry"])
        got = starttls.wait(1)
        expect(len(got) == 1 and got[0].rcpts == [APPROVER] and got[0].tls,
               "delivered over STARTTLS: %s" % got)
        body = got[0].body
        expect("has no link" in body and "find the request by its id" in body
               and rid in body, "without hub-url the message says how to find it:\n%s" % body)
        wait_status(hub, lambda s: s["sent"] == 1 and s["failing"] == 0, "recorded as sent")
        hub.stop()
    finally:
        starttls.stop()

    # smtps://, with credentials.
    smtps = SmtpSink("smtps", cert, key).start()
    try:
        hub.run(["config", "set", "hub-url", "https://hub.example.nhs.uk"])
        hub.start(["--smtp", smtps.url, "--mail-from", FROM, "--smtp-ca-file", ca,
                   "--smtp-user-file", creds, "--smtp-retry-min", "1s"])
        rid2 = submit(hub)
        got = smtps.wait(1)
        expect(len(got) == 1 and rid2 in got[0].body and got[0].tls
               and "https://hub.example.nhs.uk/requests/" + rid2 in got[0].body,
               "delivered over smtps: %s" % got)
        expect(smtps.logins == [("hub-user", PASSWORD)], "signed in: %s" % smtps.logins)
        hub.stop()
    finally:
        smtps.stop()
    with open(hub.log_path, "rb") as f:
        log = f.read()
    expect(PASSWORD.encode() not in log, "the relay's password is in the hub's log")
    for name in os.listdir(os.path.dirname(hub.db)):
        if name.startswith(os.path.basename(hub.db)):
            with open(os.path.join(os.path.dirname(hub.db), name), "rb") as f:
                expect(PASSWORD.encode() not in f.read(),
                       "the relay's password is in the catalogue's file %s" % name)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
