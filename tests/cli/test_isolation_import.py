#!/usr/bin/env python3
"""No plugin runs while fgcat holds a write transaction: an import whose
area plugin hangs in validate_offering holds no lock on the catalogue.

With the faulty test plugin beside the four built-in ones and a node time
limit of 20 s (`plugins timeout 20`: time for the other writers on a busy
machine), `fgcat import` of a file whose second
record is in the faulty area, under FGCAT_FAULT=validate:loop, waits for the
plugin.  Meanwhile another writer on the same catalogue succeeds while the
import is still waiting: `config set` and a `request create` on an
offering of another area.  The import then fails with one line naming the
record, the plugin and "did not answer validate_offering within 20 s"
(exit 1), and the catalogue's offerings are exactly as before.  Without
the fault the same file imports."""

import json
import os
import subprocess
import time

import clitest
import interop_data
from clitest import Sandbox, expect
from test_isolation import plugin_dir

# An offering of another area than the import's (integrated-care-training).
OTHER = "RTF/integrated-care-community-nursing"


def fresh(offering, new_id):
    o = dict(offering, id=new_id)
    for k in ("rev", "updated_at", "withdrawn_at"):
        o.pop(k, None)
    return o


def main(opts):
    with Sandbox(opts, "fgcat-isolation-import") as box:
        env = {"FGCAT_PLUGIN_PATH": plugin_dir(box)}
        empty = os.path.join(box.tmp, "empty")
        os.mkdir(empty)
        box.ok(["plugins", "timeout", "20"], env=env)
        box.ok(["refresh"], env=env)
        before = box.ok(["export", "--format", "json"], env=env).json()
        by_id = {o["id"]: o for o in before}
        builtin = next(o for o in before if o["area"] == "health-planning")
        faulty = by_id["FLT/faulty-course"]
        ods = builtin["provider"]["ods"]
        records = [fresh(builtin, ods + "/import-isolation-probe"),
                   fresh(faulty, "FLT/import-isolation-probe")]
        path = os.path.join(box.tmp, "in.json")
        with open(path, "w") as f:
            json.dump(records, f)

        full_env = dict(box.env, FGCAT_FAULT="validate:loop", **env)
        proc = subprocess.Popen([box.fgcat, "import", "in.json"], cwd=box.tmp, env=full_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # Wait until the import's faulty worker is looping: its
            # validate_offering is the only call that uses the CPU for ever.
            time.sleep(1.0)
            expect(proc.poll() is None, "the import must be waiting for the plugin")
            res = box.run(["config", "set", "offerings-dir", empty], env=env)
            expect(res.code == 0, "config set must succeed while the import waits", res)
            res = box.run(["request", "create", OTHER, "--org", "RXX", "--quantity", "12",
                           "--start", interop_data.START, "--json"], env=env)
            expect(res.code == 0, "request create of another area must succeed while the "
                                  "import waits", res)
            expect(proc.poll() is None,
                   "the other writers must finish while the import still waits (they "
                   "waited for its lock)")
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err_lines = err.decode("utf-8", "replace").splitlines()
        expect(proc.returncode == 1 and len(err_lines) == 1 and err_lines[0] ==
               "fgcat: import: in.json: record 2 (FLT/import-isolation-probe): plugin faulty did "
               "not answer validate_offering within 20 s",
               "the import must fail with one line naming the plugin: exit %d, %r"
               % (proc.returncode, err_lines))
        expect(out == b"", "the failed import prints nothing on stdout: %r" % out)
        after = box.ok(["export", "--format", "json"], env=env).json()
        expect(after == before, "the catalogue's offerings must be unchanged")
        requests = box.ok(["request", "list", "--org", "RXX", "--json"], env=env).json()
        expect(len(requests) == 1, "the request made meanwhile is stored: %r" % requests)
        expect(box.ok(["config", "get", "offerings-dir"], env=env).stdout.strip() == empty,
               "the setting made meanwhile is stored")

        # Without the fault the same file imports.
        box.ok(["config", "unset", "offerings-dir"], env=env)
        res = box.ok(["import", "in.json"], env=env)
        after = box.ok(["export", "--format", "json"], env=env).json()
        expect(len(after) == len(before) + 2, "the file imports without the fault", res)


if __name__ == "__main__":
    clitest.main(main, __doc__)
