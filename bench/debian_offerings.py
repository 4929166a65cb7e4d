#!/usr/bin/env python3
"""Turns Debian's package list into fgcat offerings, so that `fgcat search`
and `apt-cache search` answer the same query over the same entries (SPEC §9).

Each package with a description becomes one offering: its name and short
description make the title, the short description the summary, the long
description the description.  The area-specific parts are copied from the
built-in offerings (round robin over the areas), as in gen_offerings.py, so
that the area plugins accept them.

usage: apt-cache dumpavail | debian_offerings.py TEMPLATES.json > debian.json
"""

import json
import re
import sys


def packages(stream):
    """Yields (name, short, long) for each stanza with a description."""
    name, short, long_lines, in_desc = None, None, [], False
    for raw in stream:
        line = raw.rstrip("\n")
        if not line:
            if name and short:
                yield name, short, "\n".join(long_lines)
            name, short, long_lines, in_desc = None, None, [], False
            continue
        if line.startswith(" ") and in_desc:
            text = line[1:]
            long_lines.append("" if text.strip() == "." else text)
            continue
        in_desc = False
        if line.startswith("Package: "):
            name = line[9:].strip()
        elif line.startswith("Description: "):
            short = line[13:].strip()
            in_desc = True
    if name and short:
        yield name, short, "\n".join(long_lines)


def slug(name, seen):
    s = re.sub(r"[^a-z0-9-]", "-", name.lower())[:60].strip("-") or "pkg"
    base, n = s, 1
    while s in seen:
        n += 1
        s = "%s-%d" % (base[:56], n)
    seen.add(s)
    return s


def main():
    templates = [o for o in json.load(open(sys.argv[1])) if o["status"] == "active"]
    by_area = {}
    for t in templates:
        by_area.setdefault(t["area"], []).append(t)
    areas = sorted(by_area)
    seen = set()
    out = []
    for i, (name, short, long_text) in enumerate(packages(sys.stdin)):
        t = by_area[areas[i % len(areas)]][i % len(by_area[areas[i % len(areas)]])]
        title = ("%s: %s" % (name, short))[:200]
        out.append({
            "id": "DEB/" + slug(name, seen),
            "area": t["area"],
            "provider": {"ods": "DEB", "name": "Debian"},
            "title": title,
            "summary": short[:1000],
            "description": long_text[:20000],
            "delivery": t["delivery"],
            "duration_days": t["duration_days"],
            "capacity": t["capacity"],
            "price": t["price"],
            "regions": ["International"],
            "tags": ["debian"],
            "contact": "debian@example.nhs.uk",
            "attributes": t["attributes"],
        })
    json.dump(out, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
