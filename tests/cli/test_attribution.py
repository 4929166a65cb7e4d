#!/usr/bin/env python3
"""Who did it, on the command line of a default catalogue (built-in
plugins): `--by EMAIL` on request create and each move records the person
beside the organisation, in `request show` (text and --json); an address the catalogue does not know is recorded
as given; when the catalogue has people (a hub's), their rules hold: a
person acts only for their own trust, a requester may request and cancel
but not accept, decline or complete, each refused in one line with exit 4
and nothing recorded; a malformed address is a usage error."""

import datetime

import clitest
from clitest import expect, one_error_line

OFFERING = "RTF/integrated-care-community-nursing"


def day(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def create(box, by=None, org="RXX"):
    args = ["request", "create", OFFERING, "--org", org, "--quantity", "12", "--start",
            day(90), "--json"]
    if by:
        args += ["--by", by]
    return box.ok(args).json()


def history(box, rid):
    return [(e["status"], e["by"], e.get("person"))
            for e in box.ok(["request", "show", rid, "--json"]).json()["history"]]


def main(opts):
    with clitest.Sandbox(opts) as box:
        box.seed()

        # A node: nobody is registered, so addresses are recorded as given.
        req = create(box, by="ann@nhs.net")
        rid = req["id"]
        expect(req["history"][0].get("person") == "ann@nhs.net",
               "create --by records the person: %s" % req["history"])
        moved = box.ok(["request", "accept", rid, "--org", "RTF", "--by", "raj@nhs.net",
                        "--reason", "Dates agreed", "--json"]).json()
        expect([(e["status"], e["by"], e.get("person")) for e in moved["history"]] ==
               [("submitted", "RXX", "ann@nhs.net"), ("accepted", "RTF", "raj@nhs.net")],
               "the move records its person: %s" % moved["history"])
        text = box.ok(["request", "show", rid]).stdout
        expect("submitted by RXX (ann@nhs.net)" in text and
               "accepted by RTF (raj@nhs.net): Dates agreed" in text,
               "request show names both people:\n" + text)
        # A move without --by names the organisation only.
        plain = create(box)
        expect("person" not in plain["history"][0], "no --by, no person: %s" % plain)

        # A malformed address is a usage error, and records nothing.
        one_error_line(box.run(["request", "cancel", rid, "--org", "RXX", "--by", "ann"]),
                       2, r"--by must be a person's e-mail address")
        expect(history(box, rid)[-1][0] == "accepted", "nothing recorded")

        # Now the catalogue has people: their rules apply.
        box.ok(["user", "add", "ann@nhs.net", "--org", "RXX", "--role", "requester"])
        box.ok(["user", "add", "ben@nhs.net", "--org", "RXX", "--role", "requester"])
        box.ok(["user", "add", "raj@nhs.net", "--org", "RTF", "--role", "approver"])
        box.ok(["user", "add", "rita@nhs.net", "--org", "RTF", "--role", "requester"])
        box.ok(["user", "add", "gus@gstt.nhs.uk", "--org", "RJ1", "--role", "approver"])
        rid2 = create(box, by="ANN@nhs.net")["id"]
        for args, pattern in [
            (["request", "accept", rid2, "--org", "RTF", "--by", "rita@nhs.net"],
             r"rita@nhs.net is a requester at RTF; only an approver or an admin may accept"),
            (["request", "decline", rid2, "--org", "RTF", "--by", "rita@nhs.net"],
             r"rita@nhs.net is a requester at RTF"),
            (["request", "accept", rid2, "--org", "RTF", "--by", "gus@gstt.nhs.uk"],
             r"gus@gstt.nhs.uk works for RJ1, not for RTF"),
            (["request", "cancel", rid2, "--org", "RXX", "--by", "raj@nhs.net"],
             r"raj@nhs.net works for RTF, not for RXX"),
            (["request", "create", OFFERING, "--org", "RXX", "--quantity", "12", "--by",
              "gus@gstt.nhs.uk"], r"gus@gstt.nhs.uk works for RJ1, not for RXX"),
        ]:
            one_error_line(box.run(args), 4, pattern)
        expect(history(box, rid2) == [("submitted", "RXX", "ANN@nhs.net")],
               "refused moves record nothing: %s" % history(box, rid2))
        expect(len(box.ok(["request", "list", "--json"]).json()) == 3,
               "the refused create stored nothing")

        # The approver accepts; another requester of the same trust cancels.
        box.ok(["request", "accept", rid2, "--org", "RTF", "--by", "raj@nhs.net"])
        box.ok(["request", "cancel", rid2, "--org", "RXX", "--by", "ben@nhs.net",
                "--reason", "Budget moved"])
        expect(history(box, rid2) == [("submitted", "RXX", "ANN@nhs.net"),
                                      ("accepted", "RTF", "raj@nhs.net"),
                                      ("cancelled", "RXX", "ben@nhs.net")],
               "history names each person: %s" % history(box, rid2))


if __name__ == "__main__":
    clitest.main(main, __doc__)
