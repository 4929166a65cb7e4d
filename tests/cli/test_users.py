#!/usr/bin/env python3
"""`fgcat user` on a default catalogue (built-in plugins): people are
added to an organisation with a role, listed (as text and JSON, by
organisation) without any secret, given another role and removed; an
address is one account whatever its case; every bad argument is one line
with the documented exit code (2 usage, 3 not found, 4 conflict) and
changes nothing."""

import clitest
from clitest import Sandbox, expect, one_error_line


def main(opts):
    with Sandbox(opts) as box:
        res = box.ok(["user", "add", "ann@nhs.net", "--org", "RXX", "--role", "requester"])
        expect("added ann@nhs.net to RXX as requester" in res.stderr, "add says so", res)
        box.ok(["user", "add", "bob@nhs.net", "--org", "RXX", "--role", "approver"])
        box.ok(["user", "add", "cat@gstt.nhs.uk", "--org", "RJ1", "--role", "admin"])

        people = box.ok(["user", "list", "--json"]).json()
        expect([(p["ods"], p["email"], p["role"]) for p in people] ==
               [("RJ1", "cat@gstt.nhs.uk", "admin"), ("RXX", "ann@nhs.net", "requester"),
                ("RXX", "bob@nhs.net", "approver")], "listed by organisation: %s" % people)
        expect(all(p["password_set"] is False and p["locked_until"] is None and
                   set(p) == {"email", "ods", "role", "created_at", "password_set",
                              "locked_until"} for p in people),
               "no secret, no password yet: %s" % people)
        text = box.ok(["user", "list", "--org", "RXX"]).stdout.splitlines()
        expect(len(text) == 2 and "bob@nhs.net" in text[1] and "approver" in text[1] and
               "no password yet" in text[1], "the text list of RXX: %s" % text)

        res = box.ok(["user", "role", "BOB@NHS.NET", "admin"])
        expect("is now admin" in res.stderr, "role says so", res)
        roles = {p["email"]: p["role"] for p in box.ok(["user", "list", "--json"]).json()}
        expect(roles["bob@nhs.net"] == "admin", "the role changed: %s" % roles)

        # Refused, one line each, nothing changed.
        before = box.ok(["user", "list", "--json"]).json()
        for args, code, pattern in [
            (["user", "add", "Ann@NHS.net", "--org", "RJ1", "--role", "admin"], 4,
             "already has an account"),
            (["user", "add", "not-an-address", "--org", "RXX", "--role", "admin"], 2,
             "not an e-mail address"),
            (["user", "add", "dan@nhs.net", "--org", "rxx", "--role", "admin"], 2, "ODS"),
            (["user", "add", "dan@nhs.net", "--org", "RXX", "--role", "boss"], 2,
             "requester, approver or admin"),
            (["user", "add", "dan@nhs.net", "--org", "RXX"], 2, "--role"),
            (["user", "role", "ann@nhs.net", "root"], 2, "requester, approver or admin"),
            (["user", "role", "nobody@nhs.net", "admin"], 3, "no person"),
            (["user", "remove", "nobody@nhs.net"], 3, "no person"),
            (["user", "list", "--role", "admin"], 2, "--role goes with add"),
            (["user", "remove"], 2, "expected"),
            (["user"], 2, "expected"),
        ]:
            res = box.run(args)
            one_error_line(res, code, pattern)
        expect(box.ok(["user", "list", "--json"]).json() == before, "nothing changed")

        box.ok(["user", "remove", "ann@nhs.net"])
        left = [p["email"] for p in box.ok(["user", "list", "--json"]).json()]
        expect(left == ["cat@gstt.nhs.uk", "bob@nhs.net"], "ann removed: %s" % left)
        res = box.ok(["user", "list", "--org", "RTF"])
        expect(res.stdout == "" and "no people of RTF" in res.stderr, "an empty list says so",
               res)


if __name__ == "__main__":
    clitest.main(main, __doc__)
