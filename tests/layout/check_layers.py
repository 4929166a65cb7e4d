#!/usr/bin/env python3
"""Checks that fgcat's libraries depend on each other one way only.

Usage: check_layers.py [--self-test] TOP

Every #include in core/, catalog/, sync/, hub/, cli/ and plugins/ is
resolved as the compiler would (the including file's folder, then the
library's own folder, then the tree's top and core/ and include/) and
must land in a library the including one may use:

    core     <- catalog <- sync  <- cli
                        <- hub   <-
    plugins see include/fgcat/ only

Across libraries only the public headers may be included (listed in
PUBLIC below); inside hub/, the pages in web/ use the server's
declarations and never the other way round.  libmicrohttpd's header is
included by hub/ only, libcurl's by sync/ only, OpenSSL's by catalog/
only.  Exit 0 when all holds, 1 with one line per broken rule.
"""
import os
import re
import sys
import tempfile

MAY_USE = {
    "core": {"core", "include"},
    "catalog": {"catalog", "core", "include"},
    "sync": {"sync", "catalog", "core", "include"},
    "hub": {"hub", "catalog", "core", "include"},
    "cli": {"cli", "catalog", "sync", "hub", "core", "include"},
    "plugins": {"include"},
}

# The headers other libraries may include; everything else in a library's
# folder is private to it.
PUBLIC = {
    "catalog": {"catalog/catalog.h"},
    "sync": {"sync/sync.h"},
    "hub": {"hub/hub.h"},
    "core": {"core/status.h", "core/log.h", "core/util.h", "core/config.h",
             "core/runtime.h", "core/lazylib.h", "core/check.h"},
    "include": None,  # the plugin SDK: all of it is public
    "cli": set(),
}

# System headers only one library may include.
SYSTEM_OWNER = [
    (re.compile(r"^microhttpd\.h$"), "hub"),
    (re.compile(r"^curl/"), "sync"),
    (re.compile(r"^openssl/"), "catalog"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def library_of(rel):
    return rel.split("/", 1)[0]


def resolve(top, src_rel, name):
    """The path (relative to top) a quoted include finds, or None."""
    lib = library_of(src_rel)
    here = os.path.dirname(src_rel)
    for base in (here, lib, "", "core", "include"):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(top, cand)):
            return cand
    return None


def check(top):
    problems = []
    for lib in MAY_USE:
        root = os.path.join(top, lib)
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                src = os.path.relpath(os.path.join(dirpath, f), top)
                with open(os.path.join(top, src), encoding="utf-8") as fh:
                    text = fh.read()
                for m in INCLUDE.finditer(text):
                    kind, name = m.group(1), m.group(2)
                    if kind == "<":
                        for pattern, owner in SYSTEM_OWNER:
                            if pattern.search(name) and lib != owner:
                                problems.append("%s: includes <%s>, which only %s/ may"
                                                % (src, name, owner))
                        if name.startswith("fgcat/") and "include" not in MAY_USE[lib]:
                            problems.append("%s: includes <%s>" % (src, name))
                        continue
                    target = resolve(top, src, name)
                    if target is None:
                        problems.append('%s: "%s" is not a header of this tree' % (src, name))
                        continue
                    tlib = library_of(target)
                    if tlib not in MAY_USE[lib]:
                        problems.append('%s: includes "%s" (%s/ may not use %s/)'
                                        % (src, name, lib, tlib))
                        continue
                    public = PUBLIC.get(tlib)
                    if tlib != lib and public is not None and target not in public:
                        problems.append('%s: includes "%s", private to %s/'
                                        % (src, target, tlib))
                    if (lib == "hub" and target.startswith("hub/web/")
                            and not src.startswith("hub/web/")):
                        problems.append('%s: includes "%s": the server must not '
                                        'depend on its pages' % (src, target))
    return problems


def self_test():
    """The checker itself: it must catch each kind of broken rule."""
    cases = {
        "catalog/x.c": '#include "sync/sync.h"\n',        # catalog above sync
        "sync/y.c": '#include "catalog/internal.h"\n',    # a private header
        "cli/z.c": "#include <microhttpd.h>\n",           # hub's library
        "hub/s.c": '#include "web/web.h"\n',              # server -> pages
        "core/w.c": '#include "nowhere.h"\n',              # unresolved
        "plugins/p/p.c": '#include "catalog/catalog.h"\n',  # plugin outside SDK
    }
    with tempfile.TemporaryDirectory() as top:
        files = dict(cases)
        files.update({"sync/sync.h": "", "catalog/internal.h": "", "hub/web/web.h": "",
                      "catalog/catalog.h": ""})
        for rel, text in files.items():
            os.makedirs(os.path.join(top, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(top, rel), "w") as fh:
                fh.write(text)
        found = check(top)
        for src in cases:
            if not any(p.startswith(src + ":") for p in found):
                print("check_layers self-test: %s was not caught (got %s)" % (src, found))
                return 1
        if len(found) != len(cases):
            print("check_layers self-test: unexpected problems %s" % found)
            return 1
    return 0


def run(argv, check_tree, check_self, label, doc):
    """The command line of a layout checker (this one, check_cli.py):
    `--self-test TOP` runs check_self(); `TOP` prints check_tree(TOP)'s
    problems, one line each after `label`.  Returns the exit status."""
    if len(argv) == 3 and argv[1] == "--self-test":
        return check_self()
    if len(argv) != 2:
        print(doc.strip().split("\n\n")[1])
        return 2
    problems = check_tree(argv[1])
    for p in problems:
        print("%s: %s" % (label, p))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv, check, self_test, "layering", __doc__))
