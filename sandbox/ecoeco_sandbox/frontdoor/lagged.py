"""A value that readers see ``lag`` seconds after it was written: kube-proxy programs a change
into the node's rules a moment after the API server has it, and that moment is what a switch must wait out."""

import threading
import time
from collections import deque


class Lagged:
    """``set(value)`` now, ``get()`` returns the latest value written at least ``lag`` seconds ago."""

    def __init__(self, initial, lag, clock=time.monotonic):
        self.lag = lag
        self._clock = clock
        self._lock = threading.Lock()
        self._current = initial
        self._pending = deque()  # (visible at, value), oldest first

    def set(self, value):
        with self._lock:
            self._pending.append((self._clock() + self.lag, value))

    def get(self):
        with self._lock:
            now = self._clock()
            while self._pending and self._pending[0][0] <= now:
                self._current = self._pending.popleft()[1]
            return self._current
