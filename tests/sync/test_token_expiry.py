"""Tokens expire and rotate, on a default hub and node (built-in plugins):
`fgcat token create RXX --expires 4s` makes a token that works, is listed
with its expiry, and then gets 401; `fgcat token rotate
RXX --grace 4s --output FILE` writes a new token while the old one keeps
working for the grace period only, so a node that puts the new token in
its token file syncs on; bad durations are usage errors (exit 2)."""

import os
import time

import synctest
from synctest import expect


def wait_until_refused(hub, token, deadline):
    """Polls /v1/whoami with `token` until 401 or `deadline` (time.time())."""
    while time.time() < deadline:
        status, body, _ = hub.api("GET", "/v1/whoami", token)
        if status == 401:
            return body
        time.sleep(0.3)
    raise synctest.Failure("the token still works after its expiry")


def scenario(scene):
    hub = scene.hub(default=True).start()
    made = hub.run(["token", "create", "RXX", "--expires", "4s"])
    short = made.stdout.strip()
    made_at = time.time()
    status, body, _ = hub.api("GET", "/v1/whoami", short)
    expect(status == 200, "a token with a lifetime works until then: %s %s" % (status, body))

    listed = hub.run(["token", "list", "--json"]).json()
    expect(len(listed) == 1 and listed[0]["expires_at"] and listed[0]["revoked_at"] is None,
           "list shows the expiry: %s" % listed)
    human = hub.run(["token", "list"]).stdout
    expect("expires " + listed[0]["expires_at"] in human and short not in human,
           "the plain list shows the expiry, never the token: %r" % human)

    wait_until_refused(hub, short, made_at + 15)

    # Rotation: a node syncs with the old token, the operator rotates, the
    # old token works for the grace period, the new one from now on.
    old = hub.run(["token", "create", "RXX"]).stdout.strip()
    rxx = scene.node("RXX", default=True)
    rxx.follow(hub, token=old)
    rxx.sync()
    new_file = os.path.join(hub.sandbox.tmp, "rxx-new.token")
    rot = hub.run(["token", "rotate", "RXX", "--grace", "4s", "--output", new_file])
    rotated_at = time.time()
    expect("1 old token of RXX stops working in 4s" in rot.stderr and rot.stdout == "",
           "rotate says what happens to the old token", rot)
    expect(oct(os.stat(new_file).st_mode & 0o777) == "0o600", "the new token file is 0600")
    with open(new_file) as f:
        new = f.read().strip()
    expect(new != old and new.startswith("fgc_"), "a new token was written")
    status, _, _ = hub.api("GET", "/v1/whoami", old)
    expect(status == 200, "the old token works during the grace period")
    rxx.sync()
    status, body, _ = hub.api("GET", "/v1/whoami", new)
    expect(status == 200 and body.get("ods") == "RXX", "the new token is RXX's: %s" % body)
    wait_until_refused(hub, old, rotated_at + 15)
    res = rxx.run(["sync"])
    expect(res.code == 4 and len(res.stderr.splitlines()) == 1 and "401" in res.stderr,
           "with the old token the node's sync fails with one line, exit 4", res)
    with open(rxx.token_file, "w") as f:
        f.write(new + "\n")
    rxx.sync()

    # Nothing left to rotate; bad durations and misplaced options.
    hub.run(["token", "revoke", "RXX"])
    gone = hub.sandbox.run(["token", "rotate", "RXX"], env=hub.env)
    expect(gone.code == 3 and len(gone.stderr.splitlines()) == 1, "no valid token: exit 3",
           gone)
    for args in (["token", "create", "RXX", "--expires", "0d"],
                 ["token", "create", "RXX", "--expires", "5y"],
                 ["token", "create", "RXX", "--expires", "90"],
                 ["token", "create", "RXX", "--expires", "99999d"],
                 ["token", "create", "RXX", "--grace", "1d"],
                 ["token", "list", "--expires", "1d"],
                 ["token", "rotate", "RXX", "--grace", "-1d"]):
        res = hub.sandbox.run(args, env=hub.env)
        expect(res.code == 2 and len(res.stderr.splitlines()) == 1 and
               res.stderr.startswith("fgcat"), "%s: exit 2, one line" % args, res)
    left = hub.run(["token", "list", "--json"]).json()
    expect(all(t["revoked_at"] or t["expires_at"] for t in left),
           "no token was made by a refused command: %s" % left)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
