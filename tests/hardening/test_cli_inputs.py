#!/usr/bin/env python3
"""Hostile values in every command-line argument fgcat takes.

SQL and FTS5 syntax, quotes, markup, control characters, bytes that are not
UTF-8, the longest argument Linux allows (128 KiB - 1) and numbers that do
not fit (1e400, 2^64, -2^63-1, ...) go into the search text and every search
filter, show and delete IDs, every field of request create, request list
filters, request IDs and transition options, remote add's NAME, URL and
token file (and hostile token files), token create's ODS, sync's remote and
options, and serve's options.  (A NUL byte cannot be passed in an argument
at all; import and the hub carry those.)

Each run must answer (exit 0, and a correct answer: JSON of the right shape,
what was stored reads back byte for byte) or refuse with one clear line
"fgcat: ..." and exit 2, 3 or 4 -- never a crash, a sanitizer report, a hang
(clitest's run), a run-time failure (1) for bad input, or a changed
catalogue: after each surface, fgcat export, request list --json, every
table and PRAGMA integrity_check are what they were (a run that legitimately
stored something is checked field by field, then becomes the new baseline).
"""

import os

import hardentest as H
from hardentest import Failure, expect

TEXT_VALUES = H.TEXTS + H.BAD_UTF8 + [H.big(H.MAX_ARG), "18446744073709551616", "1e400"]
# For surfaces that repeat a check (the same parser behind several options).
CORE_VALUES = (H.CORE_TEXTS + H.CUT_TEXTS + H.BAD_UTF8[:2]
               + [H.big(H.MAX_ARG), "18446744073709551616"])


def main(opts):
    with H.clitest.Sandbox(opts, "fgcat-harden-cli") as box:
        box.seed()
        # An offering and a quantity its plugin accepts, found by asking.
        res = None
        for o in box.ok(["export"]).json():
            for qty in ("12", "8", "4", "2", "1"):
                res = box.run(["request", "create", o["id"], "--org", "RXX", "--quantity", qty,
                               "--json"])
                if res.code == 0:
                    break
            if res.code == 0:
                break
        expect(res.code == 0, "no offering accepts a request", res)
        target, good = o["id"], qty
        provider = o["provider"]["ods"]
        rid = res.json()["id"]

        def run(args):
            return box.run(args)

        state = H.State(run, box.db)
        runs = [0]

        def check_surface(name, make, values, codes=(2, 3, 4), check=None, writes=None):
            """Runs make(v) for each value; a write that was accepted is judged
            by writes(v, res) and re-baselines."""
            nonlocal state
            for v in values:
                res = box.run(make(v))
                runs[0] += 1
                try:
                    answered = H.answer_or_refusal(res, codes, check)
                except Failure as e:
                    raise Failure("%s = %s:\n%s" % (name, H.clitest.shell_word(v)[:200], e))
                if answered and writes:
                    writes(v, res)
                    state = H.State(run, box.db)
            H.State(run, box.db).same(state, name)

        # ---- search: the text and every filter --------------------------
        for flag in (None, "--area", "--provider", "--delivery", "--region", "--tag"):
            check_surface("search " + (flag or "TEXT"),
                          lambda v, f=flag: ["search", "--json"] + ([f, v] if f else [v]),
                          TEXT_VALUES if flag is None else CORE_VALUES, codes=(2,),
                          check=H.json_array_of_offerings)
        for flag in ("--max-price", "--limit", "--offset"):
            check_surface("search " + flag, lambda v, f=flag: ["search", "nurse", f, v, "--json"],
                          H.NUMBERS + H.TEXTS[:2], codes=(2,), check=H.json_array_of_offerings)
        check_surface("search --facets TEXT",
                      lambda v: ["search", v, "--facets", "--include-withdrawn", "--json"],
                      TEXT_VALUES[::3], codes=(2,), check=H.json_array_of_offerings)

        # ---- ids --------------------------------------------------------
        for cmd in (["show"], ["delete"], ["request", "show"], ["request", "accept"]):
            extra = ["--org", provider] if cmd[-1] == "accept" else []
            check_surface(" ".join(cmd) + " ID", lambda v, c=cmd, e=extra: c + [v] + e,
                          CORE_VALUES + H.NUMBERS[:3], codes=(2, 3))

        # ---- request create, field by field --------------------------------
        def create(**over):
            args = {"--org": "RXX", "--quantity": good}
            args.update(over)
            out = ["request", "create", args.pop("ID", target), "--json"]
            for k, v in args.items():
                out += [k, v]
            return out

        def stored(field, getter):
            def judge(v, res):
                req = res.json()
                got = getter(req)
                expect(got == v, "request create stored %s = %r, not what was given (%r)"
                       % (field, got, v), res)
                expect(box.ok(["request", "show", req["id"], "--json"]).json() == req,
                       "request show differs from what request create printed", res)
            return judge

        check_surface("request create ID", lambda v: create(ID=v), CORE_VALUES, codes=(2, 3))
        check_surface("request create --org", lambda v: create(**{"--org": v}), CORE_VALUES,
                      writes=stored("requester.ods", lambda r: r["requester"]["ods"]))
        check_surface("request create --quantity", lambda v: create(**{"--quantity": v}),
                      H.NUMBERS + H.TEXTS[:2],
                      writes=lambda v, res: expect(res.json()["quantity"] == int(v),
                                                   "the quantity stored is not the one given",
                                                   res))
        check_surface("request create --start", lambda v: create(**{"--start": v}),
                      CORE_VALUES + H.NUMBERS[:3] + ["99999-01-01", "2027-02-30", "0000-00-00"],
                      writes=stored("start", lambda r: r["start"]))
        check_surface("request create --contact", lambda v: create(**{"--contact": v}),
                      CORE_VALUES + ["a@b.c" + H.big(300), "\"@x.y", "x\xe9@b.c",
                                     b"a\xff@b.c", b"a@b\xc3.c"],
                      writes=stored("requester.contact", lambda r: r["requester"].get("contact")))
        check_surface("request create --note", lambda v: create(**{"--note": v}), TEXT_VALUES,
                      writes=stored("note", lambda r: r["note"]))

        # ---- request list and transitions ---------------------------------
        for flag in ("--org", "--status", "--offering"):
            check_surface("request list " + flag,
                          lambda v, f=flag: ["request", "list", f, v, "--json"], CORE_VALUES,
                          codes=(2, 3),
                          check=lambda res: expect(isinstance(res.json(), list),
                                                   "request list --json prints an array", res))
        for move in ("accept", "cancel"):
            check_surface("request %s --org" % move,
                          lambda v, m=move: ["request", m, rid, "--org", v], CORE_VALUES,
                          codes=(2, 4))

        def fresh_decline(v):
            nonlocal state
            fresh = box.ok(create()).json()["id"]
            state = H.State(run, box.db)
            return ["request", "decline", fresh, "--org", provider, "--reason", v, "--json"]

        def judge_reason(v, res):
            last = res.json()["history"][-1]
            expect(last.get("reason") == v and last["status"] == "declined",
                   "the reason stored is not the one given: %r" % last, res)

        # Each value gets a fresh request (a declined one cannot move again),
        # so every run re-baselines: the check is the field read back.
        check_surface("request decline --reason", fresh_decline, CORE_VALUES,
                      writes=judge_reason)

        # ---- remotes, tokens, sync, serve ----------------------------------
        token_file = os.path.join(box.tmp, "token")
        with open(token_file, "w") as f:
            f.write("a-token-a-hub-issued-0123456789\n")

        def remote_added(field):
            def judge(v, res):
                remotes = box.ok(["remote", "list", "--json"]).json()
                found = [r for r in remotes if r[field] == v]
                expect(len(found) == 1, "remote add accepted %r but remote list shows %s"
                       % (v, remotes), res)
                box.ok(["remote", "remove", found[0]["name"]])
            return judge

        check_surface("remote add NAME",
                      lambda v: ["remote", "add", v, "http://127.0.0.1:9/", "--token-file",
                                 token_file], CORE_VALUES, writes=remote_added("name"))
        check_surface("remote add URL",
                      lambda v: ["remote", "add", "hub", v, "--token-file", token_file],
                      CORE_VALUES + [b"http://x/\xff", "http://x/\x1b[2J", "http://" + "x" * 2000,
                                     "https://a/%00", "file:///etc/passwd"],
                      writes=remote_added("url"))
        hostile_files = {"empty": b"", "nul": b"tok\0en\n", "utf8": b"\xff\xfe\n",
                         "big": b"t" * H.MIB, "lines": b"a\nb\nc\n", "space": b"  \n"}
        for name, content in hostile_files.items():
            with open(os.path.join(box.tmp, "tok-" + name), "wb") as f:
                f.write(content)
        check_surface("remote add --token-file",
                      lambda v: ["remote", "add", "hub", "http://127.0.0.1:9/", "--token-file",
                                 v],
                      [os.path.join(box.tmp, "tok-" + n) for n in hostile_files]
                      + [box.tmp, "/nonexistent/x", "", H.big(5000, "d/")]
                      + H.BAD_UTF8[:2], codes=(1, 2, 3), writes=remote_added("token_file"))

        def token_made(v, res):
            expect(res.stdout.strip() and len(res.stdout.splitlines()) == 1,
                   "token create prints one token", res)
        check_surface("token create ODS", lambda v: ["token", "create", v],
                      CORE_VALUES + H.NUMBERS[:4], writes=token_made)

        check_surface("sync NAME", lambda v: ["sync", v], CORE_VALUES, codes=(2, 3))
        check_surface("remote remove NAME", lambda v: ["remote", "remove", v], CORE_VALUES,
                      codes=(2, 3))
        for flag in ("--every", "--retries", "--timeout"):
            # "--retries 0" after the value: should the value be a good one,
            # the run still stops at option parsing (nothing to sync with).
            check_surface("sync " + flag,
                          lambda v, f=flag: ["sync", "nosuch", f, v] +
                          (["--retries", "0"] if f != "--retries" else ["--timeout", "0"]),
                          H.NUMBERS[:8] + ["99999999999999999999d", "1e400s", "-5m"],
                          codes=(2,))

        def bad_port(v):
            try:
                return not 0 <= int(v) <= 65535
            except ValueError:
                return True
        check_surface("serve --listen",
                      lambda v: ["serve", "--listen", "127.0.0.1:" + v],
                      [v for v in H.NUMBERS if bad_port(v)] + ["999.1.1.1:1", ":", ""],
                      codes=(2,))
        for flag in ("--threads", "--tombstone-days"):
            check_surface("serve " + flag,
                          lambda v, f=flag: ["serve", f, v, "--listen", "999.0.0.1:1"],
                          H.NUMBERS[:8], codes=(2,))

        # Catalogue and plugin paths that are not what they should be: a
        # run-time failure (1) is the right answer to a file that is not a
        # catalogue; the sandbox's catalogue is not touched.
        not_db = os.path.join(box.tmp, "not-a-catalogue")
        with open(not_db, "w") as f:
            f.write('[{"id": "x"}]\n' * 100)
        check_surface("--db", lambda v: ["--db", v, "search", "nurse"],
                      ["/dev/null", box.tmp, not_db, "/proc/self/mem", H.big(5000, "/x"), ""],
                      codes=(1, 2))
        check_surface("--plugin-path", lambda v: ["--plugin-path", v, "areas", "--json"],
                      [":::", "/dev/null", not_db, H.big(5000, "/x"), H.BAD_UTF8[0],
                       box.tmp + ":" + box.tmp], codes=(2,),
                      check=lambda res: expect(isinstance(res.json(), list),
                                               "areas --json prints an array", res))

        H.integrity(box.db)
        print("%d runs" % runs[0])


if __name__ == "__main__":
    H.main(main, __doc__)
