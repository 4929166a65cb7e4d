#!/usr/bin/env python3
"""The NHS.UK frontend's files and fgcat's own, served under /assets/.

Every file a page links (the versioned nhsuk-frontend CSS, fgcat.css,
fgcat.js and through it the nhsuk-frontend JavaScript, the favicon and the
images the CSS names) answers 200 with its type and a cache header: a year
for the versioned files, a day for the rest.  A name outside the web
directory (.., an absolute path, a dot file, a deeper path) or unknown
is an HTML 404 page, and so is any other address a browser may type; the
API under /v1/ keeps answering JSON.
"""

import json
import re

import htmltest
from htmltest import Hub, Client, expect


def scenario(opts):
    with htmltest.clitest.Sandbox(opts, "fgcat-html-assets") as box:
        box.seed()
        with Hub(box) as hub:
            client = Client(hub)
            page = client.get("/")
            links = [n.attrs["href"] for n in page.tree.find_all("link")]
            css = [h for h in links if re.fullmatch(r"/assets/nhsuk-frontend-[0-9.]+\.min\.css", h)]
            expect(len(css) == 1, "the page links the versioned NHS.UK stylesheet: %r" % links)
            version = css[0][len("/assets/nhsuk-frontend-"):-len(".min.css")]
            year = "public, max-age=31536000, immutable"
            day = "public, max-age=86400"
            want = {css[0]: ("text/css; charset=utf-8", year),
                    "/assets/nhsuk-frontend-%s.min.js" % version:
                        ("text/javascript; charset=utf-8", year),
                    "/assets/fgcat.css": ("text/css; charset=utf-8", day),
                    "/assets/fgcat.js": ("text/javascript; charset=utf-8", day),
                    "/assets/images/favicon.svg": ("image/svg+xml", day),
                    "/assets/images/nhsuk-icon-arrow-down.svg": ("image/svg+xml", day),
                    "/assets/manifest.json": ("application/manifest+json", day)}
            for h in links:
                expect(h in want, "every file a page links is checked here: %s" % h)
            for path, (ctype, cache) in want.items():
                res = client.get(path, page=False)
                expect(res.status == 200 and res.header("Content-Type") == ctype and
                       res.header("Cache-Control") == cache and len(res.raw) > 0,
                       "%s is served with its type and cache header\n%s"
                       % (path, res.describe()[:600]))
            js = client.get("/assets/fgcat.js", page=False).body
            expect("nhsuk-frontend-%s.min.js" % version in js,
                   "fgcat.js starts the same nhsuk-frontend version the CSS is")
            for path in ["/assets/../CMakeCache.txt", "/assets/images/../fgcat.css.x",
                         "/assets//etc/passwd", "/assets/.hidden.css", "/assets/images/.x.svg",
                         "/assets/no-such.css", "/assets/fgcat.exe", "/assets/", "/assets/a/b/c.css",
                         "/no/such/page", "/requests/x/y/z", "/favicon.ico"]:
                res = client.get(path)
                expect(res.status == 404 and res.header("Cache-Control") == "no-store" and
                       res.tree.find("h1").text() == "Page not found",
                       "%s is an HTML 404 page\n%s" % (path, res.describe()[:600]))
            res = client.get("/v1/no-such", page=False)
            expect(res.status in (401, 404) and
                   res.header("Content-Type").startswith("application/json")
                   and "error" in json.loads(res.body), "the API keeps JSON\n" + res.describe())


if __name__ == "__main__":
    htmltest.main(scenario, __doc__)
