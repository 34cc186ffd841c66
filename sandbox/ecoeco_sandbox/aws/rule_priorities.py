"""Make moto's ``SetRulePriorities`` accept reorders the way AWS does.

moto 5.2.5 refuses any new priority that some rule of the listener holds *before* the call,
so swapping two rules (the heart of an atomic blue-green hand-over) fails with PriorityInUse.
AWS only requires the listener's priorities to be unique *after* the call.
"""

from moto.elbv2.exceptions import DuplicatePriorityError, ELBClientError, PriorityInUseError, ValidationError
from moto.elbv2.models import ELBv2Backend

MAX_PRIORITY = 50000

_PATCH_MARK = "_ecoeco_sandbox_priorities_patch"


def _set_rule_priorities(self, rule_priorities):
    """AWS semantics: all-or-nothing, unique priorities per listener once the call is applied."""
    requested = {}
    for item in rule_priorities:
        priority = int(item["Priority"])
        if not 1 <= priority <= MAX_PRIORITY:
            raise ValidationError(f"Priority {priority} is outside 1..{MAX_PRIORITY}")
        rule = self.describe_rules(listener_arn=None, rule_arns=[item["RuleArn"]])[0]
        if rule.is_default:
            raise ELBClientError("OperationNotPermitted", "The default rule priority cannot be changed")
        if rule.arn in requested:
            raise ValidationError(f"Rule {rule.arn} was provided multiple times")
        requested[rule.arn] = (rule, priority)
    new_priorities = [priority for _rule, priority in requested.values()]
    for priority in new_priorities:
        if new_priorities.count(priority) > 1:
            raise DuplicatePriorityError(str(priority))
    for rule, priority in requested.values():
        listener = self.describe_listeners(None, [rule.listener_arn])[0]
        for other in listener.rules.values():
            if other.arn not in requested and not other.is_default and int(other.priority) == priority:
                raise PriorityInUseError()
    for rule, priority in requested.values():
        rule.priority = priority
    return [rule for rule, _priority in requested.values()]


def install_patch():
    """Patch ``ELBv2Backend.set_rule_priorities`` (once per process)."""
    if getattr(ELBv2Backend.set_rule_priorities, _PATCH_MARK, False):
        return
    setattr(_set_rule_priorities, _PATCH_MARK, True)
    ELBv2Backend.set_rule_priorities = _set_rule_priorities
