"""Monotonic timings and bounded polling shared by every module that waits."""

import time


def elapsed_seconds(start):
    """Seconds since ``start`` (a ``time.monotonic()`` reading), rounded to the millisecond: every module's ``duration``."""
    return round(time.monotonic() - start, 3)


def elapsed_ms(start):
    """Milliseconds since ``start`` (a ``time.monotonic()`` reading), rounded to 0.1 ms."""
    return round((time.monotonic() - start) * 1000.0, 1)


def poll_until(check, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """Call ``check()`` until it returns a truthy value or ``timeout`` seconds have passed.

    Returns ``(value, seconds_waited)``; ``value`` is the last falsy result on timeout. The first
    check runs at once, so an already-satisfied condition costs no sleep.
    """
    start = clock()
    while True:
        value = check()
        waited = clock() - start
        if value or waited >= timeout:
            return value, waited
        sleep(min(interval, max(timeout - waited, 0)))


class Deadline:
    """The seconds left of one timeout shared by every wait of a step; every wait still gets at least one read."""

    def __init__(self, timeout, clock=time.monotonic):
        self._clock = clock
        self._end = clock() + timeout

    def left(self):
        return max(self._end - self._clock(), 0.001)
