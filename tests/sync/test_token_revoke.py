"""Operators list and revoke tokens: `fgcat token list` shows ids (the
start of each hash), never a token; `fgcat token revoke ODS` stops that
trust's tokens (calls get 401, its sync fails with one line, exit 4, and
is not retried), while other trusts carry on; revoking by id stops just
that token."""

import synctest
from synctest import expect


def scenario(scene):
    hub, tst, rxx, _ = scene.provider_and_member()
    token = hub.token("RXX")
    listed = hub.run(["token", "list", "--json"])
    expect(listed.code == 0, "token list works", listed)
    tokens = listed.json()
    expect({t["ods"] for t in tokens} >= {"TST", "RXX"}, "both trusts listed: %s" % tokens)
    expect(all(len(t["id"]) == 12 and t["revoked_at"] is None for t in tokens),
           "ids are hash prefixes, none revoked: %s" % tokens)
    expect(token not in listed.stdout and token[4:16] not in listed.stdout,
           "no token (nor its start) is listed")

    res = hub.run(["token", "revoke", "RXX"])
    expect(res.code == 0 and "revoked 1 token" in res.stderr, "revoke RXX", res)
    status, body, hdrs = hub.api("GET", "/v1/whoami", token)
    expect(status == 401 and hdrs.get("WWW-Authenticate", "").startswith("Bearer"),
           "a revoked token gets 401: %s %s" % (status, body))
    res = rxx.run(["sync"])
    expect(res.code == 4 and len(res.stderr.splitlines()) == 1 and "401" in res.stderr,
           "the member's sync fails with one line, exit 4", res)
    tst.sync()  # the provider is not affected

    again = hub.sandbox.run(["token", "revoke", "RXX"], env=hub.env)
    expect(again.code == 3, "nothing left to revoke: exit 3", again)
    bad = hub.sandbox.run(["token", "revoke", "not a token"], env=hub.env)
    expect(bad.code == 2 and len(bad.stderr.splitlines()) == 1, "bad argument: exit 2", bad)

    # A new token for RXX works; revoking one token by id leaves others.
    fresh = hub.run(["token", "create", "RXX"]).stdout.strip()
    tid = [t["id"] for t in hub.run(["token", "list", "--json"]).json()
           if t["ods"] == "TST"][0]
    expect(hub.run(["token", "revoke", tid]).code == 0, "revoke by id")
    status, _, _ = hub.api("GET", "/v1/whoami", fresh)
    expect(status == 200, "RXX's new token still works")

    # A token file that cannot hold a token is refused when it is read,
    # not later by the hub's 401.
    import os
    bad_file = os.path.join(hub.sandbox.tmp, "cut.token")
    with open(bad_file, "wb") as f:
        f.write(fresh[:10].encode() + b"\0" + fresh[10:].encode())
    res = rxx.run(["remote", "add", "cut", hub.url, "--token-file", bad_file])
    expect(res.code == 2 and "NUL" in res.stderr and len(res.stderr.splitlines()) == 1,
           "a token file with a NUL byte: exit 2, one line", res)


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
