"""The installed documentation stands alone.

1. `cmake --install BUILD --prefix P` into a temporary directory;
2. DOCDIR holds README.md, docs/ (the plugin guide, the offering and request
   formats, the sync protocol, ...), each built-in area's README and the
   example plugin with its build files;
3. every relative link in every installed markdown file names a file or
   directory that exists inside P, and a link with an anchor (`#...`) names
   a heading of the file it points to; a link that leaves P (e.g. to the
   source tree) fails;
4. nothing installed and no `--help` of the installed fgcat (every command
   `fgcat --help` lists, and every subcommand their usages name) cites the
   spec: no "SPEC", no "§".  Shipped texts state the rule themselves.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True

# What cites the spec: the word SPEC (not SPECIALTIES) or a section sign.
CITES_SPEC = re.compile(rb"\bSPEC\b|\xc2\xa7")
# A markdown link or image: [text](target) with an optional "title".
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Runs of text in a binary (messages, help): printable ASCII and UTF-8.
STRINGS = re.compile(rb"(?:[\x20-\x7e\t]|[\xc2-\xf4][\x80-\xbf]{1,3}){8,}")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# What must be in DOCDIR, relative to it.
REQUIRED = ["README.md", "docs/plugin-guide.md", "docs/offering-format.md",
            "docs/request-format.md", "docs/sync-protocol.md", "docs/design.md",
            "docs/search.md", "examples/digital-transformation/README.md",
            "examples/digital-transformation/digital-transformation.c",
            "examples/digital-transformation/CMakeLists.txt",
            "examples/digital-transformation/Makefile",
            "plugins/productivity/README.md", "plugins/clinical-effectiveness/README.md",
            "plugins/integrated-care-training/README.md", "plugins/health-planning/README.md",
            "include/fgcat/plugin.h"]


class Failure(Exception):
    pass


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation other
    than '-' and '_' dropped, spaces made '-'."""
    text = re.sub(r"`|\*\*|__", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_lines(path):
    """The lines of `path` outside fenced code blocks, with their numbers."""
    inside = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                inside = not inside
                continue
            if not inside:
                yield n, line


def anchors(path, cache={}):
    if path not in cache:
        seen, out = {}, set()
        for _, line in markdown_lines(path):
            m = HEADING.match(line)
            if m:
                s = slug(m.group(1))
                k = seen.get(s, 0)
                seen[s] = k + 1
                out.add(s if k == 0 else "%s-%d" % (s, k))
        cache[path] = out
    return cache[path]


def check_links(prefix, problems):
    """Every relative link of every installed .md file; returns how many."""
    count = 0
    root = os.path.realpath(prefix)
    for dirpath, _, files in os.walk(prefix):
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, prefix)
            for n, line in markdown_lines(path):
                for target in LINK.findall(line):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                        continue  # http:, https:, mailto:
                    count += 1
                    where = "%s:%d: link %s" % (rel, n, target)
                    file_part, _, frag = target.partition("#")
                    dest = os.path.realpath(os.path.join(dirpath, file_part)) if file_part \
                        else os.path.realpath(path)
                    if dest != root and not dest.startswith(root + os.sep):
                        problems.append(where + " leaves the installed tree")
                    elif not os.path.exists(dest):
                        problems.append(where + " names nothing installed (%s)"
                                        % os.path.relpath(dest, root))
                    elif frag:
                        if not dest.endswith(".md") or os.path.isdir(dest):
                            problems.append(where + " has an anchor into a non-markdown file")
                        elif frag not in anchors(dest):
                            problems.append(where + " names no heading of %s"
                                            % os.path.relpath(dest, root))
    return count


def check_citations(what, data, problems):
    for n, line in enumerate(data.split(b"\n"), 1):
        if CITES_SPEC.search(line):
            problems.append("%s:%d cites the spec: %s"
                            % (what, n, line.strip().decode("utf-8", "replace")[:160]))


def run(fgcat, args, env):
    proc = subprocess.run([fgcat] + args, capture_output=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise Failure("fgcat %s exited %d: %s" % (" ".join(args), proc.returncode,
                                                 proc.stderr.decode("utf-8", "replace")))
    return proc.stdout


def check_help(fgcat, tmp, problems):
    """Runs --help of every command and subcommand; returns how many."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FGCAT_")}
    env.update(HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "xdg"),
               FGCAT_DB=os.path.join(tmp, "help.db"))
    top = run(fgcat, ["--help"], env)
    check_citations("fgcat --help", top, problems)
    listed = re.findall(r"^  ([a-z][a-z-]*) {2,}\S", top.decode().split("\nGlobal options")[0],
                        re.M)
    if len(listed) < 10:
        raise Failure("fgcat --help lists only %s" % listed)
    runs = 1
    for cmd in listed:
        text = run(fgcat, [cmd, "--help"], env)
        runs += 1
        check_citations("fgcat %s --help" % cmd, text, problems)
        subs = set(re.findall(r"fgcat %s ([a-z][a-z-]+)\b" % re.escape(cmd), text.decode()))
        for sub in sorted(subs):
            proc = subprocess.run([fgcat, cmd, sub, "--help"], capture_output=True,
                                  env=env, timeout=120)
            runs += 1
            check_citations("fgcat %s %s --help" % (cmd, sub), proc.stdout + proc.stderr,
                            problems)
    if os.path.exists(env["FGCAT_DB"]):
        problems.append("--help created a catalogue")
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--bindir", default="bin")
    ap.add_argument("--docdir", default="share/doc/fgcat")
    opts = ap.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="fgcat-docs-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        proc = subprocess.run([opts.cmake, "--install", opts.build_dir, "--prefix", prefix],
                              capture_output=True, timeout=300)
        if proc.returncode != 0:
            raise Failure("cmake --install failed:\n%s" % proc.stderr.decode("utf-8", "replace"))
        docdir = os.path.join(prefix, opts.docdir)
        for rel in REQUIRED:
            if not os.path.isfile(os.path.join(docdir, rel)):
                problems.append("%s is not installed in %s" % (rel, opts.docdir))
        links = check_links(prefix, problems)
        files = 0
        for dirpath, _, names in os.walk(prefix):
            for name in names:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    continue
                files += 1
                with open(path, "rb") as f:
                    data = f.read()
                if data.startswith(b"\x89PNG\r\n\x1a\n"):
                    continue  # pixels (compressed): no text to cite anything
                if b"\0" in data:  # a binary: its strings, as `strings` shows them
                    data = b"\n".join(STRINGS.findall(data))
                check_citations(os.path.relpath(path, prefix), data, problems)
        helps = check_help(os.path.join(prefix, opts.bindir, "fgcat"), tmp, problems)
    if links < 20:
        problems.append("only %d relative links found: the link pattern is broken" % links)
    if problems:
        raise Failure("\n".join(problems))
    print("PASS: %d installed files, %d relative links, %d --help texts" % (files, links, helps))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
