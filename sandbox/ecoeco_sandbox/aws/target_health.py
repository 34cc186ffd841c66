"""Target health in the sandbox's moto, closer to what AWS reports.

moto answers ``healthy`` for every registered running target, at once and for ever.
The patch installed here decides each target's state, in order, from:

1. a test override: a tag on the target group, key ``sandbox.ecoeco.io/health.<target-id>``
   (one target) or ``sandbox.ecoeco.io/health`` (every target of the group), value a state
   from ``STATES``; the per-target tag wins over the group-wide one;
2. the health the sandbox's model of the ALB's health checks decided for the target group
   (``REGISTRY``, written by ``health_checks``), applied to targets moto itself considers in service;
3. moto's own answer (``unused`` for a stopped instance, ``Target.NotRegistered``, ...).

moto runs in the sandbox helper's process (``ThreadedMotoServer`` or ``mock_aws``), so patching
the backend class is enough; every client sees the result through ``describe_target_health``.
"""

import threading
from dataclasses import dataclass

from moto.elbv2.models import ELBv2Backend, FakeHealthStatus

OVERRIDE_TAG = "sandbox.ecoeco.io/health"

# AWS's reason code and description for each state (docs: TargetHealth, "Health check reason codes").
REASONS = {
    "healthy": (None, None),
    "initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
    "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"),
    "unavailable": ("Target.HealthCheckDisabled", "Health checks are disabled"),
}
STATES = tuple(REASONS)

_PATCH_MARK = "_ecoeco_sandbox_health_patch"


@dataclass(frozen=True)
class Health:
    """One target health answer: state plus AWS's reason code and description."""

    state: str
    reason: str | None = None
    description: str | None = None

    @classmethod
    def of(cls, state):
        """Health for ``state`` with the reason and description AWS gives it."""
        if state not in REASONS:
            raise ValueError(f"unknown target health state {state!r}, expected one of {', '.join(STATES)}")
        reason, description = REASONS[state]
        return cls(state, reason, description)


class HealthRegistry:
    """Thread-safe map target group ARN -> Health, written by the health checks, read by the patch."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_arn = {}

    def set(self, target_group_arn, health):
        """Record the computed health of every target of ``target_group_arn``."""
        with self._lock:
            self._by_arn[target_group_arn] = health

    def get(self, target_group_arn):
        """Computed health of ``target_group_arn``, or None when the health checks have not decided."""
        with self._lock:
            return self._by_arn.get(target_group_arn)

    def forget(self, target_group_arn):
        """Drop the entry of a deleted target group."""
        with self._lock:
            self._by_arn.pop(target_group_arn, None)

    def clear(self):
        """Drop every entry (tests, sandbox reset)."""
        with self._lock:
            self._by_arn.clear()


REGISTRY = HealthRegistry()


def override_tag_key(target_id=None):
    """Tag key overriding the health of ``target_id``, or of every target when None."""
    return OVERRIDE_TAG if target_id is None else f"{OVERRIDE_TAG}.{target_id}"


def set_health_override(elbv2_client, target_group_arn, target_id, state):
    """Force the reported health of one target (``target_id``) or all (None) to ``state``; None removes it.

    Works through the ELBv2 API (tags), so a test or playbook in another process can use it too:
    ``aws elbv2 add-tags --resource-arns <tg> --tags Key=sandbox.ecoeco.io/health.<id>,Value=unhealthy``.
    Mind moto's limit of 10 tags per resource (the load balancer controller uses 3).
    """
    key = override_tag_key(target_id)
    if state is None:
        elbv2_client.remove_tags(ResourceArns=[target_group_arn], TagKeys=[key])
        return
    Health.of(state)  # validates
    elbv2_client.add_tags(ResourceArns=[target_group_arn], Tags=[{"Key": key, "Value": state}])


def decide(status, tags, computed):
    """Final FakeHealthStatus for moto's ``status`` given the group's tags and the health checks' Health."""
    override = tags.get(override_tag_key(status.instance_id)) or tags.get(OVERRIDE_TAG)
    if override in REASONS:
        health = Health.of(override)
    elif computed is not None and status.status == "healthy":
        health = computed
    else:
        return status
    return FakeHealthStatus(status.instance_id, status.port, status.health_check_port, health.state, health.reason, health.description)


def install_patch():
    """Patch ``ELBv2Backend.describe_target_health`` (once per process)."""
    if getattr(ELBv2Backend.describe_target_health, _PATCH_MARK, False):
        return
    moto_describe_target_health = ELBv2Backend.describe_target_health

    def describe_target_health(self, target_group_arn, targets):
        statuses = moto_describe_target_health(self, target_group_arn, targets)
        tags = self.tagging_service.get_tag_dict_for_resource(target_group_arn)
        computed = REGISTRY.get(target_group_arn)
        return [decide(status, tags, computed) for status in statuses]

    setattr(describe_target_health, _PATCH_MARK, True)
    ELBv2Backend.describe_target_health = describe_target_health
