"""Shared helpers for the browser catalogue tests (python3 standard library only).

Each test_*.py here starts a real hub (`fgcat serve --listen 127.0.0.1:0`)
on a private catalogue in a clitest.Sandbox, talks to it over HTTP with
http.client (which follows no redirects, so a test sees every 303), reads
the pages with html.parser into a small tree, and stops the hub with
SIGTERM.  Stopping checks what every hub run must satisfy: a clean exit, no
sanitizer report, and no token anywhere in its log.
"""

import html.parser
import http.client
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))

import clitest  # noqa: E402  (the path above makes it importable)
from clitest import Failure, expect  # noqa: E402,F401

# Seconds a hub may take to start listening and to stop (ASan builds are slow).
START_TIMEOUT = 30
STOP_TIMEOUT = 30
# Seconds one HTTP exchange may take.
HTTP_TIMEOUT = 30

# Every element the pages are made of; anything else on a page came from
# data that was not escaped.
ELEMENTS = {"#document", "html", "head", "meta", "title", "style", "body", "header", "nav",
            "main", "footer", "section", "aside", "div", "p", "span", "strong", "code", "a",
            "h1", "h2", "h3", "ol", "ul", "li", "dl", "dt", "dd", "table", "thead", "tbody",
            "tr", "th", "td", "form", "label", "input", "select", "option", "textarea",
            "button", "br", "link", "script", "svg", "path", "search", "details", "summary",
            "caption"}

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
       "manifest-src 'self'; form-action 'self'")
LISTENING = re.compile(r"^fgcat: hub listening on 127\.0\.0\.1:(\d+)$", re.MULTILINE)


# ---- pages as trees -------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    """One element: tag, attributes (a dict), children (Nodes and strings)."""

    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.children = []
        self.parent = parent

    def text(self):
        """The text inside, entities decoded, as a browser would show it."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """Elements below (and including) this one with `tag`, class `cls` and
        the given attribute values."""
        out = []
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            if cls and cls not in (n.attrs.get("class") or "").split():
                continue
            if any(n.attrs.get(k) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class TreeBuilder(html.parser.HTMLParser):
    """Builds Nodes; an end tag closes up to its matching open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(body):
    tb = TreeBuilder()
    tb.feed(body)
    tb.close()
    return tb.root


# ---- HTTP -----------------------------------------------------------------

class Response:
    """One HTTP answer: status, headers (lists by lower-case name), body."""

    def __init__(self, method, path, status, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.headers = {}
        for k, v in headers:
            self.headers.setdefault(k.lower(), []).append(v)
        self.raw = body
        self.body = body.decode("utf-8")  # a page that is not UTF-8 fails here
        self._tree = None

    def header(self, name):
        values = self.headers.get(name.lower(), [])
        return values[0] if values else None

    @property
    def tree(self):
        if self._tree is None:
            self._tree = parse(self.body)
        return self._tree

    def describe(self):
        return ("%s %s -> %d\nheaders: %r\n--- body ---\n%s"
                % (self.method, self.path, self.status, self.headers, clitest.clip(self.body)))

    def errors(self):
        """The texts of the page's error messages."""
        return [n.text() for n in self.tree.find_all(cls="error")]


def check_page(res):
    """What every page of the browser catalogue must satisfy."""
    expect(res.header("Content-Type") == "text/html; charset=utf-8",
           "pages are text/html; charset=utf-8\n" + res.describe())
    csp = res.header("Content-Security-Policy") or ""
    expect(csp.startswith(CSP), "every page carries the CSP %r\n%s" % (CSP, res.describe()))
    expect(res.header("X-Content-Type-Options") == "nosniff", "nosniff\n" + res.describe())
    if res.method != "HEAD" and res.status != 303:
        title = res.tree.find("title")
        expect(title is not None and "fgcat" in title.text(),
               "the title names fgcat\n" + res.describe())
        expect("Shared services catalogue" in res.tree.find("header").text(),
               "the NHS.UK header names the service\n" + res.describe())
        skip = res.tree.find("a", cls="nhsuk-skip-link")
        expect(skip is not None and skip.attrs.get("href") == "#maincontent" and
               res.tree.find("main", id="maincontent") is not None,
               "the page has a skip link to its main content\n" + res.describe())
    for n in res.tree.iter():
        expect(n.tag in ELEMENTS, "a page has a <%s> element\n%s" % (n.tag, res.describe()))
        bad = [k for k in n.attrs if k.startswith("on")]
        expect(not bad, "no element has event handler attributes: %r\n%s"
               % (bad, res.describe()))
        if n.tag == "script":
            expect(n.attrs.get("src") == "/assets/fgcat.js" and not n.text(),
                   "the only script is /assets/fgcat.js\n" + res.describe())


class Client:
    """A browser-ish client for one hub: keeps the session cookie it is given,
    sends Origin on POSTs like a browser does."""

    def __init__(self, hub):
        self.hub = hub
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, origin=True, cookie=True,
                page=True):
        """One exchange.  origin: True sends this hub's Origin on a POST, a
        string sends that, None sends none.  page: check_page() the answer."""
        h = {}
        if body is not None:
            if isinstance(body, dict):
                body = urllib.parse.urlencode(body)
            if isinstance(body, str):
                body = body.encode("utf-8")
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and origin is True:
            h["Origin"] = self.hub.origin
        elif isinstance(origin, str):
            h["Origin"] = origin
        cookies = []
        if cookie and self.cookie:
            cookies.append("fgcat_session=" + self.cookie)
        if self.csrf:
            cookies.append("fgcat_csrf=" + self.csrf)
        if cookies:
            h["Cookie"] = "; ".join(cookies)
        h.update(headers or {})
        conn = self.hub.connection()
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            res = Response(method, path, resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()
        for c in res.headers.get("set-cookie", []):
            m = re.match(r"fgcat_csrf=([0-9a-f]{32});", c)
            if m:
                self.csrf = m.group(1)
        if page:
            check_page(res)
        for tok in [self.cookie] + self.hub.tokens:
            if tok:
                expect(tok not in res.body and tok not in (res.header("Location") or ""),
                       "a page or a redirect shows a token\n" + res.describe())
        expect(res.status < 500, "the hub must never answer 5xx here\n" + res.describe())
        return res

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, csrf=True, **kw):
        """POSTs a form as the page would: with the CSRF token its cookie
        holds (fetched from / first when the client has none) and, for a
        request form, a new one-time form token, unless `fields` has
        them.  csrf=False sends the fields as they are."""
        if csrf and isinstance(fields, dict):
            fields = dict(fields)
            if self.csrf is None:
                self.get("/")
            fields.setdefault("csrf", self.csrf)
            if path.endswith("/request"):
                fields.setdefault("form", secrets.token_hex(16))
        return self.request("POST", path, body=fields, **kw)

    def login(self, email, password):
        """Signs in as a person; returns the response (a 303 with the
        session cookie, whose secret the hub's log must never show)."""
        res = self.post("/login", {"email": email, "password": password})
        expect(res.status == 303, "signing in with a good password redirects\n"
               + res.describe())
        cookie = res.header("Set-Cookie") or ""
        m = re.match(r"fgcat_session=(fgs_[0-9a-f]{64});", cookie)
        expect(m, "the cookie holds a session secret\n" + res.describe())
        self.cookie = m.group(1)
        self.hub.tokens.append(self.cookie)
        return res


# ---- the hub --------------------------------------------------------------

class Hub:
    """`fgcat serve` on a free loopback port over the sandbox's catalogue."""

    def __init__(self, box, tls=None, extra_args=()):
        self.box = box
        self.tls = tls  # (cert, key) or None
        self.log_path = os.path.join(box.tmp, "hub-%d.log" % time.monotonic_ns())
        self.tokens = []
        args = [box.fgcat, "serve", "--listen", "127.0.0.1:0", "--threads", "2"]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        args += list(extra_args)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, env=box.env, cwd=box.tmp)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            m = LISTENING.search(self.read_log())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop(check=False)
                raise Failure("the hub did not start listening\n--- its log ---\n"
                              + clitest.clip(self.read_log()))
            time.sleep(0.05)
        self.host = "127.0.0.1:%d" % self.port
        self.origin = ("https://" if tls else "http://") + self.host

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def connection(self):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)

    def token(self, ods):
        """Issues a token for `ods` on the hub's catalogue (remembered, so
        stop() can check the log never shows it)."""
        tok = self.box.ok(["token", "create", ods]).stdout.strip()
        expect(re.fullmatch(r"fgc_[0-9a-f]{64}", tok), "a token looks like fgc_<hex>: %r" % tok)
        self.tokens.append(tok)
        return tok

    def reset_link(self, email):
        """`fgcat user reset EMAIL` on the hub's catalogue (its hub-url set to
        this hub): the one-time link's path and query.  Only the set-password
        form may show its secret; add it to self.tokens once it is used, so
        that no other page and no log line may."""
        self.box.ok(["config", "set", "hub-url", self.origin])
        link = self.box.ok(["user", "reset", email]).stdout.strip()
        expect(link.startswith(self.origin + "/account/password?secret=fgr_"),
               "user reset prints a link to this hub: %r" % link)
        return link[len(self.origin):]

    def person(self, ods, role="approver", email=None):
        """Gives `ods` a person with `role` (`fgcat user add`) who sets a
        password through their one-time link, as a new person does;
        returns (email, password) to sign in with."""
        email = email or "%s.%s@example.nhs.uk" % (role, ods.lower())
        password = "plain lantern harbour %s" % ods.lower()
        self.box.ok(["user", "add", email, "--org", ods, "--role", role])
        path = self.reset_link(email)
        client = Client(self)
        page = client.get(path)
        expect(page.status == 200 and page.tree.find("input", name="secret") is not None,
               "the link opens the set-password form\n" + page.describe())
        secret = path.rsplit("=", 1)[1]
        res = client.post("/account/password", {"secret": secret, "password": password,
                                                "confirm": password})
        expect(res.status == 303 and res.header("Location") == "/login?done=password",
               "setting a password goes to sign in\n" + res.describe())
        self.tokens.append(secret)
        return email, password

    def stop(self, check=True):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                raise Failure("the hub did not stop on SIGTERM\n" + clitest.clip(self.read_log()))
        self.log.close()
        if not check:
            return
        log = self.read_log()
        expect(self.proc.returncode == 0, "the hub must exit 0 on SIGTERM, not %s\n%s"
               % (self.proc.returncode, clitest.clip(log)))
        expect(not clitest.SANITIZER_MARKS.search(log),
               "a sanitizer reported in the hub\n" + clitest.clip(log, 20000))
        for tok in self.tokens:
            expect(tok not in log and tok[4:] not in log, "the hub's log shows a token")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        # A failing test still stops the hub; its own failure wins.
        self.stop(check=exc_type is None)


def offering_ids(res):
    """The offering links of a search page's result list, in order."""
    ol = res.tree.find("ol", cls="results")
    if ol is None:
        return []
    ids = []
    for a in ol.find_all("a", cls="offering"):
        href = a.attrs.get("href", "")
        expect(href.startswith("/offerings/"), "a result links to its offering page: %r" % href)
        ids.append(urllib.parse.unquote(href[len("/offerings/"):]))
    return ids


def definitions(res):
    """{term: text} of the page's <dl class="offering">."""
    dl = res.tree.find("dl", cls="offering")
    expect(dl is not None, "the page lists the offering's fields\n" + res.describe())
    out, term = {}, None
    for n in dl.iter():
        if n.tag == "dt":
            term = n.text()
        elif n.tag == "dd" and term is not None:
            out[term] = n.text()
    return out


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def long_date(iso):
    """"2026-12-04" as the pages write it: "4 December 2026"."""
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return "%d %s %d" % (d, MONTHS[m - 1], y)


def cell_text(td):
    """The text of a responsive table's cell without the heading the NHS.UK
    table repeats in it for narrow screens."""
    return "".join(c if isinstance(c, str) else
                   ("" if "nhsuk-table-responsive__heading" in c.attrs.get("class", "")
                    else c.text()) for c in td.children)


def query(**fields):
    """A search path from keyword arguments (None values dropped)."""
    return "/?" + urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None})


def main(fn, description):
    clitest.main(fn, description)
