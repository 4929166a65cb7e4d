"""Notifications (docs/notifications.md) on default installs: a hub with the
built-in plugins and the people of provider RTF (an approver, an admin, a
requester-role colleague) and member RXX (the requester), sending through
an SMTP sink on loopback.  A request RXX's person makes on RXX's node and
syncs reaches RTF's approver and admin (not its requester-role person,
not RXX's people) as one plain-text message each, with the right headers,
subject, body and link; RTF's acceptance, completion and decline, made on
RTF's node by its approver, reach the requester's person; a cancellation
reaches the requester's person and RTF's approver and admin.  A relay that
refuses (451) and a relay that is down lose nothing: `fgcat notify status`
shows the messages failing with their attempts and last error, and they
are delivered when the relay is back.  A hung relay does not hold up the
hub's stop on SIGTERM, and its message stays queued."""

import datetime
import re
import time
import urllib.request

import synctest
from smtpsink import SmtpSink
from synctest import expect

OFFERING = "RTF/integrated-care-community-nursing"
TITLE_RX = r"Request for (.+): (\w+)"
HUB_URL = "https://hub.example.nhs.uk"
FROM = "catalogue@hub.example.nhs.uk"
APPROVER, ADMIN, COLLEAGUE = "ann.approver@rtf.nhs.uk", "ade.admin@rtf.nhs.uk", \
    "rob.requester@rtf.nhs.uk"
BUYER, BUYER_BOSS = "bea.buyer@rxx.nhs.uk", "bob.approver@rxx.nhs.uk"
PROVIDER = sorted([APPROVER, ADMIN])


def start_date():
    return (datetime.date.today() + datetime.timedelta(days=120)).isoformat()


def create(node, quantity=10):
    return node.ok(["request", "create", OFFERING, "--org", node.ods, "--quantity",
                    str(quantity), "--start", start_date(), "--by", BUYER,
                    "--note", "Two community teams", "--json"]).json()["id"]


def status(hub):
    return hub.run(["notify", "status", "--json"]).json()


def new_messages(sink, seen, count, what):
    """Waits for `count` more messages than `seen`; returns the new ones."""
    got = sink.wait(seen + count)
    expect(len(got) == seen + count, "%s: expected %d new message(s), got %s"
           % (what, count, got[seen:]))
    return got[seen:]


def check_message(m, rid, event, rcpt, reason=None, by=None):
    """One message: envelope, headers, subject, body and link."""
    expect(m.mail_from == FROM and m.rcpts == [rcpt],
           "envelope of %s to %s: from %s to %s" % (event, rcpt, m.mail_from, m.rcpts))
    h = m.headers
    expect(h.get("from") == FROM and h.get("to") == rcpt, "From/To of %s: %s" % (event, h))
    expect(re.match(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$",
                    h.get("date", "")), "Date header: %r" % h.get("date"))
    expect(re.match(r"^<[^<>@\s]+@hub\.example\.nhs\.uk>$", h.get("message-id", "")),
           "Message-ID header: %r" % h.get("message-id"))
    expect(h.get("content-type") == "text/plain; charset=utf-8", "Content-Type: %s" % h)
    sub = re.fullmatch(TITLE_RX, h.get("subject", ""))
    expect(sub and sub.group(2) == event and "community" in sub.group(1).lower(),
           "Subject of %s: %r" % (event, h.get("subject")))
    expect(b"\n" not in m.data.replace(b"\r\n", b""), "bare LF in the message: %r" % m.data)
    body = m.body
    for want in ("Request %s is now %s." % (rid, event), "Offering: ", OFFERING,
                 "Provider: Northumbria", "(RTF)", "Requester: RXX", "Status: %s" % event,
                 "See the request: %s/requests/%s" % (HUB_URL, rid)):
        expect(want in body, "the %s message lacks %r:\n%s" % (event, want, body))
    if reason:
        expect("Reason: %s" % reason in body, "no reason in:\n%s" % body)
    if by:
        expect("By: %s" % by in body, "expected By: %s in:\n%s" % (by, body))
    # Nothing beyond what the two trusts share: not the note, no other people.
    for never in ("Two community teams", COLLEAGUE, BUYER_BOSS):
        expect(never not in body, "the %s message shows %r:\n%s" % (event, never, body))


def to_whom(msgs):
    return sorted(r for m in msgs for r in m.rcpts)


def scenario(scene):
    sink = SmtpSink().start()
    try:
        run(scene, sink)
    finally:
        sink.mode = "ok"
        sink.stop()


def run(scene, sink):
    hub = scene.hub(default=True)
    for email, org, role in ((APPROVER, "RTF", "approver"), (ADMIN, "RTF", "admin"),
                             (COLLEAGUE, "RTF", "requester"), (BUYER, "RXX", "requester"),
                             (BUYER_BOSS, "RXX", "approver")):
        hub.run(["user", "add", email, "--org", org, "--role", role])
    hub.run(["config", "set", "hub-url", HUB_URL])
    opts = ["--smtp", sink.url, "--mail-from", FROM, "--smtp-insecure-plain",
            "--smtp-retry-min", "1s", "--smtp-retry-max", "2s"]
    hub.start(opts, wait_for=r"notify: sending notifications through smtp://127\.0\.0\.1")
    rtf = scene.node("RTF", default=True)
    rxx = scene.node("RXX", default=True)
    for n in (rtf, rxx):
        n.follow(hub)
        n.sync()
    expect(rxx.sql("SELECT count(*) FROM notification") == [(0,)],
           "a node without people queues nothing")

    # Submitted: the provider's approver and admin, one message each.
    rid = create(rxx)
    rxx.sync()
    msgs = new_messages(sink, 0, 2, "submitted")
    expect(to_whom(msgs) == PROVIDER, "submitted goes to %s, not %s" % (PROVIDER, msgs))
    for m in msgs:
        check_message(m, rid, "submitted", m.rcpts[0], by="RXX (%s)" % BUYER)

    # Accepted, then completed: the requester's person.
    rtf.sync()
    rtf.ok(["request", "accept", rid, "--org", "RTF", "--by", APPROVER,
            "--reason", "Dates agreed"])
    rtf.sync()
    (m,) = new_messages(sink, 2, 1, "accepted")
    check_message(m, rid, "accepted", BUYER, reason="Dates agreed",
                  by="RTF (%s)" % APPROVER)
    rtf.ok(["request", "complete", rid, "--org", "RTF", "--by", ADMIN])
    rtf.sync()
    (m,) = new_messages(sink, 3, 1, "completed")
    check_message(m, rid, "completed", BUYER, by="RTF (%s)" % ADMIN)

    # Declined: the requester's person.
    rid2 = create(rxx, 9)
    rxx.sync()
    new_messages(sink, 4, 2, "second submitted")
    rtf.sync()
    rtf.ok(["request", "decline", rid2, "--org", "RTF", "--by", APPROVER,
            "--reason", "No trainers in March"])
    rtf.sync()
    (m,) = new_messages(sink, 6, 1, "declined")
    check_message(m, rid2, "declined", BUYER, reason="No trainers in March")

    # Cancelled: the requester's person and the provider's approvers.
    rid3 = create(rxx, 8)
    rxx.sync()
    new_messages(sink, 7, 2, "third submitted")
    rxx.ok(["request", "cancel", rid3, "--org", "RXX", "--by", BUYER, "--reason", "budget"])
    rxx.sync()
    msgs = new_messages(sink, 9, 3, "cancelled")
    expect(to_whom(msgs) == sorted(PROVIDER + [BUYER]), "cancelled goes to %s" % msgs)
    for m in msgs:
        check_message(m, rid3, "cancelled", m.rcpts[0], reason="budget")
    st = status(hub)
    expect(st["sent"] == 12 and st["queued"] == 0 and st["failing"] == 0
           and st["given_up"] == 0 and st["problems"] == [] and st["hub_url"] == HUB_URL,
           "notify status after twelve messages: %s" % st)

    # A relay that refuses: the messages stay, failing, then go.
    sink.mode = "refuse"
    rid4 = create(rxx, 10)
    rxx.sync()
    deadline = time.monotonic() + 30
    while True:
        st = status(hub)
        if (st["failing"] == 2 and len(st["problems"]) == 2
                and all(p["attempts"] >= 2 for p in st["problems"])):
            break
        expect(time.monotonic() < deadline, "two failing messages, retried: %s" % st)
        time.sleep(0.2)
    for p in st["problems"]:
        expect(p["state"] == "failing" and p["request"] == rid4 and "451" in p["last_error"]
               and p["event"] == "submitted" and p["recipient"] in PROVIDER
               and p["next_at"] >= p["created_at"], "a failing message: %s" % p)
    text = hub.run(["notify", "status"]).stdout
    expect("failing 2" in text and "451" in text and APPROVER in text,
           "notify status tells of the failures:\n%s" % text)
    expect(len(sink.taken()) == 12, "nothing arrived while refused: %s" % sink.taken()[12:])
    sink.mode = "ok"
    msgs = new_messages(sink, 12, 2, "submitted after the relay came back")
    expect(to_whom(msgs) == PROVIDER, "the refused messages arrive: %s" % msgs)
    for m in msgs:
        check_message(m, rid4, "submitted", m.rcpts[0])

    # A relay that is down: likewise.
    sink.stop()
    rid5 = create(rxx, 10)
    rxx.sync()
    deadline = time.monotonic() + 30
    while True:
        st = status(hub)
        if st["failing"] == 2 and len(st["problems"]) == 2:
            break
        expect(time.monotonic() < deadline, "two failing messages with the relay down: %s" % st)
        time.sleep(0.2)
    expect(all(p["last_error"] and p["request"] == rid5 for p in st["problems"]),
           "why they failed: %s" % st["problems"])
    sink.start()
    msgs = new_messages(sink, 14, 2, "submitted after the relay restarted")
    expect(all(rid5 in m.body for m in msgs), "the messages of the relay's downtime: %s" % msgs)
    deadline = time.monotonic() + 10
    while status(hub)["sent"] != 16:
        expect(time.monotonic() < deadline, "sixteen sent: %s" % status(hub))
        time.sleep(0.2)

    # The counters in /v1/metrics.
    with urllib.request.urlopen(hub.url + "/v1/metrics", timeout=10) as r:
        metrics = r.read().decode()
    expect('fgcat_hub_notifications_total{result="sent"} 16' in metrics
           and re.search(r'fgcat_hub_notifications_total\{result="failed"\} [1-9]', metrics),
           "notification counters in /v1/metrics:\n%s" % metrics)

    # A hung relay does not hold up SIGTERM; its message stays queued.
    sink.mode = "hang"
    rxx.ok(["request", "cancel", rid5, "--org", "RXX", "--by", BUYER])
    rxx.sync()
    time.sleep(1.5)            # the sender is inside its first message now
    t0 = time.monotonic()
    hub.stop()
    took = time.monotonic() - t0
    expect(took < 5, "the hub took %.1f s to stop with the relay hung" % took)
    st = status(hub)
    expect(st["sent"] == 16 and st["queued"] + st["failing"] == 3,
           "the cancellation's three messages are still queued: %s" % st)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
