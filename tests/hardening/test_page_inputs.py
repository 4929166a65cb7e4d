#!/usr/bin/env python3
"""Hostile input to the hub's browser catalogue: its query strings and forms.

The search page's every field (q, area, provider, delivery, region, tag,
max_price, limit, offset, include_withdrawn), offering paths, the sign-in
form (email, password and next, with open redirects and CR/LF header
injection),
the request form of an offering page (quantity, start, contact, note), the
session cookie and the form encoding itself get SQL and FTS5 syntax,
markup, cut characters, %00 and bytes that are not UTF-8, 60 KiB and 1 MiB
values, numbers that do not fit, too many and repeated fields.

Every answer must be a page (status < 500, text/html in UTF-8, only the
elements the pages are built from and no event handler attribute, as
tests/html checks every page) or a redirect to a path on the hub itself;
no answer may carry a header the hub did not mean (a second Set-Cookie, a
Location off the hub or with CR/LF).  What was refused left the hub's
catalogue as it was; a request the form accepted holds exactly what was
typed.  The hub stays healthy and stops cleanly (synctest).
"""

import os
import sys
import time
import urllib.parse

import hardentest as H
from hardentest import Failure, expect, http, quote

sys.path.insert(0, os.path.join(os.path.dirname(H.HERE), "html"))
import htmltest  # noqa: E402

synctest = H.synctest
HEADERS = {"date", "connection", "content-type", "content-length", "content-security-policy",
           "cache-control", "referrer-policy", "x-content-type-options", "x-frame-options",
           "location", "set-cookie", "allow", "vary"}


def scenario(scene):
    t0 = time.monotonic()
    hub = scene.hub(offerings="alpha,beta,gamma").start()
    port = hub.port
    origin = "http://127.0.0.1:%d" % port
    rxx, email, password = H.sign_in(hub, "RXX")
    start = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    count = [0]

    def run(args):
        return hub.sandbox.run(args, env=hub.env)

    def state():
        return H.State(run, hub.db)

    baseline = [state()]

    def judge(ans, what, proto=False):
        count[0] += 1
        try:
            if ans.status is None:
                expect(proto, "the hub closed the connection without an answer")
                return
            expect(ans.status < 500, "a 5xx answer")
            names = [k for k, _ in ans.headers]
            expect(set(names) <= HEADERS, "unexpected headers %s" % (set(names) - HEADERS))
            cookies = [v.split("=", 1)[0] for k, v in ans.headers if k == "set-cookie"]
            expect(len(cookies) == len(set(cookies)) and
                   set(cookies) <= {"fgcat_session", "fgcat_csrf"} and
                   names.count("location") <= 1,
                   "a header twice, or a cookie the pages do not set")
            loc = ans.header("location")
            if loc is not None:
                expect(loc.startswith("/") and not loc.startswith(("//", "/\\"))
                       and not any(c in loc for c in "\r\n\\"),
                       "a redirect off the hub or with a control character: %r" % loc)
            if (ans.header("content-type") or "").startswith("text/html") and \
                    ans.status != 303:
                res = htmltest.Response("GET", what, ans.status, ans.headers, ans.body)
                htmltest.check_page(res)
                expect(rxx not in res.body and password not in res.body,
                       "a page shows the session secret or the password")
            elif ans.header("content-type") is None and 400 <= ans.status < 500:
                # libmicrohttpd's own refusal of a request it could not
                # parse (e.g. 431 for a Cookie header with a lone quote).
                pass
            else:
                expect(proto or ans.status in (303, 304), "an answer that is not a page")
        except (Failure, UnicodeDecodeError) as e:
            raise Failure("%s:\n%s\n%s" % (what, e, ans.describe())) from None

    def checkpoint(what, changed=False):
        expect(hub.health()["status"] == "ok", "the hub is not healthy after " + what)
        now = state()
        if changed:
            baseline[0] = now
        else:
            baseline[0].same(now, what)

    def get(path, cookie=None, headers=()):
        h = list(headers)
        if cookie is not None:
            h.append(("Cookie", cookie))
        return http(port, "GET", path, headers=h)

    def post(path, body, cookie="fgcat_session=" + rxx, headers=None):
        h = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin)] \
            if headers is None else list(headers)
        if cookie:
            h.append(("Cookie", cookie))
        return http(port, "POST", path, headers=h, body=body)

    def enc(v):
        """A form or query value: str percent-encoded; bytes sent as they are."""
        return v.decode("latin-1") if isinstance(v, bytes) else quote(v)

    # ---- the search page -----------------------------------------------------
    texts = H.CORE_TEXTS + H.CUT_TEXTS + [b"%ff", b"%c3", b"a%00b", H.big(6000), H.TEXTS[13]]
    for v in texts:
        judge(get("/?q=" + enc(v)), "/?q=%r" % (v[:60],))
    for field in ("area", "provider", "delivery", "region", "tag"):
        for v in H.CORE_TEXTS[:5] + H.CUT_TEXTS[1:3] + [b"%ff", b"%00"]:
            judge(get("/?q=test&%s=%s" % (field, enc(v))), "/?%s=%r" % (field, v[:60]))
    for field in ("max_price", "limit", "offset", "include_withdrawn"):
        for v in H.NUMBERS:
            judge(get("/?q=test&%s=%s" % (field, quote(v))), "/?%s=%r" % (field, v[:60]))
    for qs in ("q=a&q=b&q=%27", "limit=1&limit=1e400", "&&&", "=", "q=%", "q=%2",
               "&".join("a" for _ in range(4000))):
        judge(get("/?" + qs), "/?%s" % qs[:60])
    for v in H.CORE_TEXTS + H.CUT_TEXTS[:3] + [b"%00", b"%ff", b"..%2F..%2Fetc%2Fpasswd",
                                                 b"TST/alpha%00", b"TST/alpha/../beta"]:
        p = "/offerings/" + enc(v)
        judge(get(p), "GET %r" % p[:80])
        judge(get(p, cookie="fgcat_session=" + rxx), "GET %r signed in" % p[:80])
    checkpoint("the search page")

    # ---- signing in ----------------------------------------------------------
    nexts = ["//evil.example/", "/\\evil.example", "javascript:alert(1)", "http://evil.example",
             "/requests\r\nSet-Cookie: evil=1", "/x\r\n\r\n<script>", "/%2F%2Fevil.example",
             "/" + "a" * 5000, H.TEXTS[0], H.CUT_TEXTS[1], "/\u00e9", "/offerings/TST/alpha"]
    for v in nexts:
        judge(get("/login?next=" + quote(v)), "GET /login?next=%r" % v[:60])
        judge(post("/login", "email=%s&password=%s&next=%s"
                   % (quote(email), quote(password), quote(v)), cookie=None),
              "sign in with next=%r" % v[:60])
    values = H.CORE_TEXTS + H.CUT_TEXTS[:2] + [b"%00", b"%ff%fe", " %s " % email,
                                                email + "%00", email[:-1], email.upper(),
                                                H.big(60000), email * 3]
    for v in values:
        judge(post("/login", "email=%s&password=%s" % (enc(v), quote(password)), cookie=None),
              "sign in with %r" % (v[:60],))
        judge(post("/login", "email=%s&password=%s" % (quote(email), enc(v)), cookie=None),
              "sign in with password %r" % (v[:60],))
    judge(post("/login", "email=" + "x" * H.MIB, cookie=None), "a 1 MiB sign-in form")
    cookies = (["fgcat_session=" + v for v in H.CORE_TEXTS[:5] + H.CUT_TEXTS[:1]]
               + ["fgcat_session=" + "x" * 100000,
                  "fgcat_session=%s; fgcat_session=nonsense" % rxx,
                  "fgcat_session=nonsense; fgcat_session=%s" % rxx,
                  "fgcat_session=%s; other=%s" % (rxx, quote(H.TEXTS[0])), "fgcat_session",
                  "=; ;;=", b"fgcat_session=\xff"])
    for c in cookies:
        for p in ("/requests", "/", "/offerings/TST/alpha"):
            judge(get(p, cookie=c), "GET %s with the cookie %r" % (p, c[:60]),
                  proto=len(c) > 50000)
    checkpoint("signing in")

    # ---- the request form ----------------------------------------------------
    form = "/offerings/TST/alpha/request"

    def fields_dict(**over):
        f = {"quantity": "2", "start": start, "contact": "a@b.example", "note": "probe"}
        f.update(over)
        return f

    def fields(**over):
        return "&".join("%s=%s" % (k, enc(v)) for k, v in fields_dict(**over).items())

    def requests():
        return {r["id"]: r for r in hub.run(["request", "list", "--json"]).json()}

    def form_post(what, **over):
        """Posts the form with fields `over`; a 201 (the new request's page)
        must have stored exactly one request holding what was typed,
        anything else none."""
        before = requests()
        ans = post(form, fields(**over))
        judge(ans, what)
        new = [r for k, r in requests().items() if k not in before]
        if ans.status != 201:
            expect(not new, "%s: refused (%s), yet a request was stored" % (what, ans.status))
            return
        expect(len(new) == 1, "%s: answered 201 and stored %d requests" % (what, len(new)))
        r, want = new[0], fields_dict(**over)
        got = {"quantity": str(r["quantity"]), "start": r["start"] or "",
               "contact": r["requester"].get("contact") or "", "note": r["note"] or ""}
        for k in got:
            typed = want[k].decode("latin-1") if isinstance(want[k], bytes) else want[k]
            typed = urllib.parse.unquote(typed) if isinstance(want[k], bytes) else typed
            if k == "quantity":
                expect(int(got[k]) == int(typed.strip()), "%s: quantity %s stored as %s"
                       % (what, typed, got[k]))
            else:
                expect(got[k] == typed, "%s: %s %r stored as %r" % (what, k, typed, got[k]))

    for v in H.NUMBERS + H.CORE_TEXTS[:4]:
        form_post("quantity %r" % v[:40], quantity=v)
    for v in H.CORE_TEXTS + H.CUT_TEXTS[:3] + ["99999-01-01", "2027-02-30", b"%00", b"%ff"]:
        form_post("start %r" % (v[:40],), start=v)
    for v in H.CORE_TEXTS + H.CUT_TEXTS[:3] + [b"a%ff@b.example", b"a%00@b.example",
                                                 "a@b.example" + "x" * 300]:
        form_post("contact %r" % (v[:40],), contact=v)
    for v in [b"a%00b", b"%ff", b"%c3", H.big(70000)]:
        form_post("note %r" % (v[:40],), note=v)
    checkpoint("request forms", changed=True)
    before = len(hub.run(["request", "list", "--json"]).json())
    judge(post(form, "&".join("f%d=x" % i for i in range(17))), "17 fields")
    judge(post(form, fields(quantity="1e400") + "&quantity=-1"), "quantity twice")
    judge(post(form, "%zz=1&quantity=%"), "a bad escape")
    judge(post(form, b"quantity=2\x00&start=" + start.encode()), "a raw NUL")
    judge(post(form, fields(), headers=[("Content-Type", "multipart/form-data; boundary=x"),
                                        ("Origin", origin)]), "multipart")
    judge(post(form, fields(), headers=[("Content-Type", "application/x-www-form-urlencoded"),
                                        ("Origin", H.TEXTS[0])]), "a hostile Origin")
    judge(post(form, fields(), cookie="fgcat_session=" + H.TEXTS[0]), "signed out")
    judge(post("/offerings/" + quote(H.TEXTS[0]) + "/request", fields()), "a hostile id")
    judge(post("/offerings/%00/request", fields()), "a NUL id")
    after = hub.run(["request", "list", "--json"]).json()
    expect(len(after) == before, "a refused form stored a request: %d, then %d"
           % (before, len(after)))
    checkpoint("refused request forms")

    # Hostile but well-formed text is data: stored exactly as typed.
    for i, note in enumerate(H.CORE_TEXTS[:7] + [H.TEXTS[13], H.big(20000)]):
        if "\n" in note or not note.strip():
            continue
        ans = post(form, fields(note=note, contact="n%d@b.example" % i))
        judge(ans, "note %r" % note[:40])
        mine = [r for r in hub.run(["request", "list", "--org", "RXX", "--json"]).json()
                if r["requester"].get("contact") == "n%d@b.example" % i]
        if ans.status == 201:
            expect(len(mine) == 1 and mine[0]["note"] == note,
                   "the form stored the note %r as %r" % (note[:60], [r["note"] for r in mine]))
        else:
            expect(not mine, "a refused form stored a request")
    checkpoint("well-formed hostile notes", changed=True)

    for method, path, status, org in hub.requests_since(0):
        expect(status < 500, "the hub logged %s for %s %s" % (status, method, path[:100]))
    for line in hub.log().splitlines():
        expect(line.startswith("fgcat: "), "a log line that is not the hub's: %r" % line[:200])
    H.integrity(hub.db)
    print("%d hostile requests, %.1f s" % (count[0], time.monotonic() - t0))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
