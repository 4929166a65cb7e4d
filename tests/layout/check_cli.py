#!/usr/bin/env python3
"""Checks that cli/ holds one file per top-level command.

Usage: check_cli.py [--self-test] TOP

The commands are the rows of the table in cli/main.c, {"NAME", cmd_FN,
...}.  Each command NAME must have its file cli/cmd_NAME.c (a '-' in NAME
is '_' in the file's name) defining its entry point, and no other file
may define a command's entry point: every cli/cmd_*.c defines exactly one
`int cmd_...(cli_ctx *ctx, ...)` function, the one of its command, and
names a command of the table.  Helpers shared by several commands live in
cli/common.c.  Exit 0 when all holds, 1 with one line per broken rule.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import run  # noqa: E402  (the checkers' shared command line)

ROW = re.compile(r'\{\s*"([a-z][a-z0-9-]*)"\s*,\s*(cmd_[a-z0-9_]+)\s*,')
ENTRY = re.compile(r'^int\s+(cmd_[a-z0-9_]+)\s*\(\s*cli_ctx\s*\*', re.M)


def check(top):
    cli = os.path.join(top, "cli")
    problems = []
    with open(os.path.join(cli, "main.c"), encoding="utf-8") as fh:
        commands = ROW.findall(fh.read())
    if not commands:
        return ["cli/main.c: no command table found"]
    expected = {}
    for name, fn in commands:
        stem = "cmd_" + name.replace("-", "_")
        if fn != stem:
            problems.append("cli/main.c: command %s runs %s, not %s" % (name, fn, stem))
        expected[stem + ".c"] = fn
    files = sorted(f for f in os.listdir(cli) if f.startswith("cmd_") and f.endswith(".c"))
    for f in files:
        with open(os.path.join(cli, f), encoding="utf-8") as fh:
            entries = ENTRY.findall(fh.read())
        want = expected.get(f)
        if want is None:
            problems.append("cli/%s: no command of cli/main.c is named %s"
                            % (f, f[4:-2].replace("_", "-")))
        elif entries != [want]:
            problems.append("cli/%s: defines %s, not only %s"
                            % (f, ", ".join(entries) or "no command", want))
    for f in sorted(set(expected) - set(files)):
        problems.append("cli/%s: missing (command %s)" % (f, f[4:-2].replace("_", "-")))
    return problems


def self_test():
    """The checker itself: it must catch each kind of broken rule."""
    main = ('{"search", cmd_search, "x"},\n{"show", cmd_show, "x"},\n'
            '{"plugins", cmd_plugins, "x"},\n{"sync", cmd_sync, "x"},\n')
    entry = "int %s(cli_ctx *ctx, int argc, char **argv)\n{\n}\n"
    files = {
        "main.c": main,
        "cmd_search.c": entry % "cmd_search" + entry % "cmd_show",  # two commands
        "cmd_plugins.c": "static int helper(void);\n",              # no command
        "cmd_extra.c": entry % "cmd_extra",                         # not in the table
        # cmd_show.c and cmd_sync.c missing
    }
    with tempfile.TemporaryDirectory() as top:
        os.makedirs(os.path.join(top, "cli"))
        for rel, text in files.items():
            with open(os.path.join(top, "cli", rel), "w") as fh:
                fh.write(text)
        found = check(top)
        for f in ("cmd_search.c", "cmd_plugins.c", "cmd_extra.c", "cmd_show.c", "cmd_sync.c"):
            if not any(p.startswith("cli/%s:" % f) for p in found):
                print("check_cli self-test: %s was not caught (got %s)" % (f, found))
                return 1
        if len(found) != 5:
            print("check_cli self-test: unexpected problems %s" % found)
            return 1
        # The same tree put right passes.
        for rel, text in {"cmd_search.c": entry % "cmd_search",
                          "cmd_show.c": entry % "cmd_show",
                          "cmd_plugins.c": entry % "cmd_plugins",
                          "cmd_sync.c": entry % "cmd_sync"}.items():
            with open(os.path.join(top, "cli", rel), "w") as fh:
                fh.write(text)
        os.remove(os.path.join(top, "cli", "cmd_extra.c"))
        found = check(top)
        if found:
            print("check_cli self-test: a good tree was refused: %s" % found)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv, check, self_test, "cli layout", __doc__))
