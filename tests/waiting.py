"""Bounded polling shared by the tests against the sandbox (tests/ is on the import path: its conftest.py is there)."""

import time


def wait_for(check, timeout=90, interval=0.5, what="condition"):
    """Return the first truthy ``check()``; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after {0} s waiting for {1}".format(timeout, what))
        time.sleep(interval)
