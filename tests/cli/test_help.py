#!/usr/bin/env python3
"""--help on every command fgcat lists, so a new command cannot ship
without one: exit 0, its usage on stdout, nothing on stderr, and no
catalogue created (help touches nothing).  Also `fgcat help`-style
mistakes: an unknown command is a usage error."""

import os
import re

import clitest
from clitest import Sandbox, expect, one_error_line


def main(opts):
    with Sandbox(opts) as box:
        res = box.ok(["--help"])
        expect(res.stderr == "", "fgcat --help prints nothing on stderr", res)
        listed = re.findall(r"^  ([a-z][a-z-]*) {2,}\S", res.stdout.split("\nGlobal options")[0],
                            re.M)
        for must in ("search", "show", "areas", "plugins", "refresh", "import", "export"):
            expect(must in listed, "fgcat --help must list %s" % must, res)
        for cmd in listed:
            for args in ([cmd, "--help"], ["--json", cmd, "--help"], [cmd, "--help", "--json"]):
                res = box.run(args)
                expect(res.code == 0, "%s must exit 0" % " ".join(args), res)
                expect(res.stdout.startswith("usage: fgcat " + cmd),
                       "%s must print the usage of %s on stdout" % (" ".join(args), cmd), res)
                expect(res.stderr == "", "%s prints nothing on stderr" % " ".join(args), res)
        expect(not os.path.exists(box.db), "--help must not create a catalogue")
        one_error_line(box.run(["help"]), 2, r"'help' is not a command")
        one_error_line(box.run(["Search", "nurse"]), 2, r"'Search' is not a command")


if __name__ == "__main__":
    clitest.main(main, __doc__)
