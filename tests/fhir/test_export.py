"""`fgcat export --format fhir` writes a FHIR R4 Bundle (collection) that an
independent validator (the `fhir` npm package) accepts with no error: an
Organization per provider with its ODS code, a HealthcareService per
offering (withdrawn ones inactive), ServiceRequests with
--include-requests; and `fgcat import` reads the Bundle back into a fresh
catalogue with every offering intact, all or nothing."""

import json
import os

import fhirtest
import interop_data
from fhirtest import clitest, expect
from clitest import one_error_line


def by_id(offerings):
    return {o["id"]: o for o in offerings}


def write(sb, name, value):
    with open(os.path.join(sb.tmp, name), "w", encoding="utf-8") as f:
        f.write(value if isinstance(value, str) else json.dumps(value))
    return name


def scenario(opts):
    tricky = interop_data.tricky()
    with clitest.Sandbox(opts) as a, clitest.Sandbox(opts) as b:
        a.seed()
        a.ok(["import", write(a, "tricky.json", tricky)])
        source = by_id(a.ok(["export"]).json())
        rid = a.ok(["request", "create", "RTF/integrated-care-community-nursing", "--org",
                    "RXX", "--quantity", "12", "--start", interop_data.START, "--contact",
                    "lead@example.nhs.uk", "--note", "Two teams", "--json"]).json()["id"]
        a.ok(["request", "accept", rid, "--org", "RTF"])

        bundle = a.ok(["export", "--format", "fhir"]).json()
        fhirtest.validate([bundle])
        expect(bundle["resourceType"] == "Bundle" and bundle["type"] == "collection",
               "a collection Bundle")
        orgs = {o["id"]: o for o in fhirtest.entries(bundle, "Organization")}
        providers = {o["provider"]["ods"]: o["provider"]["name"] for o in source.values()}
        expect(set(orgs) == set(providers), "one Organization per provider: %r" % sorted(orgs))
        for ods, org in orgs.items():
            expect(org["identifier"] == [{"system": fhirtest.ODS_SYSTEM, "value": ods}] and
                   org["name"] == providers[ods], "Organization %s: %r" % (ods, org))
        services = fhirtest.entries(bundle, "HealthcareService")
        expect(len(services) == len(source), "one HealthcareService per offering")
        for hs in services:
            oid = hs["identifier"][0]["value"]
            o = source[oid]
            expect(hs["identifier"][0]["system"] == fhirtest.OFFERING_SYSTEM, "the id system")
            expect(len(hs["id"]) <= 64 and "/" not in hs["id"], "a FHIR id: %r" % hs["id"])
            expect(hs["active"] == (o["status"] == "active"), "%s active" % oid)
            expect(hs["providedBy"]["reference"] == "Organization/" + o["provider"]["ods"],
                   "%s providedBy" % oid)
            expect(hs["name"] == o["title"] and hs["comment"] == o["summary"],
                   "%s name and comment" % oid)
            expect(hs["telecom"] == [{"system": "email", "value": o["contact"], "use": "work"}],
                   "%s telecom" % oid)
            expect(hs["meta"]["versionId"] == str(o["rev"]), "%s versionId is the rev" % oid)
            price = [x for x in hs["extension"] if x["url"].endswith("/price")][0]
            amount = [x for x in price["extension"] if x["url"] == "amount"][0]
            expect(round(amount["valueMoney"]["value"] * 100) == o["price"]["amount_pence"],
                   "%s price in pounds: %r" % (oid, amount))
        long_id = [hs["id"] for hs in services if hs["identifier"][0]["value"] == tricky[4]["id"]]
        expect(len(long_id) == 1 and len(long_id[0]) == 64, "a long id is shortened to 64")

        # The validator is live: it refuses what FHIR R4 does not allow.
        broken = dict(services[0], active="yes", comments="not an element")
        expect(fhirtest.refused(broken), "the validator refuses a broken HealthcareService")
        expect(fhirtest.refused({"resourceType": "ServiceRequest", "status": "active"}),
               "the validator refuses a ServiceRequest without intent and subject")

        # Requests, only with --include-requests.
        full = a.ok(["export", "--format", "fhir", "--include-requests"]).json()
        fhirtest.validate([full])
        srs = fhirtest.entries(full, "ServiceRequest")
        expect(len(srs) == 1 and srs[0]["id"] == rid, "the request is a ServiceRequest")
        sr = srs[0]
        expect(sr["status"] == "active" and sr["intent"] == "order" and
               sr["requester"]["reference"] == "Organization/RXX" and
               sr["performer"][0]["reference"] == "Organization/RTF" and
               sr["quantityQuantity"]["value"] == 12 and
               sr["occurrenceDateTime"] == interop_data.START, "the ServiceRequest: %r" % sr)
        expect("RXX" in {o["id"] for o in fhirtest.entries(full, "Organization")},
               "the requester is an Organization of the Bundle")

        # Round trip into a fresh catalogue, detected by content.
        b.seed()
        res = b.ok(["import", write(b, "bundle.json", full), "--json"])
        expect(res.json()["added"] == len(tricky), "the tricky offerings are added", res)
        back = by_id(b.ok(["export"]).json())
        expect(set(back) == set(source), "the same offerings after the round trip")
        for t in tricky:
            expect(back[t["id"]] == source[t["id"]],
                   "%s survives FHIR whole:\n%s\n%s" % (t["id"], back[t["id"]],
                                                        source[t["id"]]))
        for oid, o in source.items():
            strip = lambda x: {k: v for k, v in x.items() if k != "updated_at"}  # noqa: E731
            expect(strip(back[oid]) == strip(o), "%s survives FHIR" % oid)
        res = b.ok(["import", "--format", "fhir", "bundle.json", "--json"])
        expect(res.json() == {"added": 0, "changed": 0, "unchanged": len(source)},
               "a second import is a no-op", res)
        # What fgcat exports from the imported copy validates too.
        fhirtest.validate([b.ok(["export", "--format", "fhir"]).json()])

        # All or nothing, errors naming the entry.
        before = b.ok(["export"]).stdout
        new = json.loads(json.dumps(services[0]))
        ods = new["providedBy"]["identifier"]["value"]
        new["identifier"][0]["value"] = ods + "/brand-new"
        new["id"] = ods + ".brand-new"
        bad = json.loads(json.dumps(services[1]))
        bad["identifier"] = []
        doc = {"resourceType": "Bundle", "type": "collection",
               "entry": [{"resource": new}, {"resource": bad}]}
        one_error_line(b.run(["import", write(b, "bad.json", doc)]), 2,
                       r"bad\.json: entry 2 \(HealthcareService [^)]+\): field id is missing")
        expect(b.ok(["export"]).stdout == before, "a refused import changes nothing")
        one_error_line(b.run(["import", "--format", "fhir", write(b, "x.json", "[]")]), 2,
                       r"x\.json: expected a FHIR Bundle")


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
