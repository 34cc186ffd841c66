"""Bounded polling shared by the integration tests."""

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
