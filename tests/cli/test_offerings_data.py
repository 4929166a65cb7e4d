#!/usr/bin/env python3
"""Offerings are data: a service team changes a built-in offering by
editing JSON, and an operator adds or overrides offerings from a directory.

1. A copy of the built-in plugin directory (each plugin with its data
   directory, <plugin dir>/<name>/offerings.json): editing one offering's
   price and title in productivity's offerings.json and running `fgcat
   refresh` changes that offering (a new rev) and nothing else; adding an
   offering to the file adds it; taking it out withdraws it.
2. A broken offerings.json (not JSON; JSON with a bad field) refuses that
   plugin only, with one line naming the file and, for a bad field, the
   offering and the field; the catalogue keeps the plugin's previous
   offerings.
3. The operator's directory (`fgcat config set offerings-dir ./ops`, a
   relative path as users type it): an override replaces a built-in
   offering, a new offering is added in a built-in area, both checked by
   the area's plugin; a broken file stops the refresh with one line naming
   file and offering and changes nothing; `config unset` and a refresh
   bring back the built-in offering and withdraw the added one.
"""

import copy
import json
import os
import re
import shutil

import clitest
from clitest import Sandbox, expect, one_error_line

BUILTIN = ["clinical-effectiveness", "health-planning", "integrated-care-training",
           "productivity"]
TARGET = "RTF/lean-delivery-diagnostic"


def copy_plugins(box):
    """A private copy of the built-in plugins with their data directories."""
    dest = os.path.join(box.tmp, "plugins")
    os.mkdir(dest)
    for name in BUILTIN:
        shutil.copy(os.path.join(box.plugins, name + ".so"), dest)
        shutil.copytree(os.path.join(box.plugins, name), os.path.join(dest, name))
    return dest


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)


def refresh(box, env, code=0):
    res = box.run(["refresh", "--json"], env=env)
    expect(res.code == code, "refresh should exit %d" % code, res)
    return res


def show(box, env, oid):
    return box.ok(["show", oid, "--json"], env=env).json()


def edit_builtin_json(box):
    plugins = copy_plugins(box)
    env = {"FGCAT_PLUGIN_PATH": plugins}
    data_file = os.path.join(plugins, "productivity", "offerings.json")
    original = load(data_file)
    ids = [o["id"] for o in original]
    expect(TARGET in ids, "productivity's offerings.json should hold %s: %r" % (TARGET, ids))

    box.ok(["refresh"], env=env)
    before = show(box, env, TARGET)
    exported = {o["id"]: o for o in box.ok(["export"], env=env).json()}

    # A service team changes a price and a title: one change, a new rev.
    edited = copy.deepcopy(original)
    mine = [o for o in edited if o["id"] == TARGET][0]
    mine["price"]["amount_pence"] += 12345
    mine["title"] = "Lean delivery diagnostic (revised prices)"
    save(data_file, edited)
    rep = refresh(box, env).json()
    expect(rep["changed"] == 1 and rep["added"] == 0 and rep["withdrawn"] == 0,
           "editing one offering in offerings.json should change exactly one: %r" % rep)
    after = show(box, env, TARGET)
    expect(after["price"]["amount_pence"] == before["price"]["amount_pence"] + 12345
           and after["title"] == mine["title"] and after["rev"] == before["rev"] + 1,
           "the edited offering should carry the new price and title with a new rev: %r"
           % after)
    for o in box.ok(["export"], env=env).json():
        if o["id"] != TARGET:
            expect(o == exported[o["id"]], "%s should not change: %r" % (o["id"], o))

    # A new offering in the file is added; taking it out withdraws it.
    extra = copy.deepcopy(mine)
    extra["id"] = "RTF/lean-delivery-short-course"
    extra["title"] = "Lean delivery: a short course"
    save(data_file, edited + [extra])
    rep = refresh(box, env).json()
    expect(rep["added"] == 1 and rep["changed"] == 0, "a new offering should be added: %r" % rep)
    save(data_file, edited)
    rep = refresh(box, env).json()
    expect(rep["withdrawn"] == 1, "an offering taken out should be withdrawn: %r" % rep)
    expect(show(box, env, extra["id"])["status"] == "withdrawn", "it should show withdrawn")

    # Not JSON: productivity is refused, named with the file and the place.
    with open(data_file, "w", encoding="utf-8") as f:
        f.write('[{"id": "RTF/broken",\n')
    res = refresh(box, env, 4)
    one_error_line(res, 4, r"^fgcat: plugin .*productivity\.so refused: %s: line \d+, "
                   r"column \d+: " % re.escape(data_file))
    rep = res.json()
    expect(rep["plugins_ok"] == 3 and rep["plugins_refused"] == 1 and rep["withdrawn"] == 0,
           "only productivity should be refused, and nothing withdrawn: %r" % rep)
    expect(show(box, env, TARGET)["title"] == mine["title"],
           "the refused plugin's offerings should stay as they were")

    # A bad field: the file, the offering and the field are named.
    bad = copy.deepcopy(edited)
    [o for o in bad if o["id"] == TARGET][0]["price"]["unit"] = "per-widget"
    save(data_file, bad)
    res = refresh(box, env, 4)
    one_error_line(res, 4, r"^fgcat: plugin .*productivity\.so refused: %s: offering "
                   r"'%s': .*unit" % (re.escape(data_file), re.escape(TARGET)))

    # A rule of the area's plugin: the plugin's own sentence.
    bad = copy.deepcopy(edited)
    [o for o in bad if o["id"] == TARGET][0]["attributes"]["lead_days_min"] = -1
    save(data_file, bad)
    res = refresh(box, env, 4)
    one_error_line(res, 4, r"%s: offering '%s': .*lead_days_min"
                   % (re.escape(data_file), re.escape(TARGET)))

    # Missing: named too.
    os.remove(data_file)
    res = refresh(box, env, 4)
    one_error_line(res, 4, r"refused: %s: No such file" % re.escape(data_file))


def operator_dir(box):
    env = {}
    box.seed()
    builtin = show(box, env, TARGET)
    ops = os.path.join(box.tmp, "ops")
    os.mkdir(ops)

    override = {k: v for k, v in builtin.items() if k not in ("rev", "updated_at", "status")}
    override["title"] = "Lean delivery diagnostic (group rate)"
    override["price"] = dict(override["price"], amount_pence=1000000)
    added = copy.deepcopy(override)
    added["id"] = "RXX/lean-delivery-local"
    added["provider"] = {"ods": "RXX", "name": "Example Member NHS Trust"}
    added["title"] = "Lean delivery, run by the member trust"
    save(os.path.join(ops, "10-override.json"), override)   # one object
    save(os.path.join(ops, "20-added.json"), [added])       # an array

    res = box.ok(["config", "set", "offerings-dir", "ops"])
    expect(os.path.realpath(ops) in res.stdout, "config set should print the absolute path",
           res)
    res = box.ok(["config", "get", "offerings-dir"])
    expect(res.stdout.strip() == os.path.realpath(ops),
           "config get should print the stored absolute path", res)
    rep = refresh(box, env).json()
    expect(rep["changed"] == 1 and rep["added"] == 1 and rep["withdrawn"] == 0,
           "the override should change one offering and the new one be added: %r" % rep)
    got = show(box, env, TARGET)
    expect(got["title"] == override["title"] and got["price"]["amount_pence"] == 1000000,
           "the operator's override should replace the built-in offering: %r" % got)
    expect(show(box, env, added["id"])["status"] == "active", "the added offering is active")
    rep = refresh(box, env).json()
    expect(rep["changed"] == 0 and rep["added"] == 0 and rep["withdrawn"] == 0,
           "a second refresh should change nothing: %r" % rep)

    # Checked by the area's plugin like any offering: the file and the id.
    bad = copy.deepcopy(added)
    bad["attributes"]["lead_days_min"] = 9999
    save(os.path.join(ops, "20-added.json"), [bad])
    res = refresh(box, env, 4)
    one_error_line(res, 4, r"refused: %s: offering '%s': .*lead_days_min"
                   % (re.escape(os.path.join(os.path.realpath(ops), "20-added.json")),
                      re.escape(added["id"])))

    # A broken file stops the refresh with one line naming it; nothing moves.
    save(os.path.join(ops, "20-added.json"), [added])
    with open(os.path.join(ops, "30-broken.json"), "w", encoding="utf-8") as f:
        f.write('[{"id": "RXX/half", "area": "productivity"}, 7]')
    before = box.ok(["export"]).json()
    res = box.run(["refresh"])
    one_error_line(res, 2, r"^fgcat: %s: element \[1\] is not an offering object$"
                   % re.escape(os.path.join(os.path.realpath(ops), "30-broken.json")))
    with open(os.path.join(ops, "30-broken.json"), "w", encoding="utf-8") as f:
        json.dump([{"id": added["id"], "area": "productivity"}], f)
    res = box.run(["refresh"])
    one_error_line(res, 2, r"30-broken\.json: offering '%s' is also in .*20-added\.json$"
                   % re.escape(added["id"]))
    expect(box.ok(["export"]).json() == before, "a refused refresh should change nothing")
    os.remove(os.path.join(ops, "30-broken.json"))

    # An area no plugin provides: a warning, the rest applies.
    stray = dict(copy.deepcopy(added), id="RXX/stray", area="no-such-area")
    save(os.path.join(ops, "40-stray.json"), stray)
    res = box.run(["refresh"])
    expect(res.code == 0 and len(res.stderr_lines) == 1
           and "40-stray.json: offering 'RXX/stray' is not applied: no loaded plugin "
               "provides area 'no-such-area'" in res.stderr,
           "an offering of an unknown area should be one warning", res)
    os.remove(os.path.join(ops, "40-stray.json"))

    # Unset: the built-in offering is back, the added one withdrawn.
    box.ok(["config", "unset", "offerings-dir"])
    res = box.ok(["config", "--json"])
    expect(res.json() == {"offerings-dir": None, "hub-url": None},
           "config --json after unset", res)
    rep = refresh(box, env).json()
    expect(rep["changed"] == 1 and rep["withdrawn"] == 1,
           "unsetting should restore one and withdraw one: %r" % rep)
    got = show(box, env, TARGET)
    expect(got["title"] == builtin["title"] and got["price"] == builtin["price"],
           "the built-in offering should be back: %r" % got)

    # Usage errors.
    one_error_line(box.run(["config", "set", "offerings-dir", "no-such-dir"]), 2,
                   r"offerings-dir no-such-dir: No such file")
    one_error_line(box.run(["config", "set", "colour", "blue"]), 2, r"not a setting")

    # The hub's address: stored without a trailing slash, checked, and
    # nothing changed by a refused value.
    res = box.ok(["config", "set", "hub-url", "https://hub.example.nhs.uk/"])
    expect(res.stdout == "hub-url = https://hub.example.nhs.uk\n", "hub-url set", res)
    for bad in ("ftp://hub.example.nhs.uk", "https://hub.example.nhs.uk/x", "https://",
                "https://hub example"):
        one_error_line(box.run(["config", "set", "hub-url", bad]), 2, r"hub-url")
    expect(box.ok(["config", "get", "hub-url"]).stdout == "https://hub.example.nhs.uk\n",
           "refused values change nothing")


def main(opts):
    with Sandbox(opts) as box:
        edit_builtin_json(box)
    with Sandbox(opts) as box:
        operator_dir(box)


if __name__ == "__main__":
    clitest.main(main, __doc__.splitlines()[0])
