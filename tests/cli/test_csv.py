"""CSV for spreadsheets: `fgcat export --format csv` and `fgcat request list
--format csv` write RFC 4180 CSV with the header rows of docs/csv.md, read
here by Python's csv module; prices are plain numbers of pounds, lists are
joined with ';', formula-leading text is neutralised, --excel adds the
byte-order mark; `fgcat import` reads the CSV back (detected by content or
--format csv) into a fresh catalogue with every field intact, all or
nothing, with errors naming line and column."""

import csv
import io
import json
import os

import clitest
import interop_data
from clitest import expect, one_error_line

OFFERING_HEADER = ["id", "area", "provider_ods", "provider_name", "title", "summary",
                   "description", "delivery", "duration_days", "capacity", "price",
                   "currency", "price_unit", "regions", "tags", "contact", "attributes",
                   "status", "rev", "updated_at", "withdrawn_at"]
REQUEST_HEADER = ["id", "offering_id", "provider_ods", "requester_ods", "requester_contact",
                  "quantity", "start", "note", "status", "quote", "currency", "created_at",
                  "updated_at"]


def read_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def write(sb, name, data, mode="w"):
    path = os.path.join(sb.tmp, name)
    with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    return name


def by_id(offerings):
    return {o["id"]: o for o in offerings}


def scenario(opts):
    tricky = interop_data.tricky()
    with clitest.Sandbox(opts) as a, clitest.Sandbox(opts) as b:
        a.seed()
        a.ok(["import", write(a, "tricky.json", json.dumps(tricky))])
        source = by_id(a.ok(["export"]).json())

        # The export, as Python's csv module reads it.
        res = a.ok(["export", "--format", "csv"])
        expect(not res.stdout.startswith("\ufeff"), "no byte-order mark without --excel")
        raw = res.stdout
        expect("\r\n" in raw and raw.count("\r\n") >= len(source) + 1,
               "RFC 4180 rows end with CRLF", res)
        rows = read_csv(raw)
        expect(rows[0] == OFFERING_HEADER, "the documented header row: %r" % rows[0])
        expect(len(rows) == len(source) + 1, "one row per offering (%d offerings, %d rows)"
               % (len(source), len(rows) - 1))
        cols = {name: i for i, name in enumerate(OFFERING_HEADER)}
        for row in rows[1:]:
            expect(len(row) == len(OFFERING_HEADER), "every row is complete: %r" % row)
            o = source[row[cols["id"]]]
            # Money: pounds as a number a spreadsheet adds up.
            expect(abs(float(row[cols["price"]]) * 100 - o["price"]["amount_pence"]) < 1e-6,
                   "price %r is %d pence in pounds" % (row[cols["price"]],
                                                       o["price"]["amount_pence"]))
            # Nothing a spreadsheet would run as a formula.
            for cell in row:
                expect(not cell or cell[0] not in "=+-@\t\r",
                       "a formula-leading cell is neutralised: %r" % cell)
        formula = next(r for r in rows if r[0] == "RXY/formula")
        expect(formula[cols["title"]] == "'" + tricky[0]["title"],
               "a formula title keeps its text behind an apostrophe: %r" % formula[cols["title"]])
        expect(formula[cols["regions"]] == "'@North East;North\\; South;back\\\\slash",
               "lists are joined with ';', escaping ';' and '\\': %r" % formula[cols["regions"]])
        expect(formula[cols["description"]] == "'" + tricky[0]["description"],
               "line breaks stay inside a quoted cell")
        expect(json.loads(formula[cols["attributes"]]) == tricky[0]["attributes"],
               "attributes are JSON in their cell")

        # --excel: the byte-order mark first, the same CSV after it.
        excel = a.ok(["export", "--format", "csv", "--excel"])
        expect(excel.stdout.startswith("\ufeff") and excel.stdout[1:] == raw,
               "--excel is the same CSV after a byte-order mark")

        # Round trip into a fresh catalogue (the built-in offerings are there
        # already; the tricky ones are new), detected by content, BOM and all.
        b.seed()
        path = write(b, "offerings.csv", excel.stdout.encode("utf-8"), "wb")
        res = b.ok(["import", path, "--json"])
        expect(res.json()["added"] == len(tricky), "the tricky offerings are added", res)
        back = by_id(b.ok(["export"]).json())
        expect(set(back) == set(source), "the same offerings after the round trip")
        for t in tricky:
            expect(back[t["id"]] == source[t["id"]],
                   "%s survives CSV whole:\n%s\n%s" % (t["id"], back[t["id"]], source[t["id"]]))
        for oid, o in source.items():
            strip = lambda x: {k: v for k, v in x.items() if k != "updated_at"}  # noqa: E731
            expect(strip(back[oid]) == strip(o), "%s survives CSV" % oid)
        # Importing the same file again changes nothing, with --format csv too.
        res = b.ok(["import", "--format", "csv", path, "--json"])
        expect(res.json() == {"added": 0, "changed": 0, "unchanged": len(source)},
               "a second import is a no-op", res)

        # A sheet edited in a spreadsheet and saved (csv module, columns
        # reordered, rev and dates dropped): a local edit with a new rev.
        rows = read_csv(raw)
        keep = [c for c in OFFERING_HEADER if c not in ("rev", "updated_at", "withdrawn_at",
                                                        "status", "currency")]
        keep.insert(0, keep.pop(keep.index("title")))
        out = io.StringIO(newline="")
        w = csv.writer(out)
        w.writerow(keep)
        for row in rows[1:]:
            if row[cols["id"]] == "RXY/minimal":
                row[cols["title"]] = "Minimal, renamed"
            if row[cols["status"]] == "active":
                w.writerow([row[cols[k]] for k in keep])
        res = b.ok(["import", write(b, "edited.csv", out.getvalue()), "--json"])
        expect(res.json()["changed"] == 1, "one offering changed", res)
        renamed = b.ok(["show", "RXY/minimal", "--json"]).json()
        expect(renamed["title"] == "Minimal, renamed" and renamed["rev"] == 4,
               "the edit is stored with the next rev: %r" % renamed)

        # Errors name line and column; nothing is written (all or nothing).
        before = b.ok(["export"]).stdout
        good = ",".join(csv_quote(c) for c in rows[1])
        bad_price = rows[2][:]
        bad_price[cols["price"]] = "12,50"
        n = 3 + good.count("\n")  # the line the second record starts on
        cases = [
            ([good, ",".join(csv_quote(c) for c in bad_price)],
             r"bad\.csv: line %d, column 11: price" % n + r" must be an amount of pounds"),
            ([good, good.replace(",blended,", ",by-post,", 1)],
             r"bad\.csv: line %d, column 8 \(delivery\)" % n
             + r": field delivery must be one of"),
            ([good, 'RXY/q,ab"c' + "," * 19],
             r"bad\.csv: line %d, column 2: a" % n + r" '\"' inside a field"),
            ([good, "a,b"],
             r"bad\.csv: line %d, column 1: 2 fields" % n + r" where the header row has 21"),
        ]
        for lines, pattern in cases:
            text = "\r\n".join([",".join(OFFERING_HEADER)] + lines) + "\r\n"
            res = b.run(["import", write(b, "bad.csv", text), "--format", "csv"])
            one_error_line(res, 2, pattern)
        res = b.run(["import", write(b, "bad.csv", "id,title,colour\r\nx,y,z\r\n")])
        one_error_line(res, 2, r'bad\.csv: line 1, column 3: unknown column "colour"')
        res = b.run(["import", write(b, "bad.csv", b"id,title\r\nRXY/x,caf\xe9\r\n", "wb")])
        one_error_line(res, 2, r"bad\.csv: line 2, character 10: not UTF-8")
        expect(b.ok(["export"]).stdout == before, "a refused import changes nothing")

        # Requests, with their quote in pounds, status and dates.
        a.ok(["request", "create", "RTF/integrated-care-community-nursing", "--org", "RXX",
              "--quantity", "12", "--start", interop_data.START, "--contact", "lead@example.nhs.uk",
              "--note", "=cmd|' /C calc'!A0, two teams"])
        res = a.ok(["request", "list", "--format", "csv"])
        rows = read_csv(res.stdout)
        expect(rows[0] == REQUEST_HEADER, "the documented request header: %r" % rows[0])
        expect(len(rows) == 2, "one request", res)
        req = dict(zip(REQUEST_HEADER, rows[1]))
        listed = a.ok(["request", "list", "--json"]).json()[0]
        expect(req["id"] == listed["id"] and req["status"] == "submitted" and
               req["quantity"] == "12" and req["start"] == interop_data.START and
               req["provider_ods"] == "RTF" and req["requester_ods"] == "RXX" and
               req["created_at"] == listed["created_at"], "the request's fields: %r" % req)
        expect(float(req["quote"]) * 100 == listed["quote"]["amount_pence"],
               "the quote in pounds: %r" % req["quote"])
        expect(req["note"] == "'" + listed["note"], "the note is neutralised: %r" % req["note"])
        res = a.ok(["request", "list", "--format", "csv", "--excel", "--org", "RXX"])
        expect(res.stdout.startswith("\ufeff" + ",".join(REQUEST_HEADER)), "--excel BOM", res)
        one_error_line(a.run(["request", "list", "--excel"]), 2, r"--excel goes with")
        one_error_line(a.run(["export", "--format", "xml"]), 2, r"json, csv or fhir")


def csv_quote(cell):
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
