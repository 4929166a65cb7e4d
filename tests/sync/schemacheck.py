"""The JSON Schemas of docs/schema/ and which answer of the hub each one
describes, so that a test can check every answer it gets (synctest's
Hub.api does, for every call).  jsonschema is Debian's python3-jsonschema
(scripts/bootstrap): its newer releases resolve references through a
`referencing` registry, older ones through a RefResolver; both work."""

import glob
import json
import os
import re
import warnings

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema")


def load(directory=SCHEMA_DIR):
    """{file name: schema} of every schema in `directory`."""
    out = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            out[os.path.basename(path)] = json.load(f)
    return out


class Schemas:
    """Validators for the schemas of `directory`, by file name."""

    def __init__(self, directory=SCHEMA_DIR):
        self.schemas = load(directory)
        cls = jsonschema.Draft202012Validator
        for s in self.schemas.values():
            cls.check_schema(s)
        try:
            from referencing import Registry, Resource  # jsonschema >= 4.18
            registry = Registry().with_resources(
                (s["$id"], Resource.from_contents(s)) for s in self.schemas.values())
            self.validators = {n: cls(s, registry=registry) for n, s in self.schemas.items()}
        except ImportError:
            store = {s["$id"]: s for s in self.schemas.values()}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self.validators = {
                    n: cls(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
                    for n, s in self.schemas.items()}

    def errors(self, name, value):
        """The validation errors of `value` against schema `name`, as lines."""
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
                for e in self.validators[name].iter_errors(value)]


# The schema of each /v1/ answer with status 200 (errors all take error.json).
ROUTES = (
    (re.compile(r"^/v1/health$"), "health.json"),
    (re.compile(r"^/v1/whoami$"), "whoami.json"),
    (re.compile(r"^/v1/(changes|snapshot)$"), "page.json"),
    (re.compile(r"^/v1/search$"), "search.json"),
    (re.compile(r"^/v1/offerings/.+"), "offering.json"),
    (re.compile(r"^/v1/requests/.+"), "request.json"),
    (re.compile(r"^/v1/push$"), "push-answer.json"),
    (re.compile(r"^/v1/quote$"), "quote-answer.json"),
)


def schema_for(path, status):
    """The schema file an answer to `path` (without its query) with `status`
    must match, or None when the protocol gives it none (not /v1/, 304,
    /v1/metrics' text)."""
    if not path.startswith("/v1/") or path == "/v1/metrics" or status == 304:
        return None
    if status >= 400:
        return "error.json"
    if status == 200:
        for pattern, name in ROUTES:
            if pattern.match(path):
                return name
    return None


_SCHEMAS = None


def check_answer(method, path, status, content_type, raw):
    """Fails (AssertionError naming the call) unless the answer matches its
    schema.  Returns the schema's name, or None when it has none."""
    global _SCHEMAS
    path = path.split("?", 1)[0]
    name = schema_for(path, status)
    if name is None or (method == "HEAD" and not raw):
        return None
    if _SCHEMAS is None:
        _SCHEMAS = Schemas()
    if not (content_type or "").lower().startswith("application/json"):
        raise AssertionError("%s %s answered %s as %r, not JSON" % (method, path, status,
                                                                   content_type))
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise AssertionError("%s %s answered %s with a body that is not JSON: %s"
                             % (method, path, status, e))
    errs = _SCHEMAS.errors(name, value)
    if errs:
        raise AssertionError("%s %s answered %s, not as docs/schema/%s says:\n  %s\n%s"
                             % (method, path, status, name, "\n  ".join(errs[:10]),
                                json.dumps(value)[:2000]))
    return name
