"""README.md's CSV and FHIR command lines, run verbatim by a shell on
default nodes: `fgcat` found on PATH, no --db and no FGCAT_DB (each node
on its default catalogue under XDG_DATA_HOME), the built-in plugins of the
default plugin path, files named as the README names them in the node's
working directory.  Every line run here is taken from README.md whole,
comment included (the test fails when the README stops showing it); the
only change is the start date of the README's request, moved ahead when
it is too close for the programme's notice.

What each line must do:
- `export --format csv --excel > offerings.csv`: the byte-order mark, the
  header row of docs/csv.md, one row per offering of `fgcat export`;
- `import offerings.csv` and `import catalogue.json`, on a second node
  that deleted one offering: all or nothing, that offering added back
  with its rev and title, every other one unchanged;
- `export --format fhir > catalogue.json`: a FHIR R4 Bundle (collection)
  with one HealthcareService per offering;
- `request list --org RXX --format csv > requests.csv`: the request the
  README's `request create` made, as a row under the documented header."""

import csv
import datetime
import io
import json
import os
import re
import shlex
import shutil
import subprocess

import clitest
from clitest import expect
from test_csv import REQUEST_HEADER

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "README.md")
OFFERING = "RTF/integrated-care-community-nursing"
EXPORT_CSV = "fgcat export --format csv --excel > offerings.csv   # for spreadsheets"
IMPORT_CSV = "fgcat import offerings.csv                # the CSV back, all or nothing"
EXPORT_FHIR = "fgcat export --format fhir > catalogue.json         # a FHIR R4 Bundle"
IMPORT_FHIR = "fgcat import catalogue.json               # the Bundle back"
REQUESTS_CSV = "fgcat request list --org RXX --format csv > requests.csv"
REQUEST_CREATE = ("fgcat request create RTF/integrated-care-community-nursing \\\n"
                  "        --org RXX --quantity 12 --start 2027-03-01 \\\n"
                  "        --contact lead@example.nhs.uk --note \"Two community teams\"")


def readme_line(text):
    """The README's command line `text`; fails when the README lacks it."""
    with open(README, encoding="utf-8") as f:
        expect(text in f.read(), "README.md no longer shows:\n%s" % text)
    return text


class Node:
    """A default node: its own directory, `fgcat` on PATH, no FGCAT_DB."""

    def __init__(self, sb):
        self.sb = sb
        bindir = os.path.join(sb.tmp, "bin")
        os.mkdir(bindir)
        # Runs the built binary, inside FGCAT_TEST_WRAPPER (valgrind) when
        # one is set, as every other CLI test does.
        with open(os.path.join(bindir, "fgcat"), "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nexec %s \"$@\"\n"
                    % " ".join(shlex.quote(w) for w in clitest.WRAPPER + [sb.fgcat]))
        os.chmod(os.path.join(bindir, "fgcat"), 0o755)
        self.env = {k: v for k, v in sb.env.items() if k != "FGCAT_DB"}
        self.env["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")

    def shell(self, line):
        """Runs the README line `line` with /bin/sh in the node's directory;
        it must exit 0 and leave nothing on stderr but fgcat's own lines."""
        timeout = clitest.RUN_TIMEOUT * (clitest.WRAPPER_SLOWDOWN if clitest.WRAPPER else 1)
        proc = subprocess.run(["/bin/sh", "-c", line], cwd=self.sb.tmp, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
        stderr = clitest.WRAPPER_LINE.sub("", proc.stderr.decode("utf-8", errors="replace"))
        res = clitest.Result(["(sh -c) " + line], proc.returncode,
                             proc.stdout.decode("utf-8", errors="replace"), stderr)
        clitest.check_sane(res)
        expect(res.code == 0, "README line failed", res)
        expect(all(l.startswith("fgcat: ") for l in res.stderr_lines),
               "stderr holds only fgcat's own lines", res)
        return res

    def fgcat(self, args):
        """Runs fgcat `args` on the node's default catalogue; must exit 0."""
        return self.sb.ok(args, unset=["FGCAT_DB"])

    def read(self, name, encoding="utf-8"):
        with open(os.path.join(self.sb.tmp, name), encoding=encoding, newline="") as f:
            return f.read()


def import_back(node, line, name, gone, source):
    """On `node`, which lacks offering `gone`, runs the README's import of
    the file `name`: `gone` comes back as it was, the rest is unchanged."""
    res = node.shell(readme_line(line))
    m = re.search(r"^import: (\d+) added, (\d+) changed, (\d+) unchanged$", res.stdout,
                  re.MULTILINE)
    expect(m is not None, "import prints its counts", res)
    added, changed, unchanged = (int(g) for g in m.groups())
    expect((added, changed, unchanged) == (1, 0, len(source) - 1),
           "%s: %s back, the other %d unchanged" % (name, gone, len(source) - 1), res)
    back = node.fgcat(["show", gone, "--json"]).json()
    expect(back["rev"] == source[gone]["rev"] and back["title"] == source[gone]["title"],
           "%s comes back from %s with its rev and title: %r" % (gone, name, back))
    now = {o["id"] for o in node.fgcat(["export"]).json()}
    expect(now == set(source), "%s: the catalogue holds the same offerings again" % name)


def scenario(opts):
    with clitest.Sandbox(opts, "fgcat-readme-a") as a_sb, \
            clitest.Sandbox(opts, "fgcat-readme-b") as b_sb, \
            clitest.Sandbox(opts, "fgcat-readme-c") as c_sb:
        a, b, c = Node(a_sb), Node(b_sb), Node(c_sb)
        source = {o["id"]: o for o in a.fgcat(["export"]).json()}
        expect(len(source) > 10 and OFFERING in source,
               "a default node holds the built-in offerings (%d)" % len(source))
        expect(os.path.exists(os.path.join(a_sb.tmp, "xdg", "fgcat", "catalogue.db")),
               "the node uses its default catalogue")

        # CSV for spreadsheets, and back.
        a.shell(readme_line(EXPORT_CSV))
        text = a.read("offerings.csv", encoding="utf-8")
        expect(text.startswith("\ufeff"), "--excel starts with the byte-order mark")
        rows = list(csv.reader(io.StringIO(text[1:], newline="")))
        expect(rows[0][:3] == ["id", "area", "provider_ods"], "the header row: %r" % rows[0])
        expect(sorted(r[0] for r in rows[1:]) == sorted(source),
               "one row per offering (%d rows, %d offerings)" % (len(rows) - 1, len(source)))

        # FHIR R4, and back.
        a.shell(readme_line(EXPORT_FHIR))
        bundle = json.loads(a.read("catalogue.json"))
        expect(bundle.get("resourceType") == "Bundle" and bundle.get("type") == "collection",
               "a FHIR Bundle of type collection")
        services = [e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "HealthcareService"]
        expect(len(services) == len(source),
               "one HealthcareService per offering (%d for %d)" % (len(services), len(source)))

        for node, name, line in ((b, "offerings.csv", IMPORT_CSV),
                                 (c, "catalogue.json", IMPORT_FHIR)):
            shutil.copy2(os.path.join(a_sb.tmp, name), node.sb.tmp)
            node.fgcat(["delete", OFFERING])
            import_back(node, line, name, OFFERING, source)
            # The same file again: all unchanged.
            res = node.shell(line)
            expect("import: 0 added, 0 changed, %d unchanged" % len(source) in res.stdout,
                   "%s again changes nothing" % name, res)

        # The README's request, then the requests as CSV.
        create = readme_line(REQUEST_CREATE)
        start = re.search(r"--start (\S+)", create).group(1)
        if datetime.date.fromisoformat(start) < datetime.date.today() + datetime.timedelta(60):
            create = create.replace(start, (datetime.date.today()
                                            + datetime.timedelta(120)).isoformat())
        made = a.shell(create)
        m = re.search(r"^request (\S+)  submitted$", made.stdout, re.MULTILINE)
        expect(m is not None, "request create prints the request's id", made)
        a.shell(readme_line(REQUESTS_CSV))
        rows = list(csv.reader(io.StringIO(a.read("requests.csv"), newline="")))
        expect(rows[0] == REQUEST_HEADER, "the documented request header: %r" % rows[0])
        expect(len(rows) == 2 and rows[1][0] == m.group(1) and rows[1][1] == OFFERING
               and rows[1][3] == "RXX" and rows[1][8] == "submitted",
               "the request as one row: %r" % rows[1:])


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
