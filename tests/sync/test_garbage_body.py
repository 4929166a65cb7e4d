"""The hub (or something in between) answers 200 with a body that is not
JSON: retried; when it persists, the sync fails cleanly with nothing
applied."""

import synctest


def scenario(scene):
    synctest.bad_answer_scenario(scene, "garbage", r"not JSON")


if __name__ == "__main__":
    synctest.main(scenario, __doc__)
