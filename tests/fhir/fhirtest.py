"""Helpers for the FHIR tests: validation of FHIR JSON by validate.js (the
`fhir` npm package, written by others than fgcat's authors), and the
offerings and paths the tests share.  python3 standard library only."""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sync"))

import clitest  # noqa: E402
from clitest import Failure, expect  # noqa: E402,F401

VALIDATOR = os.path.join(HERE, "validate.js")
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
OFFERING_SYSTEM = "https://fgcat.example.org/fhir/Id/offering"


def node():
    """The node binary CMake found; fails (never skips) without it or the
    validator package."""
    path = os.environ.get("FGCAT_TEST_NODE", "")
    if not path or path.endswith("NOTFOUND") or not os.path.exists(path):
        raise Failure("node is not installed (FGCAT_TEST_NODE=%r): run scripts/bootstrap"
                      % path)
    if not os.path.isdir(os.path.join(TOP, "node_modules", "fhir")):
        raise Failure("the fhir npm package is not installed in %s/node_modules: run "
                      "scripts/bootstrap (npm ci)" % TOP)
    return path


def validate(resources):
    """Validates each resource (a dict) with validate.js; fails with its
    report unless every one is valid.  Returns the validator's lines."""
    with tempfile.TemporaryDirectory(prefix="fgcat-fhir.") as tmp:
        paths = []
        for i, res in enumerate(resources):
            path = os.path.join(tmp, "%03d-%s.json" % (i, res.get("resourceType", "x")))
            with open(path, "w", encoding="utf-8") as f:
                json.dump(res, f)
            paths.append(path)
        proc = subprocess.run([node(), VALIDATOR] + paths, capture_output=True, text=True,
                              timeout=120)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(resources) or \
            not all(": valid " in line for line in lines):
        raise Failure("the FHIR validator refused fgcat's output (exit %d):\n%s%s"
                      % (proc.returncode, clitest.clip(proc.stdout), proc.stderr))
    return lines


def refused(resource):
    """True when validate.js refuses `resource` (the negative control)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(resource, f)
        f.flush()
        proc = subprocess.run([node(), VALIDATOR, f.name], capture_output=True, text=True,
                              timeout=120)
    return proc.returncode == 1 and "INVALID" in proc.stdout


def entries(bundle, rtype=None):
    return [e["resource"] for e in bundle.get("entry", [])
            if rtype is None or e["resource"]["resourceType"] == rtype]
