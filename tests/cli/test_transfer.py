#!/usr/bin/env python3
"""fgcat import and export across several commands: round trips, and the
all-or-nothing promise (a bad file leaves the catalogue exactly as it was)."""

import json
import os
import re

import clitest
from clitest import Failure, Sandbox, expect, one_error_line


def write(box, name, value):
    path = os.path.join(box.tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        if isinstance(value, str):
            f.write(value)
        else:
            json.dump(value, f, indent=2, ensure_ascii=False)
    return path


def test_record(slug, **changes):
    """An offering of the test-area plugin's area, as a file would hold it."""
    rec = {
        "id": "TST/" + slug,
        "area": "test-area",
        "provider": {"ods": "TST", "name": "Test Provider NHS Trust"},
        "title": "Imported course %s" % slug,
        "summary": "A course that arrived by import.",
        "description": "",
        "delivery": "remote",
        "duration_days": None,
        "capacity": None,
        "price": {"amount_pence": 12345, "currency": "GBP", "unit": "per-delegate"},
        "regions": ["England"],
        "tags": ["test"],
        "contact": "test@example.nhs.uk",
        "attributes": {"level": 2},
        "status": "active",
    }
    rec.update(changes)
    return rec


def exact_round_trip(opts):
    """Every record comes from the file (the test-area plugin is told to
    register nothing), so export -> import into a fresh catalogue -> export
    must give the same bytes: rev, updated_at and withdrawn_at included."""
    records = [
        test_record("alpha-import", rev=7, updated_at="2026-01-02T03:04:05Z"),
        test_record("beta-import", rev=2, updated_at="2025-12-31T23:59:59Z",
                    status="withdrawn", withdrawn_at="2026-01-01T00:00:00Z"),
        test_record("gamma-import", rev=1, updated_at="2026-02-03T04:05:06Z",
                    title="Ünïcödé title — with “quotes” and 護士",
                    description="Two\nlines, a tab\there and a backslash \\.",
                    duration_days=3, capacity=5,
                    price={"amount_pence": 0, "currency": "EUR", "unit": "fixed"},
                    regions=["England", "International", "Wales"],
                    tags=["test", "unicode", "zero-price"],
                    attributes={"level": 5}),
        test_record("delta-import"),  # no rev: a local edit, gets rev 1
    ]
    with Sandbox(opts) as a, Sandbox(opts) as b:
        for box in (a, b):
            box.env["FGCAT_PLUGIN_PATH"] = box.test_plugin("test-area").rsplit("/", 1)[0]
            box.env["FGCAT_TEST_OFFERINGS"] = ""
        src = write(a, "records.json", records)
        res = a.ok(["import", src, "--json"])
        expect(res.json() == {"added": 4, "changed": 0, "unchanged": 0},
               "import of 4 new records must add 4", res)
        first = a.ok(["export"]).stdout
        exported = json.loads(first)
        expect([o["id"] for o in exported] == sorted(r["id"] for r in records),
               "export must hold every record, ordered by id")
        by_id = {o["id"]: o for o in exported}
        expect(by_id["TST/alpha-import"]["rev"] == 7 and
               by_id["TST/alpha-import"]["updated_at"] == "2026-01-02T03:04:05Z",
               "an imported rev and updated_at must be kept")
        expect(by_id["TST/beta-import"].get("withdrawn_at") == "2026-01-01T00:00:00Z",
               "an imported withdrawn_at must be kept")
        expect(by_id["TST/delta-import"]["rev"] == 1,
               "a record without rev must get rev 1")
        for r in records[:3]:
            got = dict(by_id[r["id"]])
            expect(got == r, "export must give back the imported record %s:\n%s\n%s"
                   % (r["id"], json.dumps(r, ensure_ascii=False),
                      json.dumps(got, ensure_ascii=False)))

        dump = write(b, "export.json", first)
        res = b.ok(["import", dump, "--json"])
        expect(res.json() == {"added": 4, "changed": 0, "unchanged": 0},
               "importing the export into a fresh catalogue must add everything", res)
        second = b.ok(["export"]).stdout
        expect(second == first, "export -> import -> export must be identical:\n%s\n%s"
               % (clitest.clip(first), clitest.clip(second)))

        # and the same file again changes nothing
        res = b.ok(["import", dump, "--json"])
        expect(res.json() == {"added": 0, "changed": 0, "unchanged": 4},
               "re-importing an export must change nothing", res)
        expect(b.ok(["export"]).stdout == first, "a no-op import must not change the export")


def builtin_round_trip(opts):
    """The same with the built-in plugins' real content.  Both catalogues
    register the built-in offerings themselves on first use, at their own
    time, so updated_at may differ for those (an equal rev with equal
    content is a no-op); everything else must be identical."""
    with Sandbox(opts) as a, Sandbox(opts) as b:
        a.seed()
        extra = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                             "withdrawn.json")
        a.ok(["import", extra])
        first = a.ok(["export"]).stdout
        dump = write(b, "export.json", first)
        res = b.run(["import", dump, "--json"])
        expect(res.code == 0, "import into a fresh catalogue must work", res)
        expect(len(res.stderr_lines) == 1 and "new catalogue" in res.stderr,
               "the fresh catalogue must say it was created", res)
        total = len(json.loads(first))
        expect(res.json() == {"added": 1, "changed": 0, "unchanged": total - 1},
               "only the withdrawn record is new to a fresh catalogue", res)
        second = b.ok(["export"]).stdout
        one, two = json.loads(first), json.loads(second)
        expect([o["id"] for o in one] == [o["id"] for o in two],
               "the round trip must keep the same ids in the same order")
        for x, y in zip(one, two):
            if x != y:
                x2, y2 = dict(x), dict(y)
                x2.pop("updated_at")
                y2.pop("updated_at")
                expect(x2 == y2 and x["id"] != "RTF/wound-care-pilot",
                       "record %s differs after the round trip:\n%s\n%s"
                       % (x["id"], json.dumps(x, ensure_ascii=False),
                          json.dumps(y, ensure_ascii=False)))


def bad_file_changes_nothing(opts):
    """One bad record anywhere, a rev conflict found while writing, or a
    broken file: exit 2 (4 for the conflict), one line naming the problem,
    and an export afterwards identical to the one before."""
    with Sandbox(opts) as box:
        box.seed()
        box.ok(["import", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "data", "withdrawn.json")])
        before = box.ok(["export"]).stdout
        stored = json.loads(before)
        existing = next(o for o in stored if o["id"] == "RTF/wound-care-pilot")

        good_new = dict(existing, id="RTF/new-good-course", title="A good new course")
        good_new.pop("rev")
        good_new.pop("updated_at")
        good_new.pop("withdrawn_at", None)
        changed = dict(existing, title="A changed title", rev=existing["rev"] + 1)
        changed.pop("updated_at")

        bad_variants = [
            ("bad-delivery", [good_new, dict(good_new, id="RTF/bad-one", delivery="by-post"),
                              changed], 2, r"record 2 \(RTF/bad-one\).*delivery"),
            ("bad-id", [good_new, changed, dict(good_new, id="not an id")], 2,
             r"record 3 \(not an id\).*\bid\b"),
            ("bad-price", [dict(good_new, price={"amount_pence": -1, "currency": "GBP",
                                                 "unit": "fixed"}), changed], 2,
             r"record 1 \(RTF/new-good-course\).*price"),
            ("bad-attribute", [good_new, dict(changed, attributes={"no_such_attr": 1})], 2,
             r"record 2 \(RTF/wound-care-pilot\).*no_such_attr"),
            ("unknown-field", [good_new, dict(changed, colour="blue")], 2,
             r"record 2 \(RTF/wound-care-pilot\).*colour"),
            ("not-an-object", [good_new, 42], 2, r"record 2\b"),
            ("stale-rev", [good_new, dict(changed, rev=existing["rev"],
                                          title="Same rev, other content")], 4,
             r"record 2: .*RTF/wound-care-pilot.*rev"),
        ]
        for name, records, code, pattern in bad_variants:
            path = write(box, name + ".json", records)
            res = box.run(["import", path])
            one_error_line(res, code, "^fgcat: import: %s: %s" % (re.escape(path), pattern))
            expect(res.stdout == "", "a refused import prints nothing on stdout", res)
            after = box.ok(["export"]).stdout
            expect(after == before, "import %s changed the catalogue" % name)
            res = box.run(["show", "RTF/new-good-course"])
            expect(res.code == 3, "the good record before the bad one must not be stored",
                   res)

        for name, text, pattern in [
                ("truncated", before[: len(before) // 2], r"line \d+, column \d+"),
                ("trailing-garbage", before + "]", r"line \d+, column \d+"),
                ("duplicate-key", '[{"id": "RTF/a", "id": "RTF/b"}]', r"line 1, column \d+"),
                ("empty", "", r"line \d+, column \d+")]:
            path = write(box, name + ".json", text)
            one_error_line(box.run(["import", path]), 2,
                           "^fgcat: import: %s: %s" % (re.escape(path), pattern))
            expect(box.ok(["export"]).stdout == before,
                   "import of a %s file changed the catalogue" % name)

        # the good records alone go in, proving the file itself was fine
        path = write(box, "good.json", [good_new, changed])
        res = box.ok(["import", path, "--json"])
        expect(res.json() == {"added": 1, "changed": 1, "unchanged": 0},
               "the good records on their own must import", res)
        shown = box.ok(["show", "RTF/wound-care-pilot", "--json"]).json()
        expect(shown["title"] == "A changed title" and shown["rev"] == existing["rev"] + 1,
               "the changed record must be stored with its rev", None)


def foreign_file_untouched(opts):
    """--db naming a file that is not a catalogue: exit 1, one line, and the
    file byte for byte as it was, with no journal left beside it."""
    with Sandbox(opts) as box:
        text = b"Minutes of the partnership board\n" * 200
        path = os.path.join(box.tmp, "minutes.txt")
        with open(path, "wb") as f:
            f.write(text)
        for args in (["search", "nurse"], ["import", "-"], ["refresh"], ["areas"]):
            res = box.run(["--db", path] + args, stdin="[]")
            one_error_line(res, 1, r"^fgcat: catalogue '%s' cannot be used" % re.escape(path))
        with open(path, "rb") as f:
            expect(f.read() == text, "fgcat must not write to a file that is not a catalogue")
        expect(sorted(os.listdir(box.tmp)) == ["home", "minutes.txt"],
               "nothing may be left beside it: %s" % os.listdir(box.tmp))


def main(opts):
    foreign_file_untouched(opts)
    exact_round_trip(opts)
    builtin_round_trip(opts)
    bad_file_changes_nothing(opts)


if __name__ == "__main__":
    clitest.main(main, __doc__)
