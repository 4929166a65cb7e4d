#!/usr/bin/env python3
"""Hostile text everywhere a user can type it.

Search text, every text filter, an offering id: FTS5 syntax, SQL, quotes,
control characters and newlines, terminal escapes, bytes that are not
UTF-8, very long and very many words.  Each run must either answer (exit
0, and with --json a JSON array of offerings) or refuse with exactly one
stderr line "fgcat: ..." and the exit status of invalid input (2) or, for
an id, not found (3).  Never a crash, never a run-time failure (1), and the
catalogue is the same afterwards."""

import json

import clitest
from clitest import Sandbox, expect

TEXTS = [
    'nurse"', '"', '""', "'", "*", "**", "nurse*", "*nurse", "nurs**", "NEAR(", "NEAR(a b)",
    "(((", ")))", "a OR", "OR", "AND", "NOT", "nurse AND", "NOT nurse", "a:b", "title:nurse",
    "{title}: nurse", "^nurse", "nurse^", "+", "-", "-nurse", "nurse -care", "a\\b", "\\",
    "'; DROP TABLE offering; --", "1' OR '1'='1", "%", "_", "nurse%", "\x01", "\t", "\n",
    "nurse\ncare", "nurse\r\n", "\x1b[31mred\x1b[0m", "\x7f", "é", "e\u0301", "\u202enurse",
    "\U0001F489 nurse", "護士", "\ufeffnurse", "nurse\u00a0care", "a" * 1000, "a" * 1001,
    "nurse " * 150, ("x* " * 300).strip(), "\"nurse\" \"care\"", "nurse\" OR \"care",
]
BYTES = [b"nurse\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"nurse\xc0\xaf"]


def check_answer(res, json_out, refused=(2,)):
    """Exit 0 with data, or one of `refused` with one error line."""
    if res.code == 0:
        if json_out:
            data = res.json()
            if isinstance(data, dict) and set(data) == {"results", "facets"}:
                data = data["results"]  # --facets
            expect(isinstance(data, list), "--json must print an array", res)
            for o in data:
                expect(isinstance(o, dict) and "id" in o and "area" in o,
                       "every element must be an offering", res)
        lines = res.stderr_lines
        expect(len(lines) <= 1 and all(l.startswith("fgcat: ") for l in lines),
               "an answer may add at most one 'fgcat: ' line on stderr", res)
        return
    expect(res.code in refused, "exit status must be 0 or %s" % (refused,), res)
    expect(res.stdout == "", "a refusal prints nothing on stdout", res)
    lines = res.stderr_lines
    expect(len(lines) == 1 and lines[0].startswith("fgcat: "),
           "a refusal is exactly one line 'fgcat: ...'", res)
    expect(res.stderr.endswith("\n") and "\r" not in res.stderr and "\x1b" not in res.stderr,
           "the error line must not carry control characters", res)


def main(opts):
    with Sandbox(opts) as box:
        box.seed()
        before = box.ok(["export"]).stdout
        count = len(json.loads(before))
        nurse = {o["id"] for o in box.ok(["search", "nurse", "--json", "--limit", "1000"]).json()}
        filters = ["--area", "--provider", "--region", "--tag"]
        for i, text in enumerate(TEXTS + BYTES):
            # the text filters take turns: each still meets a dozen texts
            for args in (["search", text], ["search", text, "--json", "--facets"],
                         ["search", "nurse", "--json", filters[i % len(filters)], text]):
                check_answer(box.run(args), "--json" in args)
            check_answer(box.run(["show", text, "--json"][: 2 + i % 2]), i % 2 == 1,
                         refused=(2, 3))

        # words with punctuation around them still find what the word finds
        for text in ('nurse"', '"nurse"', "(nurse)", "nurse;", "nurse:", "NURSE"):
            got = {o["id"] for o in box.ok(["search", text, "--json", "--limit", "1000"]).json()}
            expect(got == nurse, "search %r must find what search nurse finds" % text)

        # a newline or escape in an option value stays on one line
        res = box.run(["search", "--limit", "1\nfgcat: forged line"])
        clitest.one_error_line(res, 2, r"^fgcat: search: --limit .*\\nfgcat: forged line")
        res = box.run(["show", "RTF/\x1b[2Jx"])
        clitest.one_error_line(res, 3, r"\\x1b\[2Jx")

        after = box.ok(["export"]).stdout
        expect(after == before and len(json.loads(after)) == count,
               "hostile input must leave the catalogue as it was")


if __name__ == "__main__":
    clitest.main(main, __doc__)
