#!/usr/bin/env python3
"""Broken plugins on the plugin path next to the built-in ones.

A directory of symlinks holds the four built-in plugins and every broken
test plugin that fails while loading or registering, crash-init included
(every plugin runs in its own worker, so a crashing init is a refusal like
any other).  Each broken plugin must be named on stderr,
once, with its reason; the built-ins must carry on, and so must search.
The same with the plugins given as several colon-separated directories.
Then `plugins check` on a copy of a built-in plugin: refused, because its
name is taken by the one already on the path."""

import json
import os
import re
import shutil

import clitest
from clitest import Sandbox, expect

BUILTIN = ["clinical-effectiveness", "health-planning", "integrated-care-training",
           "productivity"]

# test plugin -> what its refusal must say
BROKEN = {
    "abi-major": r"ABI 2\.0.*ABI 1\.1",
    "abi-minor": r"ABI 1\.2.*ABI 1\.1",
    "bad-name": r"name must be",
    "bad-offerings": r"BAD/by-post-course",
    "crash-init": r"plugin crash-init crashed in init \(signal 11",
    "init-fails": r"database of courses is missing",
    "no-entry": r"no entry symbol",
    "no-quote": r"quote_request",
    "not-elf": r"cannot load",
    "null-descriptor": r"returned NULL",
    "small-struct": r"struct_size 16",
}


def refusals(res):
    """plugin file name -> its refusal line, from a run's stderr."""
    out = {}
    for line in res.stderr_lines:
        m = re.match(r"fgcat: plugin (\S+) refused: (.*)$", line)
        if m:
            name = os.path.basename(m.group(1))
            expect(name not in out, "%s refused twice on stderr" % name, res)
            out[name] = m.group(2)
    return out


def check_broken_named(res, where):
    got = refusals(res)
    for name, pattern in BROKEN.items():
        expect(name + ".so" in got, "%s: %s.so must be named on stderr" % (where, name), res)
        expect(re.search(pattern, got[name + ".so"]),
               "%s: the refusal of %s must say /%s/" % (where, name, pattern), res)
    for name in BUILTIN:
        expect(name + ".so" not in got, "%s: built-in %s must not be refused" % (where, name),
               res)


def run_with_path(box, plugin_path, where):
    env = {"FGCAT_PLUGIN_PATH": plugin_path}

    # a new catalogue: the broken plugins are named, the built-ins fill it
    res = box.run(["search", "nurse"], env=env)
    expect(res.code == 0, "%s: search nurse on a new catalogue must work" % where, res)
    expect(re.search(r"^RTF/integrated-care-community-nursing  ", res.stdout, re.M),
           "%s: search nurse must show the integrated-care course" % where, res)
    check_broken_named(res, where)
    other = [l for l in res.stderr_lines if not l.startswith("fgcat: plugin ")]
    expect(len(other) == 1 and re.match(r"fgcat: new catalogue .*from 4 plugins$", other[0]),
           "%s: stderr must hold the refusals and the new-catalogue line only" % where, res)

    # the plugin list: every file, refused ones with their reason
    res = box.run(["plugins", "--json"], env=env)
    expect(res.code == 0, "%s: plugins must work" % where, res)
    check_broken_named(res, where)
    listed = {os.path.basename(p["path"]): p for p in res.json()}
    expect(set(listed) == {n + ".so" for n in BUILTIN + list(BROKEN)},
           "%s: plugins must list every file on the path" % where, res)
    for name in BUILTIN:
        expect(listed[name + ".so"]["state"] == "loaded", "%s: %s must load" % (where, name))
    for name, pattern in BROKEN.items():
        p = listed[name + ".so"]
        expect(p["state"] == "refused" and re.search(pattern, p["reason"]),
               "%s: %s must be listed refused, saying /%s/: %s" % (where, name, pattern, p))

    # areas and refresh see the built-ins; refresh says a plugin was refused
    res = box.run(["areas", "--json"], env=env)
    expect(res.code == 0, "%s: areas must work" % where, res)
    areas = {a["id"]: a for a in res.json()}
    for name in BUILTIN:
        expect(name in areas and areas[name]["active"] > 0,
               "%s: area %s must be listed with offerings" % (where, name), res)
    res = box.run(["refresh", "--json"], env=env)
    expect(res.code == 4, "%s: refresh with refused plugins exits 4" % where, res)
    rep = res.json()
    expect(rep["plugins_ok"] == 4 and rep["plugins_refused"] == len(BROKEN)
           and rep["added"] == 0 and rep["changed"] == 0 and rep["withdrawn"] == 0,
           "%s: refresh must apply the 4 built-ins unchanged and count every refused "
           "plugin" % where, res)
    check_broken_named(res, where)
    res = box.run(["search", "nurse", "--json"], env=env)
    expect(res.code == 0 and res.json(), "%s: search must still work" % where, res)


def main(opts):
    with Sandbox(opts) as box:
        # one directory of symlinks
        links = os.path.join(box.tmp, "plugins")
        os.mkdir(links)
        for name in BUILTIN:
            os.symlink(os.path.join(box.plugins, name + ".so"),
                       os.path.join(links, name + ".so"))
        for name in BROKEN:
            os.symlink(box.test_plugin(name), os.path.join(links, name + ".so"))
        run_with_path(box, links, "one directory")

    with Sandbox(opts) as box:
        # several directories, colon-separated, broken ones first and last
        names = sorted(BROKEN)
        dirs = ([os.path.dirname(box.test_plugin(n)) for n in names[:5]] + [box.plugins] +
                [os.path.dirname(box.test_plugin(n)) for n in names[5:]])
        run_with_path(box, ":".join(dirs), "colon-separated directories")

    with Sandbox(opts) as box:
        # a second copy of a built-in plugin would be refused: its name is taken
        # (a copy of a plugin is the .so and its data directory beside it)
        copy = os.path.join(box.tmp, "copy-of-productivity.so")
        shutil.copy(os.path.join(box.plugins, "productivity.so"), copy)
        shutil.copytree(os.path.join(box.plugins, "productivity"),
                        os.path.join(box.tmp, "copy-of-productivity"))
        res = box.run(["plugins", "check", copy])
        clitest.one_error_line(
            res, 4, r"^fgcat: plugin %s refused: plugin name 'productivity' is already used "
            r"by %s$" % (re.escape(copy), re.escape(os.path.join(box.plugins, "productivity.so"))))
        # ... and the built-in itself, on the path, is fine
        res = box.ok(["plugins", "check", os.path.join(box.plugins, "productivity.so"),
                      "--json"])
        expect(res.json()["state"] == "loaded", "a built-in must pass plugins check", res)
        # with an empty plugin path the copy loads
        empty = os.path.join(box.tmp, "empty")
        os.mkdir(empty)
        res = box.ok(["--plugin-path", empty, "plugins", "check", copy])
        expect("plugin productivity" in res.stdout, "the copy alone must load", res)
        expect(not os.path.exists(box.db), "plugins check must not create a catalogue")


if __name__ == "__main__":
    clitest.main(main, __doc__)
