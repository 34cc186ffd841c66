# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When a Deployment is rolled out, and the sentence that says why not: one rule for every phase that waits or gates on it."""


def rollout_pending(deployment):
    """None when the Deployment controller has seen the current spec and every replica is updated and available.

    Otherwise a sentence such as ``1 of 2 replicas available, 2 updated, 2 running, generation 3 of 3 observed (reason)``,
    the reason being the message of every condition that is not True (for example ProgressDeadlineExceeded).
    """
    metadata = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    desired = spec.get("replicas", 1)
    observed = status.get("observedGeneration") or 0
    generation = metadata.get("generation") or 0
    counts = [status.get(key) or 0 for key in ("replicas", "updatedReplicas", "availableReplicas")]
    if observed >= generation and counts == [desired] * 3:
        return None
    reasons = [condition.get("message") or condition.get("reason") or condition.get("type")
               for condition in status.get("conditions") or [] if condition.get("status") != "True"]
    return "{0} of {1} replicas available, {2} updated, {3} running, generation {4} of {5} observed{6}".format(
        counts[2], desired, counts[1], counts[0], observed, generation, " ({0})".format("; ".join(reasons)) if reasons else "")
