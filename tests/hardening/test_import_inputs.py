#!/usr/bin/env python3
"""Hostile import files: every field of an offering, and the file itself.

One probe offering (a copy of a built-in one under a new id) gets, field by
field, SQL and FTS5 syntax, markup, control characters, NUL (escaped and
raw), bytes that are not UTF-8, 1 MiB strings, 10,000 levels of nesting,
the wrong JSON type, and numbers that do not fit (1e400, 2^64, -2^63-1,
400 digits).  The file as a whole gets: empty, not JSON, a BOM, UTF-16, a
raw NUL, truncation, duplicate keys, 10,000 levels of nesting, 10 MiB in
one string, and 10 MiB of valid offerings with one bad record at the end
(all or nothing).

Each import must refuse with one line "fgcat: ..." (exit 2, or 4 for an
area rule) and leave the catalogue exactly as it was (export, request
list, every table, integrity_check), or accept -- and then the stored
offering reads back exactly as given (show --json), a word of its title
finds it through search, and deleting it restores the catalogue.
"""

import copy
import json
import os

import hardentest as H
from hardentest import Failure, expect

PROBE = "harden-probe"


def main(opts):
    with H.clitest.Sandbox(opts, "fgcat-harden-import") as box:
        box.seed()
        template = next(o for o in box.ok(["export"]).json()
                        if o["area"] == "integrated-care-training")
        ods = template["provider"]["ods"]
        template["id"] = "%s/%s" % (ods, PROBE)
        template["title"] = "Hardening probe zebrafinch course"
        for k in ("rev", "updated_at", "withdrawn_at"):
            template.pop(k, None)
        path = os.path.join(box.tmp, "in.json")

        def run(args):
            return box.run(args)

        # The template itself must import (else every refusal below proves
        # nothing), and go again.
        write(path, json.dumps([template]).encode())
        box.ok(["import", path])
        box.ok(["delete", template["id"]])
        state = H.State(run, box.db)
        counts = {"refused": 0, "accepted": 0}

        def attempt(what, data, accepted=None, codes=(2, 4), stdin=False):
            """Imports `data` (bytes); judges the answer."""
            nonlocal state
            if stdin:
                res = box.run(["import", "-"], stdin=data)
            else:
                write(path, data)
                res = box.run(["import", path])
            try:
                if res.code == 0:
                    expect(accepted is not None, "this import must be refused", res)
                    accepted(res)
                    counts["accepted"] += 1
                    # Deleting the probe restores what fgcat shows; the
                    # tables keep its tombstone, so they are the new baseline.
                    box.ok(["delete", template["id"]])
                    after = H.State(run, box.db)
                    expect(after.export == state.export and after.requests == state.requests,
                           "importing %s changed more than the probe" % what)
                    state = after
                else:
                    H.refusal(res, codes)
                    counts["refused"] += 1
                    # Every table as it was (fgcat export and request list
                    # are compared too, once per field, by checkpoint()).
                    H.integrity(box.db)
                    expect(H.tables(box.db) == state.tables,
                           "a refused import changed the catalogue's tables")
            except Failure as e:
                raise Failure("%s:\n%s" % (what, e)) from None

        def reads_back(record, field_path, exact=True):
            """An accepted probe must read back with `field_path` as given
            (`exact`; else, e.g. for a null that means "the default", only be
            there and be found)."""
            def judge(res):
                shown = box.ok(["show", template["id"], "--json"]).json()
                want, got = record, shown
                for k in field_path:
                    want = want[k]
                    got = got[k] if isinstance(got, (dict, list)) and \
                        (k in got if isinstance(got, dict) else k < len(got)) else None
                expect(got == want or not exact, "%s stored as %r, not %r"
                       % (".".join(map(str, field_path)), got, want), res)
                found = box.ok(["search", "zebrafinch", "--json"]).json()
                expect(any(o["id"] == template["id"] for o in found),
                       "the probe is not found by a word of its title", res)
            return judge

        def checkpoint(what):
            H.State(run, box.db).same(state, what)

        # ---- field by field ----------------------------------------------
        # Free text gets every hostile text; names, codes and enumerations
        # (one parser each) a handful.
        free = [("provider", "name"), ("title",), ("summary",), ("description",),
                ("contact",), ("regions", 0), ("attributes", "partners")]
        coded = [("id",), ("area",), ("provider", "ods"), ("delivery",), ("price", "currency"),
                 ("price", "unit"), ("status",), ("tags", 0), ("updated_at",),
                 ("withdrawn_at",)]
        for fp in free + coded:
            texts = H.TEXTS if fp in free else [H.TEXTS[0], H.TEXTS[11], "", "x\ny"]
            for v in texts + ["nurse\u0000care", H.big(H.MIB)]:
                rec = copy.deepcopy(template)
                if fp[-1] in ("updated_at", "withdrawn_at"):
                    rec["rev"] = 1
                put(rec, fp, v)
                if fp == ("title",) and v:
                    put(rec, fp, "zebrafinch " + v)
                attempt("%s = %s" % (".".join(map(str, fp)), H.dumps(v)[:80]),
                        json.dumps([rec]).encode(), accepted=reads_back(rec, fp))
            # Raw bytes that are not UTF-8, and raw NUL and control bytes,
            # spliced into the field's JSON string.
            for raw in ([b"\xff", b"\xed\xa0\x80", b"a\x00b", b"a\nb"] if fp in free[:3] else []):
                rec = copy.deepcopy(template)
                put(rec, fp, "@@RAW@@")
                data = json.dumps([rec]).encode().replace(b"@@RAW@@", raw)
                attempt("%s = raw %r" % (".".join(map(str, fp)), raw), data)
            # The wrong JSON type, and 10,000 levels of nesting.
            for v in (5, None, [["x"]]) if fp not in free[:3] else (5, 1.5, True, None, [], {}):
                rec = copy.deepcopy(template)
                put(rec, fp, v)
                attempt("%s = %s" % (".".join(map(str, fp)), H.dumps(v)),
                        json.dumps([rec]).encode(), accepted=reads_back(rec, fp, v is not None))
            if fp in free[:3] + [("attributes", "partners")]:
                rec = copy.deepcopy(template)
                put(rec, fp, "@@DEEP@@")
                attempt("%s = 10,000 levels" % ".".join(map(str, fp)),
                        json.dumps([rec]).encode().replace(b'"@@DEEP@@"',
                                                           H.deep_json(10000).encode()))
            checkpoint("importing hostile %s" % ".".join(map(str, fp)))

        # Numbers that do not fit, in every number field.
        number_fields = [("duration_days",), ("capacity",), ("price", "amount_pence"),
                         ("rev",), ("attributes", "cohort_min"), ("attributes", "cpd_hours")]
        for fp in number_fields:
            for n in H.JSON_NUMBERS + ["1e2", "-0"]:
                rec = copy.deepcopy(template)
                put(rec, fp, "@@NUM@@")
                data = json.dumps([rec]).encode().replace(b'"@@NUM@@"', n.encode())
                want = copy.deepcopy(rec)
                try:
                    put(want, fp, json.loads(n))
                except ValueError:
                    put(want, fp, None)
                attempt("%s = %s" % (".".join(map(str, fp)), n[:40]), data,
                        accepted=reads_back(want, fp))
            checkpoint("importing %s out of range" % ".".join(map(str, fp)))

        # Unknown and duplicate keys, at each level.
        for data in (b'[{"id": "X/y", "id": "X/z"}]',
                     json.dumps([dict(template, evil="'; DROP TABLE offering; --")]).encode(),
                     json.dumps([dict(template, provider=dict(template["provider"],
                                                              x=1))]).encode(),
                     json.dumps([template]).encode()[:-2] + b', "title": "again"}]'):
            attempt("keys %s" % data[:60], data)

        # ---- the file itself ----------------------------------------------
        good = json.dumps([template]).encode()
        files = {
            "empty": b"",
            "not JSON": b"offerings, please",
            "null": b"null",
            "an object": json.dumps(template).encode(),
            "an array of numbers": b"[1, 2, 3]",
            "BOM": b"\xef\xbb\xbf" + good,
            "UTF-16": good.decode().encode("utf-16"),
            "raw NUL": good[:20] + b"\x00" + good[20:],
            "truncated": good[:len(good) // 2],
            "trailing garbage": good + b" ]]",
            "10,000 levels": H.deep_json(10000).encode(),
            "10,000 levels of objects": H.deep_json(10000, '"x"').encode(),
            "10 MiB string": b'["' + b"x" * (10 * H.MIB) + b'"]',
            "1e400": b"[1e400]",
            "2^64": b"[18446744073709551616]",
        }
        for what, data in files.items():
            attempt("a file with " + what, data, stdin=what == "BOM")
        checkpoint("importing hostile files")

        # 10 MiB of valid offerings, one bad record last: all or nothing.
        recs = []
        size = 0
        while size < 10 * H.MIB:
            rec = copy.deepcopy(template)
            n = len(recs)
            rec["id"] = "%s/%s-%d" % (ods, PROBE, n)
            rec["title"] = "Bulk probe %d" % n
            rec["description"] = H.big(15000, "bulk text %d " % n)
            recs.append(rec)
            size += 15500
        bad = copy.deepcopy(recs[-1])
        bad["id"] = "%s/%s-bad" % (ods, PROBE)
        bad["price"]["unit"] = "per-hour"
        data = json.dumps(recs + [bad]).encode()
        expect(len(data) >= 10 * H.MIB, "the bulk file is 10 MiB")
        write(path, data)
        res = box.run(["import", path])
        H.refusal(res, (2,))
        expect("record %d" % (len(recs) + 1) in res.stderr and "price.unit" in res.stderr,
               "the refusal names the last record and its field", res)
        H.State(run, box.db).same(state, "a 10 MiB import with one bad record")
        # Without the bad record it is a correct answer: every one arrives.
        data = json.dumps(recs).encode()
        write(path, data)
        res = box.ok(["import", path, "--json"])
        expect(res.json() == {"added": len(recs), "changed": 0, "unchanged": 0},
               "the 10 MiB import adds its %d records" % len(recs), res)
        exported = {o["id"]: o for o in box.ok(["export"]).json()}
        for rec in recs:
            got = exported.get(rec["id"])
            expect(got is not None and got["description"] == rec["description"],
                   "%s did not arrive intact" % rec["id"])
        H.integrity(box.db)
        print("%d refused, %d accepted, %d bulk records" % (counts["refused"],
                                                            counts["accepted"], len(recs)))


def put(rec, path, value):
    """Sets rec[path[0]][path[1]]... = value (lists grow as needed)."""
    cur = rec
    for k in path[:-1]:
        cur = cur[k]
    k = path[-1]
    if isinstance(cur, list):
        while len(cur) <= k:
            cur.append(None)
    cur[k] = value


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    H.main(main, __doc__)
