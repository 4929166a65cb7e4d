"""Shared helpers for the tests that drive the hub's pages in a real browser.

Each test_*.py here starts a real hub (`fgcat serve` on a loopback port,
default settings, the built-in plugins; tests/html/htmltest.py's Hub) and
drives Debian's headless Chromium through chromium-driver with Debian's
python3-selenium: nothing is downloaded at test time.  On every page it
visits, Browser.check() runs axe-core (node_modules/axe-core, pinned in
package-lock.json) for WCAG 2.2 AA with no violation allowed, checks the
page at 390 px wide scrolls no sideways, and saves a screenshot at 1280 px
and at 390 px (the whole page) into the screenshots directory given (in the
build tree).
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "html"))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))

import clitest  # noqa: E402
import htmltest  # noqa: E402,F401
from clitest import Failure, expect  # noqa: E402,F401

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402,F401
from selenium.webdriver.common.keys import Keys  # noqa: E402,F401

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = os.path.join(HERE, "..", "..", "node_modules", "axe-core", "axe.min.js")
WIDE = (1280, 900)
NARROW = 390
MAX_SHOT_HEIGHT = 4000
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def parse_args(description):
    ap = clitest.parse_args(description)
    ap.add_argument("--shots", required=True, help="where to save the screenshots")
    return ap


class Browser:
    """Headless Chromium on one hub."""

    def __init__(self, hub, shots):
        self.hub = hub
        self.shots = shots
        os.makedirs(shots, exist_ok=True)
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-extensions", "--no-first-run", "--lang=en-GB",
                  "--window-size=%d,%d" % WIDE]:
            opts.add_argument(a)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(60)
        with open(AXE, encoding="utf-8") as f:
            self.axe = f.read()
        self.checked = []

    def close(self):
        self.driver.quit()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def url(self, path):
        return self.hub.origin + path

    def get(self, path):
        self.driver.get(self.url(path))

    def path(self):
        u = self.driver.current_url
        return u[len(self.hub.origin):] if u.startswith(self.hub.origin) else u

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="main"):
        return self.find(css).text

    def axe_violations(self):
        self.driver.execute_script(self.axe)
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: %s}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
            ".catch(e => done([{id: 'axe failed', help: String(e)}]));" % json.dumps(AXE_TAGS))

    def stylesheets_loaded(self):
        """True when the NHS.UK stylesheet applies (its body font and
        margin are set)."""
        return self.driver.execute_script(
            "return [...document.styleSheets].some(s => s.href && "
            "s.href.includes('/assets/nhsuk-frontend-') && s.cssRules.length > 100);")

    def screenshot(self, path, width, mobile):
        """The whole page (up to MAX_SHOT_HEIGHT px) at `width` px wide."""
        d = self.driver
        metrics = {"width": width, "height": 844 if mobile else WIDE[1],
                   "deviceScaleFactor": 1, "mobile": mobile}
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        height = d.execute_script("return document.documentElement.scrollHeight;")
        metrics["height"] = min(max(height, metrics["height"]), MAX_SHOT_HEIGHT)
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        d.save_screenshot(path)

    def check(self, name):
        """What every page must satisfy; saves its screenshots as NAME."""
        d = self.driver
        expect(self.stylesheets_loaded(),
               "%s: the NHS.UK stylesheet loads (%s)" % (name, self.path()))
        expect(d.find_element(By.CSS_SELECTOR, "a.nhsuk-skip-link").get_attribute("href")
               .endswith("#maincontent"), "%s: the page has a skip link" % name)
        violations = self.axe_violations()
        expect(not violations, "%s (%s): axe-core finds WCAG 2.2 AA violations:\n%s"
               % (name, self.path(), json.dumps(violations, indent=1)))
        try:
            self.screenshot(os.path.join(self.shots, name + ".png"), WIDE[0], False)
            d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": NARROW, "height": 844, "deviceScaleFactor": 1,
                               "mobile": True})
            sizes = d.execute_script("return [document.documentElement.scrollWidth,"
                                     " document.documentElement.clientWidth];")
            expect(sizes[0] <= sizes[1], "%s (%s): at %d px the page scrolls sideways "
                   "(%d px wide)" % (name, self.path(), NARROW, sizes[0]))
            violations = self.axe_violations()
            expect(not violations, "%s (%s) at %d px: axe-core finds violations:\n%s"
                   % (name, self.path(), NARROW, json.dumps(violations, indent=1)))
            self.screenshot(os.path.join(self.shots, name + "-390.png"), NARROW, True)
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.checked.append(name)


def main(fn, description):
    opts = parse_args(description).parse_args()
    try:
        fn(opts)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("PASS")
