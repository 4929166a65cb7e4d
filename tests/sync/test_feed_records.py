"""The hub writes each offering of a feed page from its stored JSON text
without decoding it (catalog/feed.c): the record must still be exactly the
offering the hub answers at /v1/offerings/ID (decoded and encoded by
Jansson) -- with rev, updated_at, a withdrawn offering's withdrawn_at, and
text that needs escaping.  Stored text not in the form the library writes
(here: status first, and not the row's status) takes the long way and
still answers the row's status.  A member pulling the page holds the same
offerings."""

import json
import os
import sqlite3

import synctest
from synctest import expect


def scenario(scene):
    hub = scene.hub(offerings="seed")
    hub.start()
    token = hub.token("RXX")
    template = hub.export()["TST/seed"]
    base = {k: v for k, v in template.items()
            if k not in ("rev", "status", "updated_at", "withdrawn_at")}
    plain = dict(base, id="TST/plain", title="Plain offering")
    tricky = dict(base, id="TST/tricky", title='Quotes " and \\ backslash',
                  summary="Caf\u00e9 \u2013 na\u00efve \u2713, a tab\tand a line\nbreak",
                  description="Control-free text with </script> and \u00a3300 a day.")
    gone = dict(base, id="TST/gone", title="Withdrawn offering", status="withdrawn")
    legacy = dict(base, id="TST/legacy", title="Stored the old way")
    path = os.path.join(hub.sandbox.tmp, "offerings.json")
    with open(path, "w") as f:
        json.dump([plain, tricky, gone, legacy], f)
    hub.run(["import", path])

    # TST/legacy: its stored text rewritten with "status" first and saying
    # "active", while its row says withdrawn.
    con = sqlite3.connect(hub.db, timeout=10)
    (text,) = con.execute("SELECT t.content FROM offering o JOIN offering_text t"
                          " ON t.rowid = o.rowid WHERE o.id = 'TST/legacy'").fetchone()
    stored = json.loads(text)
    reordered = {"status": "active"}
    reordered.update({k: v for k, v in stored.items() if k != "status"})
    with con:
        con.execute("UPDATE offering_text SET content = ? WHERE rowid ="
                    " (SELECT rowid FROM offering WHERE id = 'TST/legacy')",
                    (json.dumps(reordered, separators=(",", ":")),))
        con.execute("UPDATE offering SET status = 'withdrawn',"
                    " withdrawn_at = '2026-01-02T03:04:05Z' WHERE id = 'TST/legacy'")
    con.close()

    feed = hub.feed(token)
    ids = ["TST/seed", "TST/plain", "TST/tricky", "TST/gone", "TST/legacy"]
    expect(all(i in feed for i in ids), "the feed lists %s: %s" % (ids, sorted(feed)))
    for i in ids:
        status, one, _ = hub.api("GET", "/v1/offerings/" + i, token)
        expect(status == 200, "GET /v1/offerings/%s answered %s" % (i, status))
        rec = feed[i].get("record")
        expect(rec == one, "the feed's record of %s is the offering the hub answers:\n"
               "feed:  %s\nanswer: %s" % (i, json.dumps(rec, sort_keys=True),
                                           json.dumps(one, sort_keys=True)))
        expect(isinstance(rec.get("rev"), int) and rec["rev"] >= 1 and rec.get("updated_at"),
               "%s carries rev and updated_at: %s" % (i, rec))
    expect(feed["TST/tricky"]["record"]["title"] == tricky["title"] and
           feed["TST/tricky"]["record"]["summary"] == tricky["summary"],
           "text needing escapes arrives as it was: %s" % feed["TST/tricky"]["record"])
    expect(feed["TST/gone"]["record"]["status"] == "withdrawn" and
           feed["TST/gone"]["record"].get("withdrawn_at"),
           "a withdrawn offering carries its date: %s" % feed["TST/gone"]["record"])
    legacy_rec = feed["TST/legacy"]["record"]
    expect(legacy_rec["status"] == "withdrawn" and
           legacy_rec.get("withdrawn_at") == "2026-01-02T03:04:05Z",
           "text not in the library's form answers the row's status and date: %s" % legacy_rec)
    expect("withdrawn_at" not in feed["TST/plain"]["record"],
           "an active offering has no withdrawn_at: %s" % feed["TST/plain"]["record"])

    rxx = scene.node("RXX")
    rxx.follow(hub)
    rxx.sync()
    got = rxx.export()
    for i in ("TST/plain", "TST/tricky", "TST/gone"):
        expect(got.get(i) == feed[i]["record"],
               "the member holds %s as the feed sent it: %s" % (i, got.get(i)))


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
