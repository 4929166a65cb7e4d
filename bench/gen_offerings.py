#!/usr/bin/env python3
"""Deterministic generator of N offerings for the benchmarks (SPEC §9).

The offerings are spread over the four built-in areas.  Each one copies the
area-specific parts (attributes, price unit, delivery, capacity) of one of
the built-in plugins' real offerings, so that the area plugins accept it on
import, and gets new text: a title from a list of NHS service topics, and a
summary and description drawn from the built-in offerings' own vocabulary
with Zipf frequencies, plus a tail of rare made-up words, so that search
words range from selective to common as in real prose.

usage: gen_offerings.py TEMPLATES.json N > offerings.json
  TEMPLATES.json  `fgcat export` of a catalogue holding the built-in offerings
"""

import json
import random
import re
import sys

SEED = 20261123

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


class Vocabulary:
    """The words of the built-in offerings' real text, drawn with Zipf
    frequencies (the n-th most frequent word with weight 1/n), as words are
    in real prose: a few in most offerings, a long middle, a rare tail."""

    def __init__(self, templates):
        counts = {}
        for t in templates:
            for field in ("title", "summary", "description"):
                for w in re.findall(r"[a-z]+", t[field].lower()):
                    if len(w) > 2:
                        counts[w] = counts.get(w, 0) + 1
        self.words = sorted(counts, key=lambda w: (-counts[w], w))
        total, self.cum = 0.0, []
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 1)
            self.cum.append(total)

    def sample(self, rng, n):
        return rng.choices(self.words, cum_weights=self.cum, k=n)


def sentence(rng, vocab, n):
    words = vocab.sample(rng, n)
    for i in range(n):
        if rng.random() < 0.03:
            words[i] = rare_word(rng)
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def main():
    templates = [o for o in json.load(open(sys.argv[1])) if o["status"] == "active"]
    n = int(sys.argv[2])
    rng = random.Random(SEED)
    vocab = Vocabulary(templates)
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
            "summary": " ".join(sentence(rng, vocab, rng.randrange(12, 25))
                                for _ in range(2)),
            "description": "\n\n".join(" ".join(sentence(rng, vocab, rng.randrange(10, 20))
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
