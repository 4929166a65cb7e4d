"""A member trust's request from search to completion, through the CLI.

Find an offering, request it, see the quote, have the provider accept and
complete it, and follow it in `request list` and `request show` — with the
SPEC §5 JSON shape, the refusals of §6 (exit 4, one line, verbatim plugin
messages), and a request that outlives its offering's withdrawal.
"""

import datetime
import os

import clitest
from clitest import expect, one_error_line

REQUEST_KEYS = {"id", "offering_id", "requester", "quantity", "start", "note", "status",
                "quote", "history", "created_at", "updated_at"}


def day(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def flow_with_builtins(box):
    box.seed()
    hits = box.ok(["search", "community", "nursing", "--json"]).json()
    ids = [o["id"] for o in hits]
    offering = "RTF/integrated-care-community-nursing"
    expect(offering in ids, "search should find %s: %r" % (offering, ids))

    # A quote first: the same price create will give, nothing stored.
    res = box.ok(["request", "quote", offering, "--org", "RXX", "--quantity", "12",
                  "--start", day(90)])
    expect(res.stdout == "£22,200.00\n", "request quote prints the price", res)
    quote = box.ok(["request", "quote", offering, "--org", "RXX", "--quantity", "12",
                    "--json"]).json()
    expect(quote == {"offering_id": offering, "quantity": 12,
                     "quote": {"amount_pence": 12 * 185000, "currency": "GBP"}},
           "request quote --json: %r" % quote)
    refused = box.run(["request", "quote", offering, "--org", "RXX", "--quantity", "4"])
    created = box.run(["request", "create", offering, "--org", "RXX", "--quantity", "4"])
    expect(refused.code == 4 and refused.stderr == created.stderr and created.code == 4,
           "quote refuses as create does, in the same words", refused)
    one_error_line(box.run(["request", "quote", offering, "--quantity", "12"]), 2,
                   r"--org and --quantity are required")
    expect(box.ok(["request", "list", "--json"]).json() == [], "a quote stores nothing")

    res = box.ok(["request", "create", offering, "--org", "RXX", "--quantity", "12",
                  "--start", day(90), "--contact", "lead@example.nhs.uk",
                  "--note", "Two community teams", "--json"])
    req = res.json()
    expect(REQUEST_KEYS <= set(req), "request JSON lacks keys: %r" % (REQUEST_KEYS - set(req)))
    expect(req["status"] == "submitted" and req["quantity"] == 12, "bad request", res)
    expect(req["quote"] == {"amount_pence": 12 * 185000, "currency": "GBP"},
           "quote should be 12 x £1,850", res)
    expect(req["requester"] == {"ods": "RXX", "contact": "lead@example.nhs.uk"},
           "requester", res)
    expect([h["status"] for h in req["history"]] == ["submitted"], "history", res)
    rid = req["id"]

    human = box.ok(["request", "show", rid])
    expect("£22,200.00" in human.stdout and "submitted" in human.stdout,
           "human show should give the quote and status", human)

    # The plugin's refusal reaches the user verbatim, exit 4, one line.
    res = box.run(["request", "create", offering, "--org", "RXX", "--quantity", "4"])
    one_error_line(res, 4, r"below this programme's minimum of 8")
    res = box.run(["request", "create", offering, "--org", "RXX", "--quantity", "12",
                   "--start", day(3)])
    one_error_line(res, 4, r"42 days' notice")
    # Bad input is a usage error; an unknown offering is not found.
    one_error_line(box.run(["request", "create", offering, "--org", "RXX", "--quantity",
                            "12", "--start", "2027-02-30"]), 2, r"2027-02-30")
    one_error_line(box.run(["request", "create", offering, "--org", "RXX"]), 2, r"--quantity")
    one_error_line(box.run(["request", "create", "RTF/nothing", "--org", "RXX",
                            "--quantity", "1"]), 3, r"RTF/nothing")

    # Only the provider accepts; the refusal says who may.
    one_error_line(box.run(["request", "accept", rid, "--org", "RXX"]), 4,
                   r"only the provider \(RTF\)")
    one_error_line(box.run(["request", "complete", rid, "--org", "RTF"]), 4,
                   r"is submitted.*accept or decline")
    acc = box.ok(["request", "accept", rid, "--org", "RTF", "--reason", "Dates agreed",
                  "--json"]).json()
    expect(acc["status"] == "accepted", "accept should accept")
    expect(acc["history"][-1] == {"status": "accepted", "at": acc["history"][-1]["at"],
                                  "by": "RTF", "reason": "Dates agreed"},
           "history should record the acceptance: %r" % acc["history"])

    listed = box.ok(["request", "list", "--org", "RXX", "--json"]).json()
    expect([r["id"] for r in listed] == [rid], "list --org RXX: %r" % listed)
    expect(listed[0]["status"] == "accepted", "list shows the acceptance")
    one_error_line(box.run(["request", "list", "--status", "pending"]), 2, r"status")
    done = box.ok(["request", "complete", rid, "--org", "RTF", "--json"]).json()
    expect([h["status"] for h in done["history"]] == ["submitted", "accepted", "completed"],
           "every move is kept: %r" % done["history"])
    one_error_line(box.run(["request", "cancel", rid, "--org", "RXX"]), 4,
                   r"completed.*final")
    one_error_line(box.run(["request", "show", "no-such-request"]), 3)
    one_error_line(box.run(["request", "frobnicate", rid]), 2)


def withdrawal_keeps_requests(box):
    """A request survives its offering's withdrawal; new ones are refused."""
    box.env["FGCAT_PLUGIN_PATH"] = os.path.dirname(box.test_plugin("test-area"))
    box.env["FGCAT_TEST_OFFERINGS"] = "alpha,beta"
    box.ok(["refresh"])
    rid = box.ok(["request", "create", "TST/alpha", "--org", "RXX", "--quantity", "2",
                  "--json"]).json()["id"]
    box.env["FGCAT_TEST_OFFERINGS"] = "beta"
    rep = box.ok(["refresh", "--json"]).json()
    expect(rep["withdrawn"] == 1, "refresh should withdraw alpha: %r" % rep)
    shown = box.ok(["request", "show", rid, "--json"]).json()
    expect(shown["status"] == "submitted", "the request is still there")
    one_error_line(box.run(["request", "create", "TST/alpha", "--org", "RXX",
                            "--quantity", "2"]), 4, r"withdrawn")
    one_error_line(box.run(["request", "accept", rid, "--org", "TST"]), 4, r"withdrawn")
    box.ok(["request", "cancel", rid, "--org", "RXX"])


def scenario(opts):
    with clitest.Sandbox(opts, "fgcat-request-flow") as box:
        flow_with_builtins(box)
    with clitest.Sandbox(opts, "fgcat-request-withdrawn") as box:
        withdrawal_keeps_requests(box)


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
