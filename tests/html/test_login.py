#!/usr/bin/env python3
"""Signing in and out of the browser catalogue with a trust's hub token.

A good token (pasted with stray white space too) sets the fgcat_session
cookie -- the token, HttpOnly, SameSite=Strict, Path=/, not Secure on plain
HTTP -- and redirects to where the visitor was going (only ever a path on
this hub); a bad or empty token gets the sign-in page again with a message
and 401, and no cookie; a cookie that holds no valid token signs nobody in
and is cleared; signing out clears the cookie.  "My requests" sends a
visitor to /login (303).  Every POST with a foreign Origin is refused
(403), as are bodies that are not forms, too large or badly encoded.  No
page, URL or log line ever shows a token.
"""

import re

import htmltest
from htmltest import Hub, Client, expect


def cookie_attrs(res):
    """(value, {attribute: value}) of the response's fgcat_session cookie."""
    cookies = [c for c in res.headers.get("set-cookie", []) if c.startswith("fgcat_session=")]
    expect(len(cookies) == 1, "one fgcat_session cookie\n" + res.describe())
    parts = [p.strip() for p in cookies[0].split(";")]
    value = parts[0][len("fgcat_session="):]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return value, attrs


def signed_in_as(res):
    who = res.tree.find("span", cls="who")
    return who.find("strong").text() if who is not None else None


def check_visitor(client):
    res = client.get("/requests")
    expect(res.status == 303 and res.header("Location") == "/login?next=/requests",
           "a visitor's 'my requests' redirects to sign in\n" + res.describe())
    res = client.get(res.header("Location"))
    expect(res.status == 200, "the sign-in page answers\n" + res.describe())
    form = res.tree.find("form", cls="login")
    expect(form.attrs.get("method") == "post" and form.attrs.get("action") == "/login",
           "the sign-in form posts to /login")
    field = form.find("input", name="token")
    expect(field is not None and field.attrs.get("type") == "password",
           "the token goes in a password field")
    expect(form.find("input", name="next").attrs.get("value") == "/requests",
           "the form remembers where to go next")
    res = client.get("/")
    expect(signed_in_as(res) is None and res.tree.find("a", href="/login") is not None,
           "a visitor sees a sign-in link")


def check_good_login(hub):
    token = hub.token("RXX")
    client = Client(hub)
    for given, nxt, where in [(token, None, "/requests"),
                              ("  %s\r\n" % token, "/offerings/RTF/integrated-care-community-nursing",
                               "/offerings/RTF/integrated-care-community-nursing"),
                              (token, "//evil.example/", "/requests"),
                              (token, "https://evil.example/", "/requests"),
                              (token, "/\\evil.example", "/requests"),
                              (token, "/requests\r\nSet-Cookie: x=y", "/requests"),
                              (token, "/?q=<script>", "/requests")]:
        fields = {"token": given}
        if nxt is not None:
            fields["next"] = nxt
        res = client.post("/login", fields)
        expect(res.status == 303, "a good token signs in\n" + res.describe())
        expect(res.header("Location") == where,
               "after signing in with next=%r, go to %r\n%s" % (nxt, where, res.describe()))
        value, attrs = cookie_attrs(res)
        expect(value == token, "the cookie holds the token, trimmed")
        expect(attrs == {"path": "/", "httponly": "", "samesite": "Strict"},
               "the cookie is Path=/; HttpOnly; SameSite=Strict, not Secure over HTTP: %r"
               % attrs)
        expect(len(res.headers.get("set-cookie", [])) == 1, "one cookie only")
    client.cookie = token
    for path in ["/", "/requests", "/login", "/offerings/RTF/integrated-care-community-nursing"]:
        res = client.get(path)
        expect(res.status == 200 and signed_in_as(res) == "RXX",
               "%s shows the signed-in trust\n%s" % (path, res.describe()))
        expect(res.tree.find("form", action="/logout") is not None, "with a sign-out button")
        expect("set-cookie" not in res.headers, "a good session is left alone")
    # Signing out clears the cookie.
    res = client.post("/logout", {})
    expect(res.status == 303 and res.header("Location") == "/", "sign out goes home")
    value, attrs = cookie_attrs(res)
    expect(value == "" and attrs.get("max-age") == "0" and attrs.get("path") == "/",
           "signing out clears the cookie: %r" % attrs)
    res = client.get("/logout")
    expect(res.status == 405 and res.header("Allow") == "POST", "GET /logout is refused")


def check_bad_login(hub):
    client = Client(hub)
    real = hub.token("RYJ")
    for given, message in [("fgc_" + "0" * 64, "not valid"),
                           ("not-a-token", "not valid"),
                           (real[:-1], "not valid"),
                           (real + "0", "not valid"),
                           ("x" * 5000, "not valid"),
                           ("", "Enter"),
                           (None, "Enter")]:
        res = client.post("/login", {"token": given} if given is not None else {})
        expect(res.status == 401, "a bad token gets 401\n" + res.describe())
        expect("set-cookie" not in res.headers, "a bad token sets no cookie")
        expect(res.tree.find("form", cls="login") is not None, "the sign-in page again")
        errors = res.errors()
        expect(len(errors) == 1 and message in errors[0],
               "one message (%s): %r" % (message, errors))
        if given and len(given) > 8:
            expect(given not in res.body and given[4:] not in res.body,
                   "the page does not echo what was typed")
    # A cookie with no valid token in it: nobody is signed in, and it is cleared.
    for stale in ["fgc_" + "1" * 64, "garbage", "a;b", real + "x"]:
        client.cookie = stale
        res = client.get("/")
        expect(signed_in_as(res) is None, "cookie %r signs nobody in" % stale)
        value, attrs = cookie_attrs(res)
        expect(value == "" and attrs.get("max-age") == "0", "a stale cookie is cleared")
        res = client.get("/requests")
        expect(res.status == 303 and res.header("Location").startswith("/login"),
               "a stale cookie does not open 'my requests'")


def check_posts(hub):
    token = hub.token("RBV")
    client = Client(hub)
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1",
                   "https://" + hub.host, hub.origin + ".evil.example",
                   "http://" + hub.host + "@evil.example"]:
        res = client.post("/login", {"token": token}, origin=origin)
        expect(res.status == 403, "Origin %r is refused\n%s" % (origin, res.describe()))
        expect("set-cookie" not in res.headers, "a refused sign-in sets no cookie")
    # A form sent without an Origin header (older browsers) is taken.
    res = client.post("/login", {"token": token}, origin=None)
    expect(res.status == 303, "no Origin: allowed\n" + res.describe())
    res = client.post("/login", {"token": token}, origin=hub.origin.upper())
    expect(res.status == 303, "Origin matching in another case is the same origin")
    # Not a form, too large, badly encoded.
    res = client.request("POST", "/login", body='{"token": "%s"}' % token,
                         headers={"Content-Type": "application/json"})
    expect(res.status == 415, "a JSON body is refused\n" + res.describe())
    res = client.post("/login", "token=" + "a" * (65 * 1024))
    expect(res.status == 413, "a 65 KiB form is refused\n" + res.describe())
    for raw in ["token=%zz", "token=%", "token=%0", "token=a%00b", "token=%FF",
                "&".join("f%d=x" % i for i in range(40))]:
        res = client.post("/login", raw)
        expect(res.status == 400, "form %r is refused\n%s" % (raw[:40], res.describe()))
    res = client.request("POST", "/requests", body="x=1")
    expect(res.status == 405, "POST /requests is not a thing\n" + res.describe())


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-login") as box:
        box.seed()
        with Hub(box) as hub:
            check_visitor(Client(hub))
            check_good_login(hub)
            check_bad_login(hub)
            check_posts(hub)
            log = hub.read_log()
            expect(re.search(r"POST /login 303 RXX ", log),
                   "the hub's log names the trust that signed in\n" + log)
            expect(re.search(r"POST /login 401 - ", log), "and a failed sign-in as anonymous")


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
