"""Target group health from Service readiness, the way an ALB's health checks would see it.

In instance mode every node forwards the NodePort to the Service's pods (kube-proxy), so every
target of a group shares one health: that of the Service's Ready endpoints.

* a new target group is ``initial`` until the first decision, ``healthy_after`` seconds at most;
* ``healthy`` once the Service has had a Ready endpoint for ``healthy_after`` seconds without a gap
  (AWS: HealthyThresholdCount x HealthCheckIntervalSeconds, compressed);
* ``unhealthy`` as soon as the Service has no Ready endpoint (after the initial period), and until
  endpoints have been Ready for ``healthy_after`` seconds again.
"""

from .target_health import Health


class HealthTracker:
    """Per target group health state machine, driven by ``observe`` with the caller's clock."""

    def __init__(self, healthy_after=1.0):
        self.healthy_after = healthy_after
        self._registered_at = {}
        self._ready_since = {}
        self._state = {}

    def observe(self, key, ready, now):
        """Health of target group ``key`` given whether its Service has a Ready endpoint at time ``now``."""
        registered_at = self._registered_at.setdefault(key, now)
        if ready:
            self._ready_since.setdefault(key, now)
        else:
            self._ready_since.pop(key, None)
        ready_since = self._ready_since.get(key)
        state = self._state.get(key, "initial")
        if ready_since is not None and now - ready_since >= self.healthy_after:
            state = "healthy"
        elif ready_since is None and (state != "initial" or now - registered_at >= self.healthy_after):
            state = "unhealthy"
        self._state[key] = state
        return Health.of(state)

    def forget(self, key):
        """Drop a deleted target group (a new one with the same key starts ``initial`` again)."""
        for table in (self._registered_at, self._ready_since, self._state):
            table.pop(key, None)
