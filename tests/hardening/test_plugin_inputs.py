#!/usr/bin/env python3
"""A plugin whose offerings, messages and descriptor are hostile.

tests/plugins/hostile.c registers, by FGCAT_HOSTILE mode, an offering with
SQL or FTS5 syntax in its title, 1 MiB fields, bytes that are not UTF-8,
control characters, NULL strings, ids with ../ or another provider's
prefix, another plugin's area, INT64_MAX and INT64_MIN, attributes 10,000
levels deep, 1 MiB or not JSON, 10,000 tags, duplicate ids, struct sizes
of 0, 8 and 1 MiB; validate and quote messages that fill the buffer with
no NUL, a line break, an escape and bad bytes; quotes of -1, INT64_MAX and
an unterminated currency; 1 MiB and control-laden log lines; a descriptor
with control characters and bad bytes.

fgcat refresh, next to the well-behaved test-area plugin, must refuse the
plugin (exit 4, one "refused" line naming its file and the field) and keep
the catalogue as it was, or store the offering exactly (text that is only
data, a struct larger than the host's); stderr is always "fgcat: " lines,
each one line of UTF-8 with no control character.  request create with a
misbehaving quote refuses clearly or stores a sane quote.  fgcat plugins
--json stays JSON.  A hub running the plugin answers a push it validates
and a request form it quotes with a 4xx and clean JSON or a UTF-8 page.
"""

import json
import os
import re
import time

import hardentest as H
from hardentest import Failure, expect

# Modes whose offering is data the catalogue must take as it is.
ACCEPTED = {"sql-title": "'; DROP TABLE offering; -- probe",
            "fts-title": "NEAR(\"probe\" OR * AND ^title: {x}",
            "bidi-title": "probe \u202eexe.gnp \U0001F489",
            "struct-huge": "Hostile probe", "log-hostile": "Hostile probe"}
# Modes the plugin must be refused for, and a word its refusal must name.
REFUSED = {
    "big-title": "title", "big-summary": "summary", "big-description": "description",
    "big-provider": "provider", "big-contact": "contact", "utf8-title": "title",
    "utf8-region": "regions", "utf8-contact": "contact", "control-title": "title",
    "control-region": "regions", "null-id": "id", "null-title": "title",
    "null-summary": "summary", "null-area": "area", "null-provider": "provider",
    "null-delivery": "delivery", "null-unit": "unit", "null-contact": "contact",
    "null-ods": "ods", "path-id": "id", "sql-id": "id", "other-prefix": "",
    "other-area": "area", "unknown-area": "area", "sql-area": "area",
    "max-numbers": "", "min-numbers": "", "bad-delivery": "delivery", "bad-unit": "unit",
    "bad-currency": "currency", "utf8-currency": "currency", "deep-attributes": "attributes",
    "big-attributes": "attributes", "bad-attributes": "attributes",
    "utf8-attributes": "attributes", "huge-attributes-number": "attributes",
    "many-tags": "tags", "bad-tags": "tags", "many-regions": "regions",
    "big-region": "regions", "duplicate-id": "twice", "struct-zero": "struct_size",
    "struct-small": "struct_size", "validate-msg": "refused", "register-fails": "failed",
}


def clean_stderr(res):
    """Every stderr line is "fgcat: ...", UTF-8, with no control character
    (a plugin's bytes escaped)."""
    for line in res.stderr_lines:
        expect(line.startswith("fgcat: "), "a stderr line that is not fgcat's", res)
        expect(not re.search(r"[\x00-\x1f\x7f]", line), "a control character on stderr", res)
        expect("\ufffd" not in line, "stderr is not UTF-8 (a plugin's bytes unescaped)", res)


def main(opts):
    t0 = time.monotonic()
    with H.clitest.Sandbox(opts, "fgcat-harden-plugin") as box:
        hostile = os.path.dirname(box.test_plugin("hostile"))
        area = os.path.dirname(box.test_plugin("test-area"))
        box.env["FGCAT_PLUGIN_PATH"] = hostile + ":" + area
        box.ok(["refresh"])

        def run(args, mode=""):
            return box.run(args, env={"FGCAT_HOSTILE": mode})

        state = H.State(run, box.db)
        for mode, word in REFUSED.items():
            res = run(["refresh"], mode)
            try:
                expect(res.code == 4, "refresh with a refused plugin exits 4", res)
                clean_stderr(res)
                refused = [l for l in res.stderr_lines if "hostile.so refused" in l]
                expect(len(refused) == 1, "one line says the plugin was refused", res)
                expect(word.lower() in refused[0].lower(), "the refusal names %r" % word, res)
                expect(re.search(r"\(plugins: 1 applied, 1 refused\)", res.stdout),
                       "test-area is applied, hostile refused", res)
                H.State(run, box.db).same(state, "refresh with the plugin refused")
            except Failure as e:
                raise Failure("FGCAT_HOSTILE=%s: %s" % (mode, e)) from None

        for mode, title in ACCEPTED.items():
            res = run(["refresh"], mode)
            try:
                expect(res.code == 0, "refresh exits 0", res)
                clean_stderr(res)
                shown = run(["show", "HOS/probe", "--json"]).json()
                expect(shown["title"] == title and shown["status"] == "active",
                       "the probe is stored as %r, not %r" % (shown["title"], title), res)
                found = run(["search", "probe", "--area", "hostile-area", "--json"]).json()
                expect("HOS/probe" in [o["id"] for o in found], "search finds the probe", res)
                if mode == "log-hostile":
                    expect(any("forged" in l for l in res.stderr_lines)
                           and not any(l.startswith("fgcat: forged") for l in res.stderr_lines),
                           "the plugin's log line is one escaped line", res)
            except Failure as e:
                raise Failure("FGCAT_HOSTILE=%s: %s" % (mode, e)) from None
        res = run(["refresh"])
        expect(res.code == 0, "refresh without the probe", res)
        expect(run(["show", "HOS/probe", "--json"]).json()["status"] == "withdrawn",
               "the probe is withdrawn once no longer registered")
        state = H.State(run, box.db)

        # Quotes: a refusal in one clean line, or a sane quote stored.
        for mode in ("quote-msg", "quote-negative", "quote-overflow", "quote-currency",
                     "quote-failed", "all-msg"):
            res = run(["request", "create", "HOS/baseline", "--org", "RXX", "--quantity", "2",
                       "--json"], mode)
            try:
                clean_stderr(res)
                if res.code == 0:
                    quote = res.json()["quote"]
                    expect(isinstance(quote["amount_pence"], int) and quote["amount_pence"] >= 0
                           and re.fullmatch(r"[A-Z]{3}", quote["currency"]),
                           "a stored quote is sane: %r" % quote, res)
                    state = H.State(run, box.db)
                else:
                    H.refusal(res, (1, 4))
                    H.State(run, box.db).same(state, "a refused quote")
            except Failure as e:
                raise Failure("FGCAT_HOSTILE=%s: %s" % (mode, e)) from None

        # The descriptor: refused at load, reported cleanly, JSON intact.
        res = run(["plugins", "--json"], "desc-hostile")
        clean_stderr(res)
        plugins = {p["id"]: p for p in res.json()}
        expect(plugins["hostile"]["state"] == "refused"
               and plugins["test-area"]["state"] == "loaded",
               "the hostile descriptor is refused, test-area loaded", res)
        res = run(["plugins"], "desc-hostile")
        expect(res.code == 0 and not re.search(r"[\x00-\x09\x0b-\x1f\x7f\ufffd]", res.stdout),
               "fgcat plugins prints no control character", res)
        res = run(["plugins", "check", box.test_plugin("hostile")], "desc-hostile")
        expect(res.code == 4 and not re.search(r"[\x00-\x09\x0b-\x1f\x7f\ufffd]",
                                              res.stdout + res.stderr),
               "plugins check refuses the descriptor cleanly", res)
        res = run(["refresh"], "desc-hostile")
        expect(res.code == 4, "refresh with an unloadable plugin exits 4", res)
        clean_stderr(res)
        H.State(run, box.db).same(state, "a plugin whose descriptor is refused")
        H.integrity(box.db)
    print("plugin modes: %d refused, %d accepted (%.1f s)" % (len(REFUSED), len(ACCEPTED),
                                                              time.monotonic() - t0))


def hub_scenario(opts):
    """A hub running the plugin with misbehaving validate and quote."""
    with H.synctest.Scene(opts) as scene:
        hub = scene.hub()
        hostile = os.path.join(os.path.abspath(opts.test_plugins), "hostile")
        hub.env["FGCAT_PLUGIN_PATH"] = hostile + ":" + scene.test_area_dir
        hub.run(["refresh"])
        hos = hub.token("HOS")
        hub.env["FGCAT_HOSTILE"] = "all-msg"
        hub.start()
        rxx = H.sign_in(hub, "RXX")[0]
        before = H.State(lambda a: hub.sandbox.run(a, env=hub.env), hub.db)

        base = hub.export()["HOS/baseline"]
        probe = dict(base, id="HOS/probe", title="Hostile probe", rev=1)
        for item, token in (({"kind": "offering", "record": probe}, hos),):
            ans = H.http(hub.port, "POST", "/v1/push", token=token, body=json.dumps(
                {"items": [item]}), headers=[("Content-Type", "application/json"),
                                             ("Idempotency-Key", "p1")])
            body = ans.json()
            expect(ans.status == 200 and body and body["results"][0]["status"] == "invalid",
                   "the hub refuses the probe its plugin does not validate\n" + ans.describe())
            reason = body["results"][0].get("reason", "")
            expect(not re.search(r"[\x00-\x1f\x7f]", reason), "the reason has no control "
                   "character: %r" % reason)
        # The request form: the plugin's refusal shown on a UTF-8 page.
        start = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
        ans = H.request_form(hub.port, rxx, "HOS/baseline", "quantity=2&start=" + start)
        expect(ans.status == 422, "the plugin's refusal is a 422 page\n" + ans.describe())
        text = ans.body.decode("utf-8")  # fails when the page is not UTF-8
        expect("refused" in text and "\x1b" not in text, "the page shows the refusal, "
               "escaped\n" + ans.describe())
        ans = H.http(hub.port, "GET", "/v1/health")
        expect(ans.status == 200, "the hub is healthy")
        after = H.State(lambda a: hub.sandbox.run(a, env=hub.env), hub.db)
        after.tables.pop("idempotency", None)
        before.tables.pop("idempotency", None)
        before.same(after, "a hub refusing with a hostile plugin's messages")


if __name__ == "__main__":
    def both(opts):
        main(opts)
        hub_scenario(opts)
    H.main(both, __doc__)
