"""The pod template of a blue Deployment as the sandbox seeds it, for scratch workloads of the tests.

Read from the sandbox's own manifests, not from the live namespace ``api``: another test (a migration) may have
removed or changed that, and a scratch test must not depend on the shared state."""

import copy

from ecoeco_sandbox import blue_state


def blue_pod_template():
    """A fresh copy (the caller may change it) of the seeded pod template of ``api/auth-api``, as a dict."""
    return copy.deepcopy(blue_state.deployment("auth")["spec"]["template"])
