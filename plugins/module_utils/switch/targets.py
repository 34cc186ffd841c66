# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse and validate the module's input into typed targets and settings, before any API call.

Every bad value raises InvalidInput naming the exact option, e.g. ``targets[2].green_value``.
"""

import re
from dataclasses import dataclass
from typing import Optional

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import (
    GROUP_ORDER_MAX,
    GROUP_ORDER_MIN,
    parse_group_order,
)

STATES = ("green", "blue")
DEFAULT_SELECTOR_KEY = "version"

_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

_LABEL_VALUE_RULE = "a label value: at most 63 characters of [A-Za-z0-9], '-', '_' or '.', starting and ending alphanumeric"
_LABEL_KEY_RULE = "a label key: [prefix/]name, name as a label value, prefix a DNS subdomain"
_NAMESPACE_RULE = "a namespace name (DNS label: at most 63 characters of [a-z0-9-], starting and ending alphanumeric)"
_SERVICE_NAME_RULE = "a Service name (DNS-1035 label: at most 63 characters of [a-z0-9-], starting with a letter)"
_INGRESS_NAME_RULE = "an Ingress name (DNS subdomain: at most 253 characters of [a-z0-9-.])"


@dataclass(frozen=True)
class ObjectRef:
    namespace: str
    name: str

    def __str__(self):
        return "{0}/{1}".format(self.namespace, self.name)


@dataclass(frozen=True)
class ServiceTarget:
    """Flip one Service's selector value between the blue and the green pods."""

    label: str
    ref: ObjectRef
    selector_key: str
    blue_value: str
    green_value: str
    min_ready: Optional[int]
    kind = "service"


@dataclass(frozen=True)
class IngressTarget:
    """Flip which of two Ingresses in one ALB IngressGroup is evaluated first (the green one is edited)."""

    label: str
    blue: ObjectRef
    green: ObjectRef
    green_order: Optional[int]
    previous: Optional[str]
    min_ready: Optional[int]
    kind = "ingress"

    @property
    def ref(self):
        return self.green


@dataclass(frozen=True)
class Settings:
    state: str
    converge_timeout: float
    converge_interval: float
    argocd_namespace: str
    gitops_frozen: bool
    settle_grace: float = 0.0


_SERVICE_FIELDS = frozenset(("namespace", "name", "selector_key", "blue_value", "green_value"))
_INGRESS_FIELDS = frozenset(("blue", "green", "green_order", "previous"))
_COMMON_FIELDS = frozenset(("kind", "min_ready"))


def parse_settings(params):
    state = params.get("state")
    if state not in STATES:
        raise InvalidInput("state", "one of " + ", ".join(STATES), state)
    for option in ("converge_timeout", "converge_interval"):
        value = params.get(option)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise InvalidInput(option, "a number of seconds greater than 0", value)
    grace = params.get("settle_grace", 0.0)
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or grace < 0:
        raise InvalidInput("settle_grace", "a number of seconds, 0 or more", grace)
    return Settings(
        state=state,
        converge_timeout=float(params["converge_timeout"]),
        converge_interval=float(params["converge_interval"]),
        settle_grace=float(grace),
        argocd_namespace=_text(params, "argocd_namespace", "argocd_namespace", _DNS_LABEL, 63, _NAMESPACE_RULE),
        gitops_frozen=bool(params.get("gitops_frozen")),
    )


def parse_targets(raw_targets):
    if not isinstance(raw_targets, list) or not raw_targets:
        raise InvalidInput("targets", "a non-empty list of targets (kind service or ingress)", raw_targets)
    targets = [_parse_target(index, raw) for index, raw in enumerate(raw_targets)]
    _reject_duplicates(targets)
    return targets


def _parse_target(index, raw):
    label = "targets[{0}]".format(index)
    if not isinstance(raw, dict):
        raise InvalidInput(label, "a dictionary", raw)
    kind = raw.get("kind")
    own_fields = {"service": _SERVICE_FIELDS, "ingress": _INGRESS_FIELDS}.get(kind)
    if own_fields is None:
        raise InvalidInput(label + ".kind", "one of service, ingress", kind)
    for field in sorted(key for key, value in raw.items() if value is not None):
        if field not in own_fields | _COMMON_FIELDS:
            raise InvalidInput("{0}.{1}".format(label, field), "no value: {0} is not an option of kind {1}".format(field, kind), raw[field])
    min_ready = _min_ready(raw, label)
    if kind == "service":
        return _parse_service(raw, label, min_ready)
    return _parse_ingress(raw, label, min_ready)


def _parse_service(raw, label, min_ready):
    ref = ObjectRef(
        namespace=_text(raw, "namespace", label + ".namespace", _DNS_LABEL, 63, _NAMESPACE_RULE),
        name=_text(raw, "name", label + ".name", _DNS_1035_LABEL, 63, _SERVICE_NAME_RULE),
    )
    selector_key = raw.get("selector_key")
    if selector_key is None:
        selector_key = DEFAULT_SELECTOR_KEY
    elif not _is_label_key(selector_key):
        raise InvalidInput(label + ".selector_key", _LABEL_KEY_RULE, selector_key)
    blue_value = _text(raw, "blue_value", label + ".blue_value", _LABEL_VALUE, 63, _LABEL_VALUE_RULE)
    green_value = _text(raw, "green_value", label + ".green_value", _LABEL_VALUE, 63, _LABEL_VALUE_RULE)
    if blue_value == green_value:
        raise InvalidInput(label + ".green_value", "a value different from blue_value", green_value)
    return ServiceTarget(label, ref, selector_key, blue_value, green_value, min_ready)


def _parse_ingress(raw, label, min_ready):
    blue = _ingress_ref(raw, "blue", label)
    green = _ingress_ref(raw, "green", label)
    if blue == green:
        raise InvalidInput(label + ".green", "a different Ingress than blue", str(green))
    green_order = raw.get("green_order")
    if green_order is not None:
        if isinstance(green_order, bool) or not isinstance(green_order, int) or not GROUP_ORDER_MIN <= green_order <= GROUP_ORDER_MAX:
            raise InvalidInput(label + ".green_order", "an integer from {0} to {1}".format(GROUP_ORDER_MIN, GROUP_ORDER_MAX), green_order)
    previous = raw.get("previous")
    if previous is not None:
        try:
            parse_group_order(previous)
        except ValueError:
            expected = "a group.order annotation value: an integer from {0} to {1}".format(GROUP_ORDER_MIN, GROUP_ORDER_MAX)
            raise InvalidInput(label + ".previous", expected, previous) from None
    return IngressTarget(label, blue, green, green_order, previous, min_ready)


def _ingress_ref(raw, side, label):
    field = "{0}.{1}".format(label, side)
    value = raw.get(side)
    if not isinstance(value, dict):
        raise InvalidInput(field, "a dictionary with namespace and name of the {0} Ingress".format(side), value)
    return ObjectRef(
        namespace=_text(value, "namespace", field + ".namespace", _DNS_LABEL, 63, _NAMESPACE_RULE),
        name=_text(value, "name", field + ".name", _DNS_SUBDOMAIN, 253, _INGRESS_NAME_RULE),
    )


def _min_ready(raw, label):
    value = raw.get("min_ready")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInput(label + ".min_ready", "an integer of at least 1", value)
    return value


def _text(raw, key, field, pattern, max_length, rule):
    value = raw.get(key)
    if not isinstance(value, str) or len(value) > max_length or not pattern.match(value):
        raise InvalidInput(field, rule, value)
    return value


def _is_label_key(key):
    if not isinstance(key, str):
        return False
    prefix, slash, name = key.rpartition("/")
    if slash and not (len(prefix) <= 253 and _DNS_SUBDOMAIN.match(prefix)):
        return False
    return len(name) <= 63 and bool(_LABEL_VALUE.match(name))


def _reject_duplicates(targets):
    """Two targets editing one object would race their own compare-and-swap."""
    seen = {}
    for target in targets:
        key = (target.kind, target.ref)
        if key in seen:
            raise InvalidInput(target.label, "each object at most once, but {0} {1} is also {2}".format(target.kind, target.ref, seen[key]))
        seen[key] = target.label
