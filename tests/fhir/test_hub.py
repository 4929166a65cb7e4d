"""The hub's FHIR R4 reads, with the built-in plugins a hub loads by
default: /fhir/metadata (a CapabilityStatement), HealthcareService search
(_id, identifier, organization, active, _lastUpdated=gt for incremental
polling, _count paging with next links) and read, Organization read by ODS
code; application/fhir+json, an OperationOutcome on every error, a
member's token as on the API.  Every answer passes the independent
validator (the `fhir` npm package) with no error."""

import json
import os
import time
import urllib.parse

import fhirtest
import interop_data
import synctest
from fhirtest import expect


def scenario(scene):
    tricky = interop_data.tricky()
    hub = scene.hub()
    del hub.env["FGCAT_PLUGIN_PATH"]  # the defaults a user gets: built-in plugins
    token = hub.token("RXX")
    with open(os.path.join(hub.sandbox.tmp, "tricky.json"), "w", encoding="utf-8") as f:
        json.dump(tricky, f)
    hub.run(["import", "tricky.json"])
    offerings = {o["id"]: o for o in hub.run(["export"]).json()}
    exported = {hs["identifier"][0]["value"]: hs for hs in fhirtest.entries(
        hub.run(["export", "--format", "fhir"]).json(), "HealthcareService")}
    hub.start()
    answers = []  # every resource the hub gave, validated at the end too

    def get(path, status=200, auth=True, rtype=None):
        code, body, headers = hub.api("GET", "/fhir" + path, token if auth else None)
        expect(code == status, "GET /fhir%s answered %s, not %s: %s" % (path, code, status,
                                                                      body))
        expect(headers.get("Content-Type", "").startswith("application/fhir+json"),
               "GET /fhir%s is application/fhir+json: %r" % (path, headers.get("Content-Type")))
        expect(isinstance(body, dict), "GET /fhir%s answered a JSON object" % path)
        want = rtype or ("OperationOutcome" if status >= 400 else None)
        if want:
            expect(body.get("resourceType") == want,
                   "GET /fhir%s answered a %s: %r" % (path, want, body))
        answers.append(body)
        return body

    def search(query):
        """Every match of a search, following next links: (services, pages)."""
        found, pages = [], 0
        page = get("/HealthcareService?" + query, rtype="Bundle")
        total = page["total"]
        while True:
            pages += 1
            expect(page["type"] == "searchset", "a searchset Bundle")
            found += fhirtest.entries(page)
            nxt = [link["url"] for link in page["link"] if link["relation"] == "next"]
            if not nxt:
                break
            url = urllib.parse.urlsplit(nxt[0])
            expect(url.path == "/fhir/HealthcareService", "next link: %r" % nxt[0])
            page = get("/HealthcareService?" + url.query, rtype="Bundle")
        expect(len(found) == total, "%s: %d matches over the pages, total says %d"
               % (query, len(found), total))
        return found, pages

    meta = get("/metadata", auth=False, rtype="CapabilityStatement")
    expect(meta["fhirVersion"] == "4.0.1", "FHIR R4")
    types = {r["type"]: r for r in meta["rest"][0]["resource"]}
    expect(set(types) == {"HealthcareService", "Organization"}, "the resources served")
    expect({p["name"] for p in types["HealthcareService"]["searchParam"]} ==
           {"_id", "identifier", "organization", "active", "_lastUpdated"},
           "the search parameters")

    # The same visibility as the API: a member's token.
    get("/HealthcareService", status=401, auth=False)
    code, _, _ = hub.api("GET", "/fhir/HealthcareService", "fgc_" + "0" * 64)
    expect(code == 401, "a wrong token is refused")

    # Paged search over everything: each offering once, as the export maps it.
    every, pages = search("_count=7")
    ids = [hs["identifier"][0]["value"] for hs in every]
    expect(sorted(ids) == sorted(offerings) and len(set(ids)) == len(ids),
           "every offering exactly once over the pages")
    expect(pages == -(-len(offerings) // 7), "%d pages of 7" % pages)
    for hs in every:
        expect(hs == exported[hs["identifier"][0]["value"]],
               "the hub maps %s as the export does" % hs["id"])

    # Filters.
    rxy, _ = search("organization=Organization/RXY")
    expect(sorted(hs["identifier"][0]["value"] for hs in rxy) ==
           sorted(t["id"] for t in tricky), "organization=Organization/RXY")
    gone, _ = search("organization=RXY&active=false")
    expect([hs["identifier"][0]["value"] for hs in gone] == ["RXY/withdrawn"],
           "active=false: the withdrawn offering")
    live, _ = search("active=true&_count=1000")
    expect(len(live) == sum(o["status"] == "active" for o in offerings.values()),
           "active=true: the active ones")
    long_fid = exported[tricky[4]["id"]]["id"]
    one, _ = search("_id=" + long_fid)
    expect([hs["id"] for hs in one] == [long_fid], "_id of a shortened id")
    one, _ = search("identifier=" + urllib.parse.quote(fhirtest.OFFERING_SYSTEM +
                                                       "|RXY/formula", safe=""))
    expect([hs["identifier"][0]["value"] for hs in one] == ["RXY/formula"],
           "identifier=system|value")
    none, _ = search("identifier=" + urllib.parse.quote("urn:other|RXY/formula", safe=""))
    expect(none == [], "another identifier system matches nothing")
    none, _ = search("_id=RXY.no-such-offering")
    expect(none == [], "an unknown _id matches nothing")

    # Incremental polling, as an mCSD directory does.
    last = max(hs["meta"]["lastUpdated"] for hs in every)
    none, _ = search("_lastUpdated=gt" + last)
    expect(none == [], "nothing changed after %s" % last)
    time.sleep(1.1)  # time stamps have whole seconds
    changed = dict(offerings["RXY/minimal"], title="Minimal, renamed")
    del changed["rev"], changed["updated_at"]
    with open(os.path.join(hub.sandbox.tmp, "edit.json"), "w", encoding="utf-8") as f:
        json.dump([changed], f)
    hub.run(["import", "edit.json"])
    news, _ = search("_lastUpdated=gt" + last)
    expect([(hs["identifier"][0]["value"], hs["name"]) for hs in news] ==
           [("RXY/minimal", "Minimal, renamed")], "only the change since: %r" % news)
    since, _ = search("_lastUpdated=" + urllib.parse.quote("ge" + last[:-1] + "+00:00"))
    expect(len(since) >= 1, "ge with a +00:00 offset")

    # Reads.
    for t in tricky:
        fid = exported[t["id"]]["id"]
        hs = get("/HealthcareService/" + fid, rtype="HealthcareService")
        expect(hs["identifier"][0]["value"] == t["id"], "read %s" % fid)
    get("/HealthcareService/RXY.no-such-offering", status=404)
    get("/HealthcareService/nonsense", status=404)
    org = get("/Organization/RXY", rtype="Organization")
    expect(org["name"] == tricky[0]["provider"]["name"] and
           org["identifier"] == [{"system": fhirtest.ODS_SYSTEM, "value": "RXY"}],
           "Organization/RXY: %r" % org)
    get("/Organization/RXX", status=404)
    get("/Organization/not-an-ods-code", status=404)

    # Errors are OperationOutcomes.
    get("/HealthcareService?_lastUpdated=gtyesterday", status=400)
    get("/HealthcareService?_lastUpdated=eq2026-01-01T00:00:00Z", status=400)
    get("/HealthcareService?_count=0", status=400)
    get("/HealthcareService?active=maybe", status=400)
    get("/HealthcareService?organization=Organization/x", status=400)
    get("/Patient", status=404)
    code, body, _ = hub.api("POST", "/fhir/HealthcareService", token, body={})
    expect(code == 405 and body["resourceType"] == "OperationOutcome", "read-only: %s" % code)
    answers.append(body)

    fhirtest.validate(answers)
    hub.stop()


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
