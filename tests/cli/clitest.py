"""Shared helpers for the fgcat end-to-end tests (python3 standard library only).

run_case.py (the data-driven case runner) and the scenario scripts test_*.py
import this module.  It knows how to run the built fgcat binary in a private
temporary directory with a private catalogue, and what every run must
satisfy whatever the case: no crash, no sanitizer report, an exit status
from SPEC section 6.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

# Seconds one fgcat process may take before the test fails (a hang is a bug).
RUN_TIMEOUT = 30

# FGCAT_TEST_WRAPPER: a command line every fgcat run is wrapped in, e.g.
# "valgrind -q --error-exitcode=99 --leak-check=full ..." (scripts/test-valgrind).
# Its own lines on stderr ("==PID== ...", "--PID-- ...") are taken out of what the test
# sees; exit status WRAPPER_ERROR fails the run with them.  Runs get
# WRAPPER_SLOWDOWN times longer before they count as a hang.
WRAPPER = shlex.split(os.environ.get("FGCAT_TEST_WRAPPER", ""))
WRAPPER_ERROR = 99
WRAPPER_SLOWDOWN = 20
WRAPPER_LINE = re.compile(r"^(?:==\d+==|--\d+--).*(?:\n|\Z)", re.MULTILINE)

# Signs that a sanitizer reported something on stderr.  (A crash shows as
# death by a signal; fgcat itself may name signals when it reports a
# crashing plugin, so signal names are not listed here.)
SANITIZER_MARKS = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
    r"runtime error:|^SUMMARY: ",
    re.MULTILINE,
)


def parse_args(description):
    """The options every CLI test takes (ctest passes them)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--fgcat", required=True, help="the built fgcat binary")
    ap.add_argument("--plugins", required=True, help="the built-in plugin directory")
    ap.add_argument("--test-plugins", required=True,
                    help="the test plugin directory (one sub-directory per plugin)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directories (for debugging)")
    return ap


class Failure(Exception):
    """A test expectation that did not hold."""


class Result:
    """One finished fgcat run."""

    def __init__(self, args, code, stdout, stderr):
        self.args = args
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def stderr_lines(self):
        return self.stderr.splitlines()

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError as e:
            raise Failure("stdout of %s is not JSON: %s\n%s"
                          % (self.describe(), e, clip(self.stdout))) from None

    def describe(self):
        return "fgcat " + " ".join(shell_word(a) for a in self.args)[:2000]

    def report(self):
        """The run in full, for a failure message."""
        return ("command: %s\nexit: %s\n--- stdout ---\n%s--- stderr ---\n%s"
                % (self.describe(), self.code, clip(self.stdout), clip(self.stderr)))


def clip(text, limit=4000):
    if len(text) > limit:
        text = text[:limit] + "\n[... %d more characters]\n" % (len(text) - limit)
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def shell_word(word):
    if isinstance(word, bytes):
        return "$'%s'" % "".join(chr(b) if 32 < b < 127 and b not in b"'\\" else "\\x%02x" % b
                                 for b in word)
    if word and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


class Sandbox:
    """A temporary directory with a private catalogue, and a way to run fgcat.

    The environment of every run is the caller's minus any FGCAT_* variable,
    with FGCAT_DB = <tmp>/catalogue.db and XDG_DATA_HOME and HOME inside the
    temporary directory, so no test can touch a real catalogue.
    """

    def __init__(self, opts, name="fgcat-cli"):
        self.fgcat = os.path.abspath(opts.fgcat)
        self.plugins = os.path.abspath(opts.plugins)
        self.test_plugins = os.path.abspath(opts.test_plugins)
        self.keep = opts.keep
        self.tmp = tempfile.mkdtemp(prefix=name + ".")
        self.db = os.path.join(self.tmp, "catalogue.db")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FGCAT_")}
        self.env.update({
            "FGCAT_DB": self.db,
            "XDG_DATA_HOME": os.path.join(self.tmp, "xdg"),
            "HOME": os.path.join(self.tmp, "home"),
        })
        os.mkdir(os.path.join(self.tmp, "home"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.keep:
            print("kept %s" % self.tmp, file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def test_plugin(self, name):
        """Path of the test plugin `name` (built by tests/plugins)."""
        path = os.path.join(self.test_plugins, name, name + ".so")
        if not os.path.exists(path):
            raise Failure("test plugin %s is not built (%s)" % (name, path))
        return path

    def run(self, args, stdin=None, env=None, unset=(), wrap=True):
        """Runs fgcat with `args` (str, or bytes for arguments that are not
        UTF-8); returns a Result.  Never raises on a
        non-zero exit, but always raises Failure on a crash, a hang or a
        sanitizer report: those are failures whatever the test expects.
        wrap=False runs it without FGCAT_TEST_WRAPPER."""
        full_env = dict(self.env)
        full_env.update(env or {})
        for name in unset:
            full_env.pop(name, None)
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        wrapper = WRAPPER if wrap else []
        timeout = RUN_TIMEOUT * (WRAPPER_SLOWDOWN if wrapper else 1)
        try:
            proc = subprocess.run(wrapper + [self.fgcat] + list(args), input=stdin or b"",
                                  capture_output=True, env=full_env, cwd=self.tmp,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure("fgcat %s did not finish within %d s"
                          % (" ".join(shell_word(a) for a in args)[:2000], timeout)) from None
        stderr = proc.stderr.decode("utf-8", errors="replace")
        wrapper_out = ""
        if wrapper:
            wrapper_out = "".join(WRAPPER_LINE.findall(stderr))
            stderr = WRAPPER_LINE.sub("", stderr)
        res = Result(list(args), proc.returncode,
                     proc.stdout.decode("utf-8", errors="replace"), stderr)
        if wrapper and res.code == WRAPPER_ERROR:
            raise Failure("%s reported errors (exit %d)\n%s%s"
                          % (WRAPPER[0], WRAPPER_ERROR, wrapper_out, res.report()))
        check_sane(res)
        return res

    def ok(self, args, **kw):
        """Runs fgcat and requires exit status 0."""
        res = self.run(args, **kw)
        if res.code != 0:
            raise Failure("expected exit 0\n" + res.report())
        return res

    def seed(self):
        """Creates and fills the catalogue with the built-in plugins, so later
        runs print no "new catalogue" line.  Not under FGCAT_TEST_WRAPPER:
        this same first refresh is what the cases marked `fresh` and the
        refresh cases run, under it; repeating it before every case would
        double the time of a valgrind run and check nothing new."""
        self.ok(["refresh"], wrap=False)


def plugin_workers(pid):
    """Pids of the live plugin workers (fgcat-plugin-worker) whose parent
    is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z" and b"fgcat-plugin-worker" in cmd:
            found.append(int(entry))
    return found


def process_alive(pid):
    """True when process `pid` exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check_sane(res):
    """What every run must satisfy: it exited (no signal), with a status of
    SPEC section 6, and no sanitizer complained."""
    if res.code < 0:
        raise Failure("fgcat was killed by signal %d\n%s" % (-res.code, res.report()))
    if res.code > 4:
        raise Failure("exit status %d is not one of SPEC section 6 (0-4)\n%s"
                      % (res.code, res.report()))
    if SANITIZER_MARKS.search(res.stderr):
        raise Failure("a sanitizer or the C runtime reported an error\n" + res.report())


def expect(cond, message, res=None):
    if not cond:
        raise Failure(message + ("\n" + res.report() if res else ""))


def one_error_line(res, code, pattern=None):
    """The failure shape of SPEC section 6: exit `code` and exactly one
    stderr line "fgcat: ..." (matching `pattern` when given), nothing on
    stdout."""
    expect(res.code == code, "expected exit %d" % code, res)
    lines = res.stderr_lines
    expect(len(lines) == 1, "expected exactly one line on stderr", res)
    expect(lines[0].startswith("fgcat: "), "the error line must start with 'fgcat: '", res)
    if pattern:
        expect(re.search(pattern, lines[0]), "the error line must match /%s/" % pattern, res)


def main(fn, description):
    """Runs a scenario script: fn(opts) raises Failure (or anything) to fail."""
    opts = parse_args(description).parse_args()
    try:
        fn(opts)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("PASS")
