"""The 15 slowest tests of a `make test` run, read from the JUnit XML files pytest wrote (one per stage)."""

import sys
from xml.etree import ElementTree

SHOWN = 15


def cases(paths):
    for path in paths:
        try:
            root = ElementTree.parse(path).getroot()
        except (OSError, ElementTree.ParseError):
            continue
        for case in root.iter("testcase"):
            yield float(case.get("time", 0)), "{0}::{1}".format(case.get("classname", ""), case.get("name", ""))


def main(paths):
    timed = sorted(cases(paths), reverse=True)
    if not timed:
        return 0
    print("\n=== the {0} slowest tests (of {1}; setup, call and teardown; total {2:.0f}s)".format(
        min(SHOWN, len(timed)), len(timed), sum(seconds for seconds, _name in timed)))
    for seconds, name in timed[:SHOWN]:
        print("{0:8.1f}s  {1}".format(seconds, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
