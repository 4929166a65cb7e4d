"""An answer cut short (the right Content-Length, half the body, then the
connection closed): retried; when it persists, the sync fails cleanly with
nothing applied."""

import synctest


def scenario(scene):
    synctest.bad_answer_scenario(scene, "truncate", r"transfer closed with \d+ bytes remaining|partial file")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
