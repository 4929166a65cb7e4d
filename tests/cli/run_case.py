#!/usr/bin/env python3
"""Runs data-driven fgcat CLI cases (tests/cli/cases/<name>/).

    run_case.py --fgcat BIN --plugins DIR --test-plugins DIR [--keep] CASE_DIR...

Each case folder holds the fgcat arguments, optional setup, input and
environment, the expected exit status and expectations on stdout, stderr
and files.  tests/cli/README.md documents the format; in short:

    cmd           fgcat's arguments, one per line (required)
    exit          the expected exit status (required)
    setup         fgcat commands run first: one per line, arguments separated
                  by tabs; a first field "exit=N" expects status N (default 0)
    stdin         fed to fgcat's standard input
    env           NAME=value sets, -NAME unsets (one per line)
    fresh         (empty file) do not seed the catalogue before the case
    stdout        the exact expected stdout      stderr        same for stderr
    stdout.re     regexes that must match stdout (one per line; a leading
    stderr.re     "!" means must NOT match)
    stdout.json   a JSON pattern stdout must match (see json_match below)
    stderr.lines  the number of lines expected on stderr
    files         paths that must exist afterwards ("!path": must not)

Placeholders in cmd, setup, env, stdout, stderr, files and *.re:
{TMP} the case's temporary directory, {DB} the catalogue ({TMP}/catalogue.db),
{CASE} the case folder, {DATA} tests/cli/data (shared inputs), {PLUGINS}
the built-in plugin directory, {TESTPLUGINS} the test plugin directory,
{DATE+N} / {DATE-N} today (UTC) plus or minus N days as YYYY-MM-DD.  In
regexes they stand for their literal text.
"""

import datetime
import json
import os
import re
import sys

import clitest
from clitest import Failure

PLACEHOLDER = re.compile(r"\{(TMP|DB|CASE|DATA|PLUGINS|TESTPLUGINS|DATE([+-])(\d+))\}")

# Input files several cases share.
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

KNOWN_FILES = {"cmd", "exit", "setup", "stdin", "env", "fresh", "stdout", "stderr",
               "stdout.re", "stderr.re", "stdout.json", "stderr.lines", "files"}


class Case:
    def __init__(self, path, box):
        self.path = os.path.abspath(path)
        self.name = os.path.basename(self.path.rstrip("/"))
        self.box = box
        unknown = set(os.listdir(self.path)) - KNOWN_FILES
        # Data files a case refers to ({CASE}/...) are allowed if they are
        # not named like an expectation; a typo such as "stdout.regex"
        # must not silently check nothing.
        for name in unknown:
            if name.startswith(("stdout", "stderr", "exit", "cmd", "setup", "env")):
                raise Failure("unknown case file %s (a typo?)" % name)

    def has(self, name):
        return os.path.exists(os.path.join(self.path, name))

    def read(self, name):
        with open(os.path.join(self.path, name), encoding="utf-8") as f:
            return f.read()

    def subst(self, text, regex=False):
        def one(m):
            key = m.group(1)
            if key.startswith("DATE"):
                days = int(m.group(3)) * (1 if m.group(2) == "+" else -1)
                value = (datetime.datetime.now(datetime.timezone.utc).date()
                         + datetime.timedelta(days=days)).isoformat()
            else:
                value = {"TMP": self.box.tmp, "DB": self.box.db, "CASE": self.path,
                         "DATA": DATA_DIR,
                         "PLUGINS": self.box.plugins,
                         "TESTPLUGINS": self.box.test_plugins}[key]
            return re.escape(value) if regex else value
        return PLACEHOLDER.sub(one, text)

    def lines(self, name):
        """The file's lines, placeholders substituted; a final newline does
        not make an extra (empty) line."""
        text = self.read(name)
        if text.endswith("\n"):
            text = text[:-1]
        return [self.subst(line) for line in text.split("\n")] if text else []

    def env(self):
        sets, unset = {}, []
        if self.has("env"):
            for line in self.lines("env"):
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("-"):
                    unset.append(line[1:].strip())
                elif "=" in line:
                    k, v = line.split("=", 1)
                    sets[k.strip()] = v
                else:
                    raise Failure("env: bad line %r (NAME=value or -NAME)" % line)
        return sets, unset

    def run(self):
        box = self.box
        sets, unset = self.env()
        if not self.has("fresh"):
            box.seed()
        if self.has("setup"):
            for line in self.lines("setup"):
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.split("\t")
                want = 0
                m = re.fullmatch(r"exit=(\d+)", fields[0])
                if m:
                    want = int(m.group(1))
                    fields = fields[1:]
                res = box.run(fields, env=sets, unset=unset)
                if res.code != want:
                    raise Failure("setup step expected exit %d\n%s" % (want, res.report()))

        args = self.lines("cmd")
        stdin = self.read("stdin").encode("utf-8") if self.has("stdin") else None
        res = box.run(args, stdin=stdin, env=sets, unset=unset)
        self.check(res)

    def check(self, res):
        problems = []
        want_exit = int(self.read("exit").strip())
        if res.code != want_exit:
            problems.append("exit status %d, expected %d" % (res.code, want_exit))
        for stream in ("stdout", "stderr"):
            actual = getattr(res, stream)
            if self.has(stream):
                expected = self.subst(self.read(stream))
                if actual != expected:
                    problems.append("%s differs from the expected text:\n%s"
                                    % (stream, clitest.clip(expected)))
            if self.has(stream + ".re"):
                for pattern in self.read(stream + ".re").splitlines():
                    if not pattern.strip() or pattern.startswith("#"):
                        continue
                    negate = pattern.startswith("!")
                    rx = self.subst(pattern[1:] if negate else pattern, regex=True)
                    found = re.search(rx, actual, re.MULTILINE) is not None
                    if found == negate:
                        problems.append("%s %s /%s/" % (
                            stream, "matches" if negate else "does not match", rx))
        if self.has("stderr.lines"):
            want = int(self.read("stderr.lines").strip())
            got = len(res.stderr_lines)
            if got != want:
                problems.append("%d line(s) on stderr, expected %d" % (got, want))
        if self.has("stdout.json"):
            try:
                pattern = json.loads(self.subst(self.read("stdout.json")))
            except ValueError as e:
                raise Failure("stdout.json of the case is not JSON: %s" % e) from None
            try:
                actual = json.loads(res.stdout)
            except ValueError as e:
                problems.append("stdout is not JSON: %s" % e)
            else:
                problems.extend(json_match(pattern, actual, "$", subset=False))
        if self.has("files"):
            for line in self.lines("files"):
                if not line.strip():
                    continue
                negate = line.startswith("!")
                path = line[1:] if negate else line
                if os.path.exists(path) == negate:
                    problems.append("%s %s" % (path, "exists" if negate else "is missing"))
        if problems:
            raise Failure("case %s:\n  %s\n%s" % (self.name, "\n  ".join(problems),
                                                  res.report()))


# ---- JSON patterns -------------------------------------------------------
#
# A pattern is a JSON value compared with the parsed output:
#   - strings, numbers, booleans and null must be equal (and of the same
#     type: 1 is not true, 1 is not 1.0);
#   - an array must have the same length, element by element;
#   - an object must have exactly the same keys (subset mode: at least the
#     pattern's keys; the output may have more), value by value;
#   - an object whose keys all start with "$" is a directive; each of its
#     keys is a condition and all must hold:
#       "$type": "string"|"integer"|"number"|"boolean"|"null"|"array"|"object"
#                (or a list of them: any)
#       "$re": REGEX             a string that REGEX matches (re.search)
#       "$len" / "$minlen": N    an array, object or string of (at least) N
#       "$min" / "$max": N       a number >= / <= N
#       "$each": PATTERN         every element of an array (value of an object)
#       "$contains": [P, ...]    an array with, for each P, an element matching P
#       "$none": PATTERN         an array where no element matches PATTERN
#       "$has": [KEY, ...]       an object with at least these keys
#       "$keys": [KEY, ...]      an object with exactly these keys
#       "$subset": PATTERN       PATTERN, compared in subset mode
#       "$exact": PATTERN        PATTERN, compared in exact mode (the default)
#       "$any": true             anything at all

JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def is_directive(p):
    return isinstance(p, dict) and p and all(k.startswith("$") for k in p)


def short(v):
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def json_match(p, v, path, subset):
    """Returns a list of problems (empty when `v` matches pattern `p`)."""
    if is_directive(p):
        return directive_match(p, v, path, subset)
    if isinstance(p, dict):
        if not isinstance(v, dict):
            return ["%s: expected an object, got %s" % (path, short(v))]
        out = []
        for k in p:
            if k not in v:
                out.append("%s: missing key %r" % (path, k))
            else:
                out.extend(json_match(p[k], v[k], "%s.%s" % (path, k), subset))
        if not subset:
            for k in v:
                if k not in p:
                    out.append("%s: unexpected key %r" % (path, k))
        return out
    if isinstance(p, list):
        if not isinstance(v, list):
            return ["%s: expected an array, got %s" % (path, short(v))]
        if len(p) != len(v):
            return ["%s: expected %d elements, got %d" % (path, len(p), len(v))]
        out = []
        for i, (pe, ve) in enumerate(zip(p, v)):
            out.extend(json_match(pe, ve, "%s[%d]" % (path, i), subset))
        return out
    if type(p) is not type(v) or p != v:
        if isinstance(p, (int, float)) and not isinstance(p, bool) and \
                type(v) in (int, float) and p == v:
            return ["%s: expected %s, got %s (another number type)" % (path, short(p), short(v))]
        return ["%s: expected %s, got %s" % (path, short(p), short(v))]
    return []


def directive_match(p, v, path, subset):
    out = []
    for key, arg in p.items():
        if key == "$type":
            names = arg if isinstance(arg, list) else [arg]
            for n in names:
                if n not in JSON_TYPES:
                    raise Failure("bad $type %r in a JSON pattern" % n)
            if not any(JSON_TYPES[n](v) for n in names):
                out.append("%s: expected %s, got %s" % (path, " or ".join(names), short(v)))
        elif key == "$re":
            if not isinstance(v, str) or not re.search(arg, v):
                out.append("%s: expected a string matching /%s/, got %s" % (path, arg, short(v)))
        elif key in ("$len", "$minlen"):
            if not isinstance(v, (list, dict, str)):
                out.append("%s: expected something with a length, got %s" % (path, short(v)))
            elif (len(v) != arg) if key == "$len" else (len(v) < arg):
                out.append("%s: length %d, expected %s%d" % (
                    path, len(v), "" if key == "$len" else "at least ", arg))
        elif key in ("$min", "$max"):
            if not JSON_TYPES["number"](v):
                out.append("%s: expected a number, got %s" % (path, short(v)))
            elif (v < arg) if key == "$min" else (v > arg):
                out.append("%s: %s is %s than %s" % (
                    path, short(v), "less" if key == "$min" else "more", arg))
        elif key == "$each":
            if isinstance(v, list):
                items = [("%s[%d]" % (path, i), e) for i, e in enumerate(v)]
            elif isinstance(v, dict):
                items = [("%s.%s" % (path, k), e) for k, e in v.items()]
            else:
                out.append("%s: expected an array or object, got %s" % (path, short(v)))
                continue
            for ipath, e in items:
                found = json_match(arg, e, ipath, subset)
                if found:
                    out.extend(found)
                    break  # the first bad element says enough
        elif key in ("$contains", "$none"):
            if not isinstance(v, list):
                out.append("%s: expected an array, got %s" % (path, short(v)))
                continue
            for want in (arg if key == "$contains" else [arg]):
                hit = any(not json_match(want, e, path, subset) for e in v)
                if key == "$contains" and not hit:
                    out.append("%s: no element matches %s" % (path, short(want)))
                if key == "$none" and hit:
                    out.append("%s: an element matches %s" % (path, short(want)))
        elif key in ("$has", "$keys"):
            if not isinstance(v, dict):
                out.append("%s: expected an object, got %s" % (path, short(v)))
                continue
            missing = [k for k in arg if k not in v]
            if missing:
                out.append("%s: missing keys %s" % (path, ", ".join(missing)))
            if key == "$keys":
                extra = [k for k in v if k not in arg]
                if extra:
                    out.append("%s: unexpected keys %s" % (path, ", ".join(extra)))
        elif key == "$subset":
            out.extend(json_match(arg, v, path, subset=True))
        elif key == "$exact":
            out.extend(json_match(arg, v, path, subset=False))
        elif key == "$any":
            pass
        else:
            raise Failure("unknown directive %s in a JSON pattern" % key)
    return out


def main():
    ap = clitest.parse_args("Runs fgcat CLI test cases.")
    ap.add_argument("cases", nargs="+", help="case folders")
    opts = ap.parse_args()
    failed = 0
    for path in opts.cases:
        box = clitest.Sandbox(opts, name="fgcat-case")
        try:
            Case(path, box).run()
            print("PASS %s" % os.path.basename(os.path.abspath(path)))
        except Failure as e:
            failed += 1
            print("FAIL %s" % e, file=sys.stderr)
        finally:
            box.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
