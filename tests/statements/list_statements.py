#!/usr/bin/env python3
"""Prepares every SQL statement of the catalogue and the sync client on one
connection.

Usage: list_statements.py TOP BUILD PREPARE_ALL

The statements are found in the sources: every `static const char
sql_NAME[] = "...";` of catalog/*.c and sync/*.c (that is where the code
keeps them: SQL lives in one place per module, and cat_stmt caches by
address), read after the preprocessor (with the build's own compile
commands), so statements assembled from macros are whole.  They are written as a JSON array to a temporary file, and
PREPARE_ALL prepares each through cat_stmt on one new catalogue, then
asks for each again and checks it comes from the cache.  Fails when any
statement cannot be prepared, or when too few were found to mean anything.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

DECL = re.compile(r'static\s+const\s+char\s+(sql_\w+)\s*\[\s*\]\s*=')
TOKEN = re.compile(r'\s*"((?:[^"\\]|\\.)*)"', re.S)
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(s):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), s)


def preprocessed(build, source):
    """The source file as the compiler sees it, macros expanded, using its
    command from the build's compile_commands.json."""
    with open(os.path.join(build, "compile_commands.json")) as fh:
        commands = json.load(fh)
    for c in commands:
        if os.path.realpath(c["file"]) != os.path.realpath(source):
            continue
        args = c["arguments"] if "arguments" in c else shlex.split(c["command"])
        out = []
        skip = False
        for a in args:
            if skip:
                skip = False
            elif a == "-o":
                skip = True
            elif a != "-c":
                out.append(a)
        res = subprocess.run(out[:1] + ["-E", "-P"] + out[1:], cwd=c["directory"],
                             stdout=subprocess.PIPE, check=True)
        return res.stdout.decode("utf-8")
    raise ValueError("%s is not in %s/compile_commands.json" % (source, build))


def statements(top, build):
    """[{"where", "sql"}] of every sql_ declaration in catalog/ and sync/."""
    found = []
    for folder in ("catalog", "sync"):
        for f in sorted(os.listdir(os.path.join(top, folder))):
            if not f.endswith(".c"):
                continue
            path = os.path.join(folder, f)
            text = preprocessed(build, os.path.join(top, path))
            for m in DECL.finditer(text):
                pieces, end = [], m.end()
                while True:
                    t = TOKEN.match(text, end)
                    if not t:
                        break
                    pieces.append(unescape(t.group(1)))
                    end = t.end()
                if not pieces or not text[end:].lstrip().startswith(";"):
                    raise ValueError("%s: %s is not a string literal" % (path, m.group(1)))
                found.append({"where": "%s:%s" % (path, m.group(1)), "sql": "".join(pieces)})
    return found


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().split("\n\n")[1])
        return 2
    found = statements(argv[1], argv[2])
    per_folder = {w["where"].split("/")[0] for w in found}
    if len(found) < 50 or per_folder != {"catalog", "sync"}:
        print("FAIL: only %d statements found (%s): has the code's SQL moved?"
              % (len(found), sorted(per_folder)))
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "statements.json")
        with open(listing, "w") as fh:
            json.dump(found, fh)
        res = subprocess.run([argv[3], listing, os.path.join(tmp, "catalogue.db")])
    if res.returncode != 0:
        print("FAIL: prepare_all exited %d" % res.returncode)
        return 1
    print("ok: %d statements prepared on one connection" % len(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
