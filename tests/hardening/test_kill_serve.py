#!/usr/bin/env python3
"""SIGKILL the hub (fgcat serve) while a client pushes, KILLS times.

A client thread pushes, round after round, every one of ITEMS offerings of
provider TST at the round's rev, in batches of BATCH with an
Idempotency-Key each (kept when a batch is retried after a failure, as
fgcat sync does), and records which revs the hub acknowledged.  The hub is
killed after a delay drawn uniformly from [0, 3d], d the measured duration
of one batch, then restarted on the same port.  After every kill, with the
hub down: PRAGMA integrity_check; every offering the hub holds is whole
(its title is the one pushed with its rev: no item half-applied); every
rev the hub acknowledged is there (acknowledged means durable); nothing is
newer than what was sent; the hub's state file is JSON whose sequence is
not beyond the catalogue's.  After every restart the hub does not think it
was restored from a backup (no new epoch: clients keep their cursors), and
the client's retried batch is answered ok or unchanged, never conflict.
At the end the client finishes its round, the hub holds every offering at
that rev, and a member syncing from scratch holds exactly what the hub
holds.

The seed of the delays is printed (HARDEN_SEED=N replays it).
"""

import copy
import json
import os
import threading
import time

import hardentest as H
from hardentest import Failure, expect

ITEMS = 300
BATCH = 100
KILLS = 50
synctest = H.synctest


class Pusher(threading.Thread):
    """Pushes rounds of ITEMS offerings until stopped (at the end of a round)."""

    def __init__(self, hub, token, template):
        super().__init__(daemon=True)
        self.hub, self.token, self.template = hub, token, template
        self.lock = threading.Lock()
        self.acked = {}          # id -> highest rev the hub acknowledged
        self.sent = {}           # id -> highest rev sent
        self.round = 0           # the round in progress
        self.done_round = 0      # the last round entirely acknowledged
        self.batch_times = []
        self.error = None
        self.stopping = threading.Event()
        self.keys = 0

    def record(self, i, rev):
        rec = copy.deepcopy(self.template)
        rec["id"] = "TST/pushed-%d" % i
        rec["title"] = "Pushed %d at rev %d" % (i, rev)
        rec["rev"] = rev
        return rec

    def push(self, batch, key):
        """One attempt; the answer's JSON, or None when the hub is down."""
        body = json.dumps({"items": [{"kind": "offering", "record": r} for r in batch]})
        try:
            ans = H.http(self.hub.port, "POST", "/v1/push", token=self.token, body=body,
                         headers=[("Content-Type", "application/json"),
                                  ("Idempotency-Key", key)])
        except (OSError, Failure):
            return None
        if ans.status is None:
            return None
        if ans.status != 200:
            raise Failure("push answered %s:\n%s" % (ans.status, ans.describe()))
        return ans.json()

    def run(self):
        try:
            while not self.stopping.is_set():
                self.round += 1
                for lo in range(0, ITEMS, BATCH):
                    batch = [self.record(i, self.round) for i in range(lo, lo + BATCH)]
                    self.keys += 1
                    key = "round%d-batch%d-%d" % (self.round, lo, self.keys)
                    with self.lock:
                        for r in batch:
                            self.sent[r["id"]] = r["rev"]
                    while True:
                        t0 = time.monotonic()
                        answer = self.push(batch, key)
                        if answer is not None:
                            self.batch_times.append(time.monotonic() - t0)
                            break
                        time.sleep(0.02)  # the hub is down: retry, same key
                    for r, res in zip(batch, answer["results"]):
                        if res["status"] not in ("ok", "unchanged") or res["rev"] != r["rev"]:
                            raise Failure("the hub answered %s for %s at rev %d: %s"
                                          % (res["status"], r["id"], r["rev"], res))
                    with self.lock:
                        for r in batch:
                            self.acked[r["id"]] = r["rev"]
                self.done_round = self.round
        except BaseException as e:  # reported by the main thread
            self.error = e

    def snapshot(self):
        with self.lock:
            return dict(self.acked), dict(self.sent)


def scenario(scene):
    rng = H.Rng("kill_serve")
    hub = scene.hub().start()
    tst = hub.token("TST")
    seed_node = scene.node("TST", "alpha")
    seed_node.ok(["refresh"])
    template = seed_node.export()["TST/alpha"]
    port = hub.port
    state_file = hub.db + ".hub-state"

    def check_down(acked, sent):
        H.integrity(hub.db)
        held = {k: o for k, o in hub.export().items() if k.startswith("TST/pushed-")}
        for id_, o in held.items():
            expect(o["title"] == "Pushed %s at rev %d" % (id_[len("TST/pushed-"):], o["rev"]),
                   "%s is half-applied: rev %d with title %r" % (id_, o["rev"], o["title"]))
            expect(o["rev"] <= sent.get(id_, 0), "%s at rev %d, never sent" % (id_, o["rev"]))
        for id_, rev in acked.items():
            expect(id_ in held and held[id_]["rev"] >= rev,
                   "%s: the hub acknowledged rev %d but holds %s" % (
                       id_, rev, held[id_]["rev"] if id_ in held else "nothing"))
        if os.path.exists(state_file):
            with open(state_file) as f:
                st = json.load(f)  # fails when the state file is torn
            seq = H.sql(hub.db, "SELECT max(seq) FROM feed")[0][0] or 0
            expect(st["seq"] <= seq, "the state file says seq %d, the catalogue %d"
                   % (st["seq"], seq))

    pusher = Pusher(hub, tst, template)
    pusher.start()
    deadline = time.monotonic() + 60
    while len(pusher.batch_times) < 3:
        expect(pusher.error is None and time.monotonic() < deadline,
               "the client could not push: %s" % pusher.error)
        time.sleep(0.02)
    span = 3 * sorted(pusher.batch_times)[len(pusher.batch_times) // 2]
    print("a push of %d offerings takes %.3f s; kills within %.3f s" % (BATCH, span / 3, span))

    for n in range(KILLS):
        delay = rng.uniform(0, span)
        time.sleep(delay)
        hub.kill()
        expect(pusher.error is None, "the client: %s" % pusher.error)
        acked, sent = pusher.snapshot()
        try:
            check_down(acked, sent)
        except Failure as e:
            raise Failure("round %d (killed %.3f s after the start): %s" % (n, delay, e)) from None
        hub.start(port=port)
        expect("restored from a backup" not in hub.log(),
               "after a kill the hub thinks it was restored:\n" + H.clitest.clip(hub.log()))
    print("%d kills, the client at round %d, %d batches answered"
          % (KILLS, pusher.round, len(pusher.batch_times)))

    pusher.stopping.set()
    pusher.join(120)
    expect(not pusher.is_alive() and pusher.error is None,
           "the client did not finish its round: %s" % pusher.error)
    held = {k: o for k, o in hub.export().items() if k.startswith("TST/pushed-")}
    expect(len(held) == ITEMS and {o["rev"] for o in held.values()} == {pusher.done_round},
           "the hub holds every offering at rev %d" % pusher.done_round)
    rxx = scene.node("RXX")
    rxx.follow(hub)
    _, rep = rxx.sync()
    expect(rep["status"] == "ok", "a member's sync: %s" % rep)
    synctest.same_offerings(rxx, hub, prefix="TST/pushed-")
    H.integrity(hub.db)


if __name__ == "__main__":
    t0 = time.monotonic()
    synctest.main(scenario, __doc__)
    print("%.1f s" % (time.monotonic() - t0))
