#!/usr/bin/env python3
"""Deterministic generator of N offerings for the benchmarks (SPEC §9).

The offerings are spread over the four built-in areas.  Each one copies the
area-specific parts (attributes, price unit, delivery, capacity) of one of
the built-in plugins' real offerings, so that the area plugins accept it on
import, and gets new text: a title, summary and description composed from
the vocabulary of NHS support services, with a long tail of rarer words so
that some search words are selective and others common.

usage: gen_offerings.py TEMPLATES.json N > offerings.json
  TEMPLATES.json  `fgcat export` of a catalogue holding the built-in offerings
"""

import json
import random
import sys

SEED = 20261123

COMMON = ("care service team training programme patient support nhs trust clinical "
          "improvement staff quality review hospital planning community").split()
TOPICS = ("nursing integrated elderly discharge audit governance oncology cancer lean "
          "workforce rostering flow emergency elective theatre outpatient radiology "
          "pharmacy maternity paediatric mental-health dementia stroke cardiology renal "
          "diabetes frailty endoscopy pathology estates procurement finance digital "
          "records coding leadership management mentoring simulation safeguarding "
          "infection sepsis falls pressure nutrition hydration palliative hospice "
          "rehabilitation physiotherapy occupational speech dietetics podiatry "
          "orthopaedic trauma vascular urology ophthalmology dermatology respiratory "
          "asthma copd transplant haematology immunology genetics screening "
          "vaccination telehealth virtual-ward remote-monitoring triage handover "
          "bed-management capacity theatre-utilisation day-surgery waiting-list").split()
VERBS = ("improving reducing redesigning strengthening measuring planning building "
         "leading supporting developing assessing benchmarking").split()
PLACES = ("wards units departments systems regions networks partners sites clinics "
          "practices hubs").split()
REGIONS = ["England", "Scotland", "Wales", "Northern Ireland", "International", "China",
           "Middle East", "South Asia", "Europe"]
ODS = ["RTF", "RYJ", "RBV", "RJ1", "RAL", "RM3", "RR8", "RHM", "RX1", "RWE"]
NAMES = {
    "RTF": "Northumbria Healthcare NHS Foundation Trust",
    "RYJ": "Imperial College Healthcare NHS Trust",
    "RBV": "The Christie NHS Foundation Trust",
    "RJ1": "Guy's and St Thomas' NHS Foundation Trust",
    "RAL": "Royal Free London NHS Foundation Trust",
    "RM3": "Northern Care Alliance NHS Foundation Trust",
    "RR8": "Leeds Teaching Hospitals NHS Trust",
    "RHM": "University Hospital Southampton NHS Foundation Trust",
    "RX1": "Nottingham University Hospitals NHS Trust",
    "RWE": "University Hospitals of Leicester NHS Trust",
}


def rare_word(rng):
    """A word from a long tail (about 20,000 distinct), for selective searches."""
    return "x%s%d" % (rng.choice("bcdfghjklmnpqrstvwz"), rng.randrange(20000))


def sentence(rng, n):
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.35:
            words.append(rng.choice(COMMON))
        elif r < 0.8:
            words.append(rng.choice(TOPICS))
        elif r < 0.95:
            words.append(rng.choice(VERBS + PLACES))
        else:
            words.append(rare_word(rng))
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def main():
    templates = [o for o in json.load(open(sys.argv[1])) if o["status"] == "active"]
    n = int(sys.argv[2])
    rng = random.Random(SEED)
    by_area = {}
    for t in templates:
        by_area.setdefault(t["area"], []).append(t)
    areas = sorted(by_area)
    out = sys.stdout
    out.write("[\n")
    for i in range(n):
        t = rng.choice(by_area[areas[i % len(areas)]])
        ods = ODS[i % len(ODS)]
        topic = rng.choice(TOPICS)
        o = {
            "id": "%s/bench-%s-%07d" % (ods, topic, i),
            "area": t["area"],
            "provider": {"ods": ods, "name": NAMES[ods]},
            "title": "%s %s for %s %s" % (rng.choice(VERBS).capitalize(), topic,
                                          rng.choice(TOPICS), rng.choice(PLACES)),
            "summary": " ".join(sentence(rng, rng.randrange(12, 25)) for _ in range(2)),
            "description": "\n\n".join(" ".join(sentence(rng, rng.randrange(10, 20))
                                                for _ in range(3))
                                       for _ in range(2)),
            "delivery": t["delivery"],
            "duration_days": t["duration_days"],
            "capacity": t["capacity"],
            "price": {"amount_pence": rng.randrange(100, 5000) * 100,
                      "currency": "GBP", "unit": t["price"]["unit"]},
            "regions": rng.sample(REGIONS, rng.randrange(1, 4)),
            "tags": sorted(set([topic] + rng.sample(TOPICS, 3))),
            "contact": "partnerships@%s.example.nhs.uk" % ods.lower(),
            "attributes": t["attributes"],
            "status": "active",
        }
        out.write(json.dumps(o, separators=(",", ":")))
        out.write(",\n" if i + 1 < n else "\n")
    out.write("]\n")


if __name__ == "__main__":
    main()
