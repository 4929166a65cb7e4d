"""A service team builds, checks and ships a plugin without fgcat's source.

The whole journey of docs/plugin-guide.md, with the real tools:

1. install the current build into a temporary prefix (`cmake --install
   BUILD --prefix P`) and check what a plugin author gets there: the header,
   a pkg-config file that points into P, the CMake package, and an fgcat
   whose default plugin path is P's plugin directory (the four built-ins,
   each with its offerings.json in its data directory), plus the helper
   header plugin_util.h the example includes;
2. copy examples/digital-transformation out of the source tree and build it
   twice, with its three-line Makefile (pkg-config) and with its
   CMakeLists.txt (find_package(fgcat)), both warning-free;
3. for each of the two plugins: `nm -D --defined-only` shows exactly
   fgcat_plugin_entry; the installed `fgcat plugins check` accepts it; with
   --plugin-path "<built-ins>:<its dir>" (and with FGCAT_PLUGIN_PATH naming
   only its dir) `fgcat areas` lists digital-transformation and `fgcat
   search` finds its offerings; a request is quoted and refused by its rules;
4. `cmake --install` the CMake-built plugin into FGCAT_PLUGIN_INSTALL_DIR,
   after which the installed fgcat loads it with no configuration at all.

Every fgcat run uses the INSTALLED binary (under scripts/test an ASan
build; plugins built here without ASan load into it) with a private
catalogue in the temporary directory, which is removed at the end.
"""

import argparse
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import clitest  # noqa: E402  (tests/cli: running fgcat and checking each run)
from clitest import Failure, expect, one_error_line  # noqa: E402

PLUGIN = "digital-transformation"
EXAMPLE = os.path.join("examples", PLUGIN)
ENTRY = "fgcat_plugin_entry"
# SPEC section 2: the service areas that ship built in.
BUILTIN_AREAS = {"productivity", "clinical-effectiveness", "integrated-care-training",
                 "health-planning"}
# What the example registers (examples/digital-transformation/*.c).
EXAMPLE_IDS = {"RTF/epr-optimisation-sprint", "RYJ/digital-maturity-assessment",
               "RTF/virtual-ward-remote-monitoring-set-up"}
VIRTUAL_WARD = "RTF/virtual-ward-remote-monitoring-set-up"

# Seconds a build step (cmake, make) may take.
BUILD_TIMEOUT = 120


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", required=True, help="the fgcat build tree to install")
    ap.add_argument("--source-dir", required=True, help="fgcat's source tree")
    ap.add_argument("--libdir", default="lib", help="CMAKE_INSTALL_LIBDIR")
    ap.add_argument("--bindir", default="bin", help="CMAKE_INSTALL_BINDIR")
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--make", default="make")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--pkg-config", default="pkg-config")
    ap.add_argument("--cc", default=None, help="C compiler for the plugin builds")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return ap.parse_args()


class Journey:
    """The temporary prefix, the copies of the example, and how to run
    tools and the installed fgcat in them."""

    def __init__(self, opts, tmp):
        self.opts = opts
        self.tmp = tmp
        self.prefix = os.path.join(tmp, "prefix")
        self.fgcat = os.path.join(self.prefix, opts.bindir, "fgcat")
        self.plugindir = os.path.join(self.prefix, opts.libdir, "fgcat", "plugins")
        self.pcdir = os.path.join(self.prefix, opts.libdir, "pkgconfig")
        self.cmakedir = os.path.join(self.prefix, opts.libdir, "cmake", "fgcat")
        self.dbs = 0
        self.cflags = []

        # Tools run with the caller's environment minus anything that would
        # change how the example builds or which fgcat it finds.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("FGCAT_")
               and k not in ("CFLAGS", "CPPFLAGS", "LDFLAGS", "MAKEFLAGS", "MFLAGS",
                             "CMAKE_PREFIX_PATH", "PKG_CONFIG_PATH", "DESTDIR")}
        env["PATH"] = os.path.dirname(os.path.abspath(shutil.which(opts.pkg_config)
                                                      or opts.pkg_config)) \
            + os.pathsep + env.get("PATH", "")
        env["PKG_CONFIG_PATH"] = self.pcdir
        env["HOME"] = os.path.join(tmp, "home")
        env["XDG_DATA_HOME"] = os.path.join(tmp, "xdg")
        if opts.cc:
            env["CC"] = opts.cc
        os.mkdir(env["HOME"])
        self.env = env

    # --- tools ----------------------------------------------------------

    def tool(self, args, cwd=None, env=None):
        """Runs a build tool; returns (exit code, stdout + stderr)."""
        try:
            proc = subprocess.run(args, cwd=cwd or self.tmp, env=env or self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("%s did not finish within %d s" % (" ".join(args), BUILD_TIMEOUT)) \
                from None
        return proc.returncode, proc.stdout.decode("utf-8", errors="replace")

    def tool_ok(self, args, cwd=None, what=None):
        code, out = self.tool(args, cwd=cwd)
        expect(code == 0, "%s failed (exit %d): %s\n%s"
               % (what or args[0], code, " ".join(args), clitest.clip(out)))
        return out

    # --- the installed fgcat -----------------------------------------------

    def new_db(self):
        """A path for a catalogue that does not exist yet."""
        self.dbs += 1
        return os.path.join(self.tmp, "catalogue-%d.db" % self.dbs)

    def run(self, args, db, env=None):
        """Runs the installed fgcat on catalogue `db`; every run must be sane
        (no crash, no sanitizer report, an exit status of SPEC section 6)."""
        full = {k: v for k, v in self.env.items() if k != "CC"}
        full["FGCAT_DB"] = db
        full.update(env or {})
        try:
            proc = subprocess.run([self.fgcat] + args, capture_output=True, env=full,
                                  cwd=self.tmp, timeout=clitest.RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("fgcat %s did not finish within %d s"
                          % (" ".join(args), clitest.RUN_TIMEOUT)) from None
        res = clitest.Result(args, proc.returncode,
                             proc.stdout.decode("utf-8", errors="replace"),
                             proc.stderr.decode("utf-8", errors="replace"))
        clitest.check_sane(res)
        return res

    def ok(self, args, db, env=None):
        res = self.run(args, db, env)
        expect(res.code == 0, "expected exit 0", res)
        return res


def utc_today():
    """fgcat's today: request lead times count from the UTC date."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def same_file(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def header_abi(header):
    """(major, minor) as #defined in a plugin.h."""
    with open(header, encoding="utf-8") as f:
        text = f.read()
    found = dict(re.findall(r"^#define FGCAT_ABI_(MAJOR|MINOR) (\d+)", text, re.MULTILINE))
    expect(set(found) == {"MAJOR", "MINOR"}, "%s does not define the ABI version" % header)
    return found["MAJOR"], found["MINOR"]


def install(j):
    """Installs the build into the temporary prefix and checks the SDK that
    a plugin author finds there."""
    j.tool_ok([j.opts.cmake, "--install", j.opts.build_dir, "--prefix", j.prefix],
              what="cmake --install")
    header = os.path.join(j.prefix, "include", "fgcat", "plugin.h")
    util_header = os.path.join(j.prefix, "include", "fgcat", "plugin_util.h")
    data_files = [os.path.join(j.plugindir, area, "offerings.json") for area in BUILTIN_AREAS]
    for path in [j.fgcat, header, util_header, os.path.join(j.pcdir, "fgcat-plugin.pc"),
                 os.path.join(j.cmakedir, "fgcatConfig.cmake"),
                 os.path.join(j.cmakedir, "FgcatPlugin.cmake")] + data_files:
        expect(os.path.isfile(path), "cmake --install did not install %s" % path)
    expect(os.access(j.fgcat, os.X_OK), "the installed fgcat is not executable")

    # pkg-config must point into THIS prefix (where the header is), not at
    # the prefix the build tree was configured with.
    cflags = j.tool_ok([j.opts.pkg_config, "--cflags", "fgcat-plugin"],
                       what="pkg-config --cflags").split()
    for flag in ("-fvisibility=hidden", "-fPIC"):
        expect(flag in cflags, "pkg-config --cflags fgcat-plugin lacks %s: %r" % (flag, cflags))
    j.cflags = cflags
    incdirs = [f[2:] for f in cflags if f.startswith("-I")]
    expect(any(same_file(d, os.path.join(j.prefix, "include")) for d in incdirs),
           "pkg-config --cflags fgcat-plugin gives include dirs %r, not %s/include where "
           "cmake --install --prefix put the header (is the .pc file's prefix fixed at "
           "configure time instead of relative to ${pcfiledir}?)" % (incdirs, j.prefix))
    plugindir = j.tool_ok([j.opts.pkg_config, "--variable=plugindir", "fgcat-plugin"]).strip()
    expect(same_file(plugindir, j.plugindir),
           "pkg-config plugindir is %r, expected %s" % (plugindir, j.plugindir))
    major, minor = header_abi(header)
    for name, want in (("abi_major", major), ("abi_minor", minor)):
        got = j.tool_ok([j.opts.pkg_config, "--variable=" + name, "fgcat-plugin"]).strip()
        expect(got == want, "pkg-config %s is %r, the installed header says %s"
               % (name, got, want))

    # The installed binary finds the installed built-ins with no
    # configuration: its default plugin path is relative to itself.
    db = j.new_db()
    plugins = j.ok(["plugins", "--json"], db).json()
    installed = sorted(glob.glob(os.path.join(j.plugindir, "*.so")))
    expect(len(installed) == len(BUILTIN_AREAS),
           "expected %d built-in plugins installed, found %r" % (len(BUILTIN_AREAS), installed))
    expect(sorted(os.path.realpath(p["path"]) for p in plugins)
           == [os.path.realpath(p) for p in installed],
           "the installed fgcat should load exactly the installed built-ins: %r" % plugins)
    expect(all(p["state"] == "loaded" for p in plugins), "a built-in was refused: %r" % plugins)
    areas = j.ok(["areas", "--json"], db).json()
    expect({a["id"] for a in areas} == BUILTIN_AREAS,
           "fgcat areas on the installed binary: %r" % areas)
    expect(all(a["active"] > 0 for a in areas),
           "the new catalogue should hold the built-ins' offerings: %r" % areas)
    return major, minor


def copy_example(j, name):
    """A copy of the example's sources (no build products) in its own
    directory, as a service team would have it."""
    dest = os.path.join(j.tmp, name)
    shutil.copytree(os.path.join(j.opts.source_dir, EXAMPLE), dest,
                    ignore=shutil.ignore_patterns("*.so", "*.o", "build", "build-*"))
    return dest


def expect_no_warnings(out, what):
    expect(not re.search(r"warning", out, re.IGNORECASE),
           "%s printed warnings:\n%s" % (what, clitest.clip(out)))


def build_with_make(j):
    src = copy_example(j, "with-make")
    with open(os.path.join(src, "Makefile"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    expect(len(lines) == 3, "the example's Makefile should be three lines: %r" % lines)
    out = j.tool_ok([j.opts.make, "-C", src], what="make")
    expect_no_warnings(out, "make")
    compile_line = [line for line in out.splitlines() if " -shared " in line]
    expect(compile_line and all(flag in compile_line[0].split() for flag in j.cflags),
           "make should compile with pkg-config's flags %r:\n%s" % (j.cflags, out))
    so = os.path.join(src, PLUGIN + ".so")
    expect(os.path.isfile(so), "make did not produce %s:\n%s" % (so, out))
    return so


def build_with_cmake(j):
    src = copy_example(j, "with-cmake")
    build = os.path.join(src, "build")
    out = j.tool_ok([j.opts.cmake, "-S", src, "-B", build, "-DCMAKE_PREFIX_PATH=" + j.prefix,
                     "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"], what="cmake (configure)")
    expect_no_warnings(out, "cmake (configure)")
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
        found = re.search(r"^fgcat_DIR:PATH=(.*)$", f.read(), re.MULTILINE)
    expect(found and same_file(found.group(1), j.cmakedir),
           "find_package(fgcat) should find the package in %s, found %r"
           % (j.cmakedir, found and found.group(1)))
    out = j.tool_ok([j.opts.cmake, "--build", build, "--verbose"], what="cmake --build")
    expect_no_warnings(out, "cmake --build")
    so = os.path.join(build, PLUGIN + ".so")
    expect(os.path.isfile(so), "cmake --build did not produce %s:\n%s" % (so, out))
    return so, build


def check_exports(j, so):
    out = j.tool_ok([j.opts.nm, "-D", "--defined-only", so], what="nm")
    names = [line.split()[-1] for line in out.splitlines() if line.strip()]
    expect(names == [ENTRY], "%s should export exactly %s, nm -D --defined-only shows %r"
           % (so, ENTRY, names))


def check_plugin(j, so, abi):
    """plugins check, areas and search for one built plugin."""
    sodir = os.path.dirname(so)

    # `plugins check` against the installed built-ins (the default path).
    res = j.ok(["plugins", "check", so], j.new_db())
    expect(res.stdout.strip() == "%s: plugin %s 1.0.0 (ABI %s.%s), %d valid offerings, "
           "areas: %s" % (so, PLUGIN, abi[0], abi[1], len(EXAMPLE_IDS), PLUGIN),
           "plugins check should accept the plugin", res)
    report = j.ok(["plugins", "check", so, "--json"], j.new_db()).json()
    expect(report["state"] == "loaded" and report["offerings"] == len(EXAMPLE_IDS)
           and report["areas"] == [PLUGIN] and report["id"] == PLUGIN,
           "plugins check --json: %r" % report)

    # Next to the built-ins, on a new catalogue: the area and its offerings.
    db = j.new_db()
    path = j.plugindir + ":" + sodir
    areas = j.ok(["--plugin-path", path, "areas", "--json"], db).json()
    expect({a["id"] for a in areas} == BUILTIN_AREAS | {PLUGIN},
           "areas with --plugin-path %s: %r" % (path, areas))
    mine = [a for a in areas if a["id"] == PLUGIN][0]
    expect(mine["plugin"] == PLUGIN and mine["active"] == len(EXAMPLE_IDS)
           and mine["withdrawn"] == 0, "the example's area: %r" % mine)
    hits = j.ok(["search", "maturity", "--json"], db).json()
    expect(any(o["id"] == "RYJ/digital-maturity-assessment" and o["area"] == PLUGIN
               for o in hits), "search maturity should find the example's offering: %r"
           % [o["id"] for o in hits])
    listed = j.ok(["search", "--area", PLUGIN, "--json"], db).json()
    expect({o["id"] for o in listed} == EXAMPLE_IDS,
           "search --area %s: %r" % (PLUGIN, [o["id"] for o in listed]))

    # Alone on the path, named by the environment.
    db = j.new_db()
    env = {"FGCAT_PLUGIN_PATH": sodir}
    areas = j.ok(["areas", "--json"], db, env).json()
    expect([a["id"] for a in areas] == [PLUGIN],
           "areas with FGCAT_PLUGIN_PATH=%s: %r" % (sodir, areas))
    hits = j.ok(["search", "virtual", "ward", "--json"], db, env).json()
    expect([o["id"] for o in hits] == [VIRTUAL_WARD],
           "search virtual ward with only the example loaded: %r" % [o["id"] for o in hits])
    return db, env


def check_requests(j, db, env):
    """quote_request of an out-of-tree build: per-bed price plus the set-up
    fee, and the area's rules refusing with the plugin's own words."""
    today = utc_today()
    start = (today + datetime.timedelta(days=60)).isoformat()
    shown = j.ok(["show", VIRTUAL_WARD, "--json"], db, env).json()
    fee = shown["attributes"]["setup_fee_pence"]
    req = j.ok(["request", "create", VIRTUAL_WARD, "--org", "RXX", "--quantity", "20",
                "--start", start, "--json"], db, env).json()
    expect(req["quote"] == {"amount_pence": 20 * shown["price"]["amount_pence"] + fee,
                            "currency": "GBP"},
           "quote for 20 beds should be 20 x the bed price + the set-up fee: %r" % req)
    one_error_line(j.run(["request", "create", VIRTUAL_WARD, "--org", "RXX", "--quantity",
                          "5"], db, env), 4,
                   r"^fgcat: request refused by the digital-transformation plugin: "
                   r"quantity 5 is outside this service's range of 10 to 200")
    soon = (today + datetime.timedelta(days=10)).isoformat()
    # (\d+: the day may turn, in UTC, between here and fgcat's own today.)
    one_error_line(j.run(["request", "create", VIRTUAL_WARD, "--org", "RXX", "--quantity",
                          "20", "--start", soon], db, env), 4,
                   r"start %s is \d+ days away; this service needs at least 42 days' "
                   r"notice" % soon)


def install_plugin(j, build):
    """`cmake --install` of the example puts it and its offerings where the
    installed fgcat looks by default; from then on fgcat needs no plugin
    path at all."""
    j.tool_ok([j.opts.cmake, "--install", build], what="cmake --install (plugin)")
    expect(os.path.isfile(os.path.join(j.plugindir, PLUGIN + ".so")),
           "the plugin's install rule should put it into %s" % j.plugindir)
    expect(os.path.isfile(os.path.join(j.plugindir, PLUGIN, "offerings.json")),
           "the plugin's install rule should put its offerings.json into %s/%s"
           % (j.plugindir, PLUGIN))
    db = j.new_db()
    areas = j.ok(["areas", "--json"], db).json()
    expect({a["id"] for a in areas} == BUILTIN_AREAS | {PLUGIN},
           "areas after installing the plugin: %r" % areas)
    hits = j.ok(["search", "electronic", "patient", "record", "--json"], db).json()
    expect("RTF/epr-optimisation-sprint" in [o["id"] for o in hits],
           "search electronic patient record after installing: %r" % [o["id"] for o in hits])


def journey(opts, tmp):
    j = Journey(opts, tmp)
    abi = install(j)
    made = build_with_make(j)
    cmade, cbuild = build_with_cmake(j)
    for so in (made, cmade):
        check_exports(j, so)
        db, env = check_plugin(j, so, abi)
        if so == made:
            check_requests(j, db, env)
    install_plugin(j, cbuild)


def main():
    opts = parse_args()
    opts.build_dir = os.path.abspath(opts.build_dir)
    opts.source_dir = os.path.abspath(opts.source_dir)
    tmp = tempfile.mkdtemp(prefix="fgcat-sdk.")
    try:
        journey(opts, tmp)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    finally:
        if opts.keep:
            print("kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
