#!/usr/bin/env python3
"""Signing in and out of the browser catalogue with a personal account.

A person made with `fgcat user add` and given a password through the
one-time link of `fgcat user reset` signs in with their address (any case)
and password: the fgcat_session cookie holds a random session secret (not
a token), HttpOnly, SameSite=Strict, Path=/, not Secure on plain HTTP, and
the visitor goes where they were going (only ever a path on this hub).  A
wrong password or unknown address gets the sign-in page again with the
same message and 401, and no cookie; a sync token never signs anyone in;
a cookie that names no live session signs nobody in and is cleared;
signing out ends the session on the hub (the old cookie no longer
works).  "My requests" sends a visitor to /login (303).  Every POST with
a foreign Origin is refused (403), as are bodies that are not forms, too
large or badly encoded.  No page, URL or log line ever shows a secret.
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
    expect(form.find("input", name="email").attrs.get("type") == "email" and
           form.find("input", name="password").attrs.get("type") == "password",
           "the form asks for an email address and a password")
    expect(form.find("input", name="next").attrs.get("value") == "/requests",
           "the form remembers where to go next")
    res = client.get("/")
    expect(signed_in_as(res) is None and res.tree.find("a", href="/login") is not None,
           "a visitor sees a sign-in link")


def check_good_login(hub):
    email, password = hub.person("RXX")
    client = Client(hub)
    seen = set()
    for given, nxt, where in [(email, None, "/requests"),
                              (email.upper(), "/offerings/RTF/integrated-care-community-nursing",
                               "/offerings/RTF/integrated-care-community-nursing"),
                              (email, "//evil.example/", "/requests"),
                              (email, "https://evil.example/", "/requests"),
                              (email, "/\\evil.example", "/requests"),
                              (email, "/requests\r\nSet-Cookie: x=y", "/requests"),
                              (email, "/?q=<script>", "/requests")]:
        fields = {"email": given, "password": password}
        if nxt is not None:
            fields["next"] = nxt
        res = client.post("/login", fields)
        expect(res.status == 303, "a good password signs in\n" + res.describe())
        expect(res.header("Location") == where,
               "after signing in with next=%r, go to %r\n%s" % (nxt, where, res.describe()))
        value, attrs = cookie_attrs(res)
        expect(re.fullmatch(r"fgs_[0-9a-f]{64}", value) and value not in seen,
               "each sign-in gets a new session secret: %r" % value)
        seen.add(value)
        hub.tokens.append(value)
        expect(attrs == {"path": "/", "httponly": "", "samesite": "Strict"},
               "the cookie is Path=/; HttpOnly; SameSite=Strict, not Secure over HTTP: %r"
               % attrs)
        expect(len(res.headers.get("set-cookie", [])) == 1, "one cookie only")
    client.cookie = value
    for path in ["/", "/requests", "/login", "/offerings/RTF/integrated-care-community-nursing"]:
        res = client.get(path)
        expect(res.status == 200 and signed_in_as(res) == email,
               "%s shows the signed-in person\n%s" % (path, res.describe()))
        expect("(RXX)" in res.tree.find("span", cls="who").text(), "and their trust")
        expect(res.tree.find("form", action="/logout") is not None, "with a sign-out button")
        expect("set-cookie" not in res.headers, "a good session is left alone")
    # Signing out clears the cookie and ends the session on the hub.
    res = client.post("/logout", {})
    expect(res.status == 303 and res.header("Location") == "/", "sign out goes home")
    cleared, attrs = cookie_attrs(res)
    expect(cleared == "" and attrs.get("max-age") == "0" and attrs.get("path") == "/",
           "signing out clears the cookie: %r" % attrs)
    client.cookie = value
    res = client.get("/requests")
    expect(res.status == 303 and res.header("Location").startswith("/login"),
           "the signed-out session no longer works\n" + res.describe())
    # The other sessions of the same person are theirs to end, not this one's.
    other = list(seen - {value})[0]
    client.cookie = other
    expect(signed_in_as(client.get("/")) == email, "another session of the person goes on")
    # Signing in again in the same browser replaces its session.
    res = client.post("/login", {"email": email, "password": password})
    newer, _ = cookie_attrs(res)
    hub.tokens.append(newer)
    client.cookie = newer
    expect(newer != other and signed_in_as(client.get("/")) == email, "the new session works")
    client.cookie = other
    expect(signed_in_as(client.get("/")) is None, "the session it replaced is over")
    res = client.get("/logout")
    expect(res.status == 405 and res.header("Allow") == "POST", "GET /logout is refused")


def check_bad_login(hub):
    client = Client(hub)
    email, password = hub.person("RYJ")
    token = hub.token("RYJ")
    for fields, status, message in [
            ({"email": email, "password": password + "x"}, 401, "not right"),
            ({"email": "nobody@example.nhs.uk", "password": password}, 401, "not right"),
            ({"email": email, "password": "x" * 5000}, 401, "not right"),
            ({"email": email, "password": ""}, 400, "Enter"),
            ({}, 400, "Enter"),
            # A machine's token is not a password, nor a way to sign in.
            ({"token": token}, 400, "Enter"),
            ({"email": "RYJ", "password": token}, 401, "not right")]:
        res = client.post("/login", fields)
        expect(res.status == status, "a bad sign-in gets %d\n%s" % (status, res.describe()))
        expect("set-cookie" not in res.headers, "a bad sign-in sets no cookie")
        expect(res.tree.find("form", cls="login") is not None, "the sign-in page again")
        errors = res.errors()
        expect(len(errors) == 1 and message in errors[0],
               "one message (%s): %r" % (message, errors))
        given = fields.get("password", "")
        if len(given) > 8:
            expect(given not in res.body, "the page does not echo the password")
    # A cookie naming no live session: nobody is signed in, and it is cleared.
    for stale in ["fgs_" + "1" * 64, token, "garbage", "a;b", "fgs_" + "g" * 64]:
        client.cookie = stale
        res = client.get("/")
        expect(signed_in_as(res) is None, "cookie %r signs nobody in" % stale)
        value, attrs = cookie_attrs(res)
        expect(value == "" and attrs.get("max-age") == "0", "a stale cookie is cleared")
        res = client.get("/requests")
        expect(res.status == 303 and res.header("Location").startswith("/login"),
               "a stale cookie does not open 'my requests'")


def check_posts(hub):
    email, password = hub.person("RBV")
    good = {"email": email, "password": password}
    client = Client(hub)
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1",
                   "https://" + hub.host, hub.origin + ".evil.example",
                   "http://" + hub.host + "@evil.example"]:
        res = client.post("/login", good, origin=origin)
        expect(res.status == 403, "Origin %r is refused\n%s" % (origin, res.describe()))
        expect("set-cookie" not in res.headers, "a refused sign-in sets no cookie")
    # A form sent without an Origin header (older browsers) is taken.
    res = client.post("/login", good, origin=None)
    expect(res.status == 303, "no Origin: allowed\n" + res.describe())
    hub.tokens.append(cookie_attrs(res)[0])
    res = client.post("/login", good, origin=hub.origin.upper())
    expect(res.status == 303, "Origin matching in another case is the same origin")
    hub.tokens.append(cookie_attrs(res)[0])
    # Not a form, too large, badly encoded.
    res = client.request("POST", "/login", body='{"email": "%s"}' % email,
                         headers={"Content-Type": "application/json"})
    expect(res.status == 415, "a JSON body is refused\n" + res.describe())
    res = client.post("/login", "email=" + "a" * (65 * 1024))
    expect(res.status == 413, "a 65 KiB form is refused\n" + res.describe())
    for raw in ["email=%zz", "email=%", "email=%0", "email=a%00b", "email=%FF",
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
