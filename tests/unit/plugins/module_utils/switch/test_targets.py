import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import (
    IngressTarget,
    ObjectRef,
    ServiceTarget,
    parse_settings,
    parse_targets,
)

# What Ansible hands over after the argument spec: every suboption present, unset ones None.
SERVICE_KEYS = ("namespace", "name", "selector_key", "blue_value", "green_value")
INGRESS_KEYS = ("blue", "green", "green_order", "previous")


def raw(kind="service", **fields):
    item = dict.fromkeys(("kind", "min_ready") + SERVICE_KEYS + INGRESS_KEYS)
    item["kind"] = kind
    if kind == "service":
        item.update(namespace="prod", name="backend", blue_value="blue", green_value="green")
    elif kind == "ingress":
        item.update(blue={"namespace": "api", "name": "auth-api"}, green={"namespace": "auth", "name": "auth-api"})
    item.update(fields)
    return item


def settings_params(**overrides):
    params = dict(state="green", converge_timeout=60.0, converge_interval=0.2, argocd_namespace="argocd", gitops_frozen=False)
    params.update(overrides)
    return params


def test_service_target_gets_typed_with_the_default_selector_key():
    (target,) = parse_targets([raw()])
    assert target == ServiceTarget("targets[0]", ObjectRef("prod", "backend"), "version", "blue", "green", None)
    assert target.kind == "service"


def test_ingress_target_edits_the_green_ingress():
    (target,) = parse_targets([raw("ingress", green_order=-3, previous="7", min_ready=2)])
    assert target == IngressTarget("targets[0]", ObjectRef("api", "auth-api"), ObjectRef("auth", "auth-api"), -3, "7", 2)
    assert target.ref == ObjectRef("auth", "auth-api")


@pytest.mark.parametrize("selector_key", ["version", "app.kubernetes.io/version", "example.com/track", "a_b.c-d"])
def test_valid_selector_keys(selector_key):
    assert parse_targets([raw(selector_key=selector_key)])[0].selector_key == selector_key


@pytest.mark.parametrize(
    "targets, field",
    [
        pytest.param([], "targets", id="empty-list"),
        pytest.param(None, "targets", id="no-list"),
        pytest.param([raw(kind="deployment")], "targets[0].kind", id="unknown-kind"),
        pytest.param([raw(kind=None)], "targets[0].kind", id="missing-kind"),
        pytest.param([raw(namespace=None)], "targets[0].namespace", id="missing-namespace"),
        pytest.param([raw(namespace="Prod")], "targets[0].namespace", id="namespace-uppercase"),
        pytest.param([raw(name=None)], "targets[0].name", id="missing-service-name"),
        pytest.param([raw(name="1backend")], "targets[0].name", id="service-name-not-dns-1035"),
        pytest.param([raw(blue_value=None)], "targets[0].blue_value", id="missing-blue-value"),
        pytest.param([raw(), raw(), raw(green_value="x" * 64)], "targets[2].green_value", id="label-value-too-long"),
        pytest.param([raw(green_value="green!")], "targets[0].green_value", id="label-value-bad-character"),
        pytest.param([raw(green_value="-green")], "targets[0].green_value", id="label-value-starts-with-dash"),
        pytest.param([raw(green_value="green.")], "targets[0].green_value", id="label-value-ends-with-dot"),
        pytest.param([raw(green_value="")], "targets[0].green_value", id="label-value-empty"),
        pytest.param([raw(green_value="blue")], "targets[0].green_value", id="blue-equals-green"),
        pytest.param([raw(selector_key="/version")], "targets[0].selector_key", id="selector-key-empty-prefix"),
        pytest.param([raw(selector_key="Example.com/v")], "targets[0].selector_key", id="selector-key-bad-prefix"),
        pytest.param([raw(selector_key="a/b/c")], "targets[0].selector_key", id="selector-key-two-slashes"),
        pytest.param([raw(min_ready=0)], "targets[0].min_ready", id="min-ready-zero"),
        pytest.param([raw(min_ready=True)], "targets[0].min_ready", id="min-ready-bool"),
        pytest.param([raw(blue={"namespace": "api", "name": "x"})], "targets[0].blue", id="service-with-ingress-option"),
        pytest.param([raw("ingress", selector_key="version")], "targets[0].selector_key", id="ingress-with-service-option"),
        pytest.param([raw("ingress", blue=None)], "targets[0].blue", id="ingress-without-blue"),
        pytest.param([raw("ingress", green={"namespace": "auth", "name": None})], "targets[0].green.name", id="ingress-green-without-name"),
        pytest.param([raw("ingress", green={"namespace": "api", "name": "auth-api"})], "targets[0].green", id="ingress-green-is-blue"),
        pytest.param([raw("ingress", green_order=-1001)], "targets[0].green_order", id="green-order-below-range"),
        pytest.param([raw("ingress", green_order=1001)], "targets[0].green_order", id="green-order-above-range"),
        pytest.param([raw("ingress", previous="1e3")], "targets[0].previous", id="previous-not-integer"),
        pytest.param([raw("ingress", previous=" 5")], "targets[0].previous", id="previous-with-space"),
        pytest.param([raw("ingress", previous="2000")], "targets[0].previous", id="previous-out-of-range"),
        pytest.param([raw(), raw(blue_value="b", green_value="g")], "targets[1]", id="same-service-twice"),
    ],
)
def test_bad_target_fields_are_named(targets, field):
    with pytest.raises(InvalidInput) as caught:
        parse_targets(targets)
    assert caught.value.details["field"] == field
    assert str(caught.value).startswith(field + ": expected ")


def test_blue_equals_green_says_what_is_expected():
    with pytest.raises(InvalidInput, match=r"targets\[0\]\.green_value: expected a value different from blue_value, got 'blue'"):
        parse_targets([raw(green_value="blue")])


def test_settings_parse():
    settings = parse_settings(settings_params(state="blue", converge_timeout=5, gitops_frozen=True))
    assert (settings.state, settings.converge_timeout, settings.converge_interval, settings.gitops_frozen) == ("blue", 5.0, 0.2, True)


@pytest.mark.parametrize(
    "overrides, field",
    [
        pytest.param({"converge_timeout": 0}, "converge_timeout", id="zero-timeout"),
        pytest.param({"converge_timeout": -1.5}, "converge_timeout", id="negative-timeout"),
        pytest.param({"converge_interval": 0.0}, "converge_interval", id="zero-interval"),
        pytest.param({"settle_grace": -1}, "settle_grace", id="negative-grace"),
        pytest.param({"converge_timeout": None}, "converge_timeout", id="missing-timeout"),
        pytest.param({"state": "purple"}, "state", id="unknown-state"),
        pytest.param({"argocd_namespace": "Argo_CD"}, "argocd_namespace", id="bad-argocd-namespace"),
    ],
)
def test_bad_settings_are_named(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        parse_settings(settings_params(**overrides))
    assert caught.value.details["field"] == field
