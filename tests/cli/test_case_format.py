#!/usr/bin/env python3
"""The case runner itself can fail: every kind of expectation, given a
wrong value, must fail the case (a runner that passes everything would make
every case under cases/ worthless), and the same expectation with the right
value must pass.  Also the JSON pattern directives, one by one."""

import os
import shutil
import tempfile

import clitest
import run_case
from clitest import Failure, expect


def run_folder(opts, files):
    """Runs a case made of `files` (name -> text); returns None when it
    passed, the failure message otherwise."""
    folder = tempfile.mkdtemp(prefix="fgcat-selftest.")
    box = clitest.Sandbox(opts, name="fgcat-selftest-box")
    try:
        for name, text in files.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
        run_case.Case(folder, box).run()
        return None
    except Failure as e:
        return str(e)
    finally:
        box.close()
        shutil.rmtree(folder, ignore_errors=True)


def pair(opts, base, good, bad, what):
    """`base` + `good` must pass; `base` + `bad` must fail."""
    msg = run_folder(opts, dict(base, **good))
    expect(msg is None, "%s: the right expectation must pass:\n%s" % (what, msg))
    msg = run_folder(opts, dict(base, **bad))
    expect(msg is not None, "%s: a wrong expectation must fail the case" % what)


def check_json_patterns():
    m = run_case.json_match
    cases = [
        # pattern, value, matches?
        (1, 1, True), (1, 2, False), (1, 1.0, False), (True, 1, False), (None, None, True),
        ("a", "a", True), ([1, 2], [1, 2], True), ([1, 2], [1], False), ([1, 2], [2, 1], False),
        ({"a": 1}, {"a": 1}, True), ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"$subset": {"a": 1}}, {"a": 1, "b": 2}, True), ({"$subset": {"a": 1}}, {"b": 2}, False),
        ({"$subset": {"a": {"b": 1}}}, {"a": {"b": 1, "c": 2}}, True),
        ({"$subset": {"a": {"$exact": {"b": 1}}}}, {"a": {"b": 1, "c": 2}}, False),
        ({"$type": "integer"}, 3, True), ({"$type": "integer"}, True, False),
        ({"$type": ["integer", "null"]}, None, True), ({"$type": "string"}, 3, False),
        ({"$re": "^a.c$"}, "abc", True), ({"$re": "^a.c$"}, "abd", False), ({"$re": "a"}, 1, False),
        ({"$len": 2}, [1, 2], True), ({"$len": 2}, [1], False), ({"$minlen": 1}, [], False),
        ({"$min": 2, "$max": 4}, 3, True), ({"$min": 2}, 1, False), ({"$max": 4}, 5, False),
        ({"$each": {"$type": "integer"}}, [1, 2], True), ({"$each": {"$type": "integer"}}, [1, "x"], False),
        ({"$each": {"$min": 1}}, {"a": 1, "b": 0}, False),
        ({"$contains": [1, 3]}, [1, 2, 3], True), ({"$contains": [4]}, [1, 2, 3], False),
        ({"$none": 4}, [1, 2], True), ({"$none": 2}, [1, 2], False),
        ({"$has": ["a"]}, {"a": 1, "b": 2}, True), ({"$has": ["c"]}, {"a": 1}, False),
        ({"$keys": ["a"]}, {"a": 1}, True), ({"$keys": ["a"]}, {"a": 1, "b": 2}, False),
        ({"$any": True}, {"whatever": [1]}, True),
        ({"$contains": [{"$subset": {"id": "x"}}]}, [{"id": "y"}, {"id": "x", "n": 1}], True),
    ]
    for pattern, value, ok in cases:
        problems = m(pattern, value, "$", subset=False)
        expect((not problems) == ok, "json_match(%r, %r) should %s: %s"
               % (pattern, value, "match" if ok else "not match", problems))


def main(opts):
    check_json_patterns()
    base = {"cmd": "search\nnurse\n--limit\n1\n--json\n", "exit": "0\n"}
    pair(opts, base, {}, {"exit": "2\n"}, "exit")
    pair(opts, base, {"stderr": ""}, {"stderr": "fgcat: something\n"}, "stderr")
    pair(opts, base, {"stderr.lines": "0\n"}, {"stderr.lines": "1\n"}, "stderr.lines")
    pair(opts, base, {"stdout.re": '"id": "[A-Z]+/\n!withdrawn\n'},
         {"stdout.re": '"id": "XYZ/\n'}, "stdout.re")
    pair(opts, base, {"stdout.re": "!nonexistent-word\n"}, {"stdout.re": "!nurs\n"},
         "stdout.re negated")
    pair(opts, base, {"stdout.json": '{"$len": 1}'}, {"stdout.json": '{"$len": 2}'}, "stdout.json")
    pair(opts, base, {"stdout.json": '[{"$subset": {"status": "active"}}]'},
         {"stdout.json": '[{"status": "active"}]'}, "stdout.json exact by default")
    pair(opts, base, {"files": "{DB}\n"}, {"files": "!{DB}\n"}, "files")
    pair(opts, dict(base, fresh=""), {"stderr.re": "^fgcat: new catalogue {DB}: "},
         {"stderr.re": "^fgcat: new catalogue {TMP}/other"}, "fresh and placeholders")
    pair(opts, {"cmd": "show\nRTF/wound-care-pilot\n", "exit": "0\n"},
         {"setup": "import\t{DATA}/withdrawn.json\n"}, {"setup": ""}, "setup")
    pair(opts, {"cmd": "show\nRTF/wound-care-pilot\n", "exit": "0\n"},
         {"setup": "exit=3\tshow\tRTF/wound-care-pilot\nimport\t{DATA}/withdrawn.json\n"},
         {"setup": "exit=0\tshow\tRTF/wound-care-pilot\nimport\t{DATA}/withdrawn.json\n"},
         "setup exit status")
    pair(opts, {"cmd": "import\n-\n--json\n", "exit": "0\n", "stdout.json": '{"added": 1, '
                '"changed": 0, "unchanged": 0}'},
         {"stdin": open(os.path.join(run_case.DATA_DIR, "withdrawn.json")).read()},
         {"stdin": "[]"}, "stdin")
    pair(opts, {"cmd": "areas\n", "exit": "0\n", "fresh": "", "files": "{TMP}/e.db\n"},
         {"env": "FGCAT_DB={TMP}/e.db\n"}, {"env": "FGCAT_DB={TMP}/f.db\n"}, "env")
    pair(opts, {"cmd": "search\n--limit\n1\n--json\n", "exit": "0\n",
                "stdout.json": '[{"$subset": {"id": {"$re": "^"}}}]'},
         {"cmd": "search\n--limit\n1\n--json\n"}, {"cmd": "search\n--limit\n2\n--json\n"}, "cmd")
    msg = run_folder(opts, dict(base, **{"stdout.regex": "x\n"}))
    expect(msg and "unknown case file" in msg, "a misspelt expectation file must be reported")


if __name__ == "__main__":
    clitest.main(main, __doc__)
