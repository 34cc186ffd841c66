"""Steady load through the front door in a background thread, with the bench's own events on the same clock."""

import asyncio
import threading
import time

from ecoeco_sandbox.loadgen import generate


class Traffic:
    """``with Traffic(url, paths, rate, max_seconds) as load: ... load.mark("switch")``; then ``load.records``.

    ``host_header``: the client's domain, for ALB rules that match on it (default: the URL's host and port).

    Leaving the block waits ``tail`` seconds more, then stops the load (it is also bounded by ``max_seconds``).
    """

    def __init__(self, url, paths, rate=40.0, max_seconds=120.0, lead=2.0, tail=4.0, host_header=None):
        self.url, self.paths, self.rate, self.max_seconds = url, paths, rate, max_seconds
        self.host_header = host_header
        self.lead, self.tail = lead, tail
        self.marks = {}
        self.records = []
        self._stop = threading.Event()
        self._start = None
        self._thread = None

    def now(self):
        return round(time.monotonic() - self._start, 4)

    def mark(self, name):
        """Record that ``name`` happened now (seconds on the load's time line)."""
        self.marks[name] = self.now()
        return self.marks[name]

    def __enter__(self):
        self._start = time.monotonic()
        count = int(self.rate * self.max_seconds) + 1

        def run():
            self.records = asyncio.run(generate(self.url, self.paths, count, self.rate, self.max_seconds, host_header=self.host_header,
                                                start=self._start, should_stop=self._stop.is_set))

        self._thread = threading.Thread(target=run, name="bench-load", daemon=True)
        self._thread.start()
        time.sleep(self.lead)
        return self

    def __exit__(self, *_exc):
        time.sleep(self.tail)
        self._stop.set()
        self._thread.join(timeout=30)
        return False
