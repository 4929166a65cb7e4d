"""Offerings whose text is hard to carry through CSV and FHIR: formula-
leading cells, commas, quotes, line breaks, non-ASCII text, ';' and '\\' in
list items, a withdrawn one, one without optional fields, and an id long
enough that its FHIR id is shortened.  Built on a copy of a built-in
offering of the productivity area (so its plugin accepts the attributes),
under a provider of their own (RXY), so that a fresh catalogue never holds
them before an import."""

import copy
import datetime

# A start date every built-in programme's notice period allows (the
# longest is 42 days), whenever the suite runs.
START = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()

BASE = {
    "area": "productivity",
    "provider": {"ods": "RXY", "name": "Hôpital d'Essai NHS Trust, \"Test\" site"},
    "title": "Corporate support services productivity review",
    "summary": "An eight-week review.",
    "description": "",
    "delivery": "blended",
    "duration_days": 90,
    "capacity": 5,
    "price": {"amount_pence": 2400000, "currency": "GBP", "unit": "fixed"},
    "regions": ["England"],
    "tags": ["productivity"],
    "contact": "productivity@example.nhs.uk",
    "attributes": {"benefits_tracking": True, "diagnostic_weeks": 8, "lead_days_min": 42,
                   "sites_max": 5},
    "status": "active",
    "rev": 3,
    "updated_at": "2026-11-22T10:00:00Z",
}


def offering(slug, **fields):
    o = copy.deepcopy(BASE)
    o["id"] = "RXY/" + slug
    o.update(fields)
    return o


def tricky():
    return [
        offering("formula", title="=HYPERLINK(\"http://evil.example\",\"click\")",
                 summary="+44 191 000 0000, ask for \"partnerships\"",
                 description="-1+2\nsecond line\r\nthird, with a comma",
                 regions=["@North East", "North; South", "back\\slash"],
                 tags=["productivity", "lean"]),
        offering("apostrophe", title="'quoted' title", summary="\tTab-led summary",
                 description="Ærø — café — 医院 — emoji \U0001F3E5",
                 price={"amount_pence": 12345, "currency": "GBP", "unit": "fixed"}),
        offering("withdrawn", status="withdrawn", withdrawn_at="2026-11-23T09:00:00Z",
                 rev=4, updated_at="2026-11-23T09:00:00Z",
                 price={"amount_pence": 1, "currency": "GBP", "unit": "fixed"}),
        offering("minimal", duration_days=None, capacity=None, regions=[], tags=[],
                 price={"amount_pence": 0, "currency": "GBP", "unit": "fixed"}),
        offering("a-very-long-slug-that-makes-the-fhir-id-longer-than-sixty-four-c",
                 title="Long id"),
    ]
