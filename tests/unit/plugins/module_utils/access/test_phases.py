"""The permission table of the phases (module_utils/access/phases.py) against the collection's RBAC (roles/rbac):
a phase that needs a verb the ServiceAccount is not granted fails here, not halfway through a migration."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.phase_permissions import FilterModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.permissions import parse_permissions
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.phases import FEATURES, PHASES, SCOPES, features_of, phase_permissions
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[5]
RBAC = yaml.safe_load((ROOT / "roles" / "rbac" / "vars" / "main.yml").read_text())
PLAYBOOKS = {"00": "00_preflight.yml", "10": "10_namespaces.yml", "20": "20_network_policies.yml", "30": "30_green_deploy.yml",
             "40": "40_smoke_test.yml", "50": "50_switch_traffic.yml", "60": "60_blue_removal.yml", "90": "90_rollback.yml",
             "release": "release.yml", "release_rollback": "release_rollback.yml"}


def granted(rules):
    return {(verb, group, resource) for rule in rules for group in rule["apiGroups"] for resource in rule["resources"] for verb in rule["verbs"]}


CLUSTER = granted(RBAC["__rbac_cluster_rules"])
ARGOCD = granted(RBAC["__rbac_argocd_rules"])


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_every_verb_a_phase_uses_is_granted_by_the_rbac_role(phase):
    missing = []
    for need in PHASES[phase]:
        # The Argo CD Role binds only in Argo CD's namespace; everything else is the ClusterRole's.
        grants = CLUSTER | ARGOCD if need.scope == "argocd" else CLUSTER
        missing += ["{0} {1}.{2} ({3})".format(verb, need.resource, need.group, need.why) for verb in need.verbs
                    if (verb, need.group, need.resource) not in grants]
    assert not missing, "phase {0} needs what roles/rbac/vars/main.yml does not grant: {1}".format(phase, "; ".join(missing))


# Granted, and read by no task of any phase (EndpointSlices are only listed): kept out of this test's way, not used.
UNUSED_GRANTS = {("get", "discovery.k8s.io", "endpointslices")}


def test_every_verb_the_rbac_role_grants_is_used_by_a_phase():
    used = {(verb, need.group, need.resource) for needs in PHASES.values() for need in needs for verb in need.verbs}
    assert sorted((CLUSTER | ARGOCD) - used) == sorted(UNUSED_GRANTS)


def test_the_table_names_known_scopes_and_features_and_says_why():
    for phase, needs in PHASES.items():
        for need in needs:
            assert need.scope in SCOPES and need.feature in FEATURES + (None,) and need.why, (phase, need)


def test_every_phase_playbook_checks_its_row_before_its_first_write():
    for phase, playbook in PLAYBOOKS.items():
        (play,) = yaml.safe_load((ROOT / "playbooks" / playbook).read_text())
        tasks = play["tasks"]
        checks = [index for index, task in enumerate(tasks) if "ecoeco.bluegreen.access_review" in task]
        blocks = [index for index, task in enumerate(tasks) if "block" in task]
        assert len(checks) == 1 and checks[0] < blocks[0], playbook
        permissions = tasks[checks[0]]["ecoeco.bluegreen.access_review"]["permissions"]
        assert "'{0}' | ecoeco.bluegreen.phase_permissions(".format(phase) in permissions, playbook


def test_scopes_become_namespaces_and_features_select_needs():
    permissions = phase_permissions("60", {"source": "api", "ledger": "ecoeco-bluegreen"})
    texts = [request.text for request in parse_permissions(permissions)]
    assert "delete namespaces in namespace api" in texts and "get configmaps in namespace ecoeco-bluegreen" in texts
    assert "list ingresses.networking.k8s.io in all namespaces" in texts
    assert not [text for text in texts if "argoproj.io" in text]  # no ApplicationSet managed: no Argo CD needs
    with_argocd = phase_permissions("60", {"source": "api", "ledger": "l", "argocd": "argocd"}, features_of(applicationset="ecoeco-api"))
    assert "patch applicationsets.argoproj.io in namespace argocd" in [request.text for request in parse_permissions(with_argocd)]


def test_the_smoke_test_mode_decides_what_phase_40_needs():
    def texts(mode):
        features = features_of(smoke_test_mode=mode)
        return [request.text for request in parse_permissions(phase_permissions("40", {"green": ["auth"], "ledger": "l"}, features))]

    assert "create pods/portforward in namespace auth" in texts("port_forward")
    assert "get pods/portforward in namespace auth" in texts("port_forward")  # the websocket upgrade
    assert "create pods/portforward in namespace auth" not in texts("endpoints")
    assert "list endpointslices.discovery.k8s.io in all namespaces" in texts("port_forward")
    assert "list endpointslices.discovery.k8s.io in all namespaces" in texts("endpoints")
    assert "list endpointslices.discovery.k8s.io in all namespaces" not in texts("url")


def test_the_release_smoke_mode_decides_whether_the_release_needs_port_forward():
    def texts(mode):
        needs = phase_permissions("release", {"release": "backend", "ledger": "l"}, features_of(smoke_test_mode=mode))
        return [request.text for request in parse_permissions(needs)]

    assert "create pods/portforward in namespace backend" in texts("port_forward")
    assert "create pods/portforward in namespace backend" not in texts("endpoints")


@pytest.mark.parametrize("settings, features", [
    ({}, ["apply_green", "endpoints", "port_forward"]),
    ({"manual_sync": True}, ["apply_green", "endpoints", "port_forward"]),  # no ApplicationSet: nothing to freeze
    ({"applicationset": "set", "manual_sync": True, "green_source": "argocd", "smoke_test_mode": "url"}, ["argocd", "argocd_green", "manual_sync"]),
    ({"green_source": "manifests", "smoke_test_mode": "endpoints"}, ["apply_green", "endpoints"]),
])
def test_features_follow_the_inventory_settings(settings, features):
    assert features_of(**settings) == features


@pytest.mark.parametrize("phase, scopes, features, message", [
    ("70", {}, [], "phase: expected one of 00, 10, 20, 30, 40, 50, 60, 90, release, release_rollback, got '70'"),
    ("60", {"blue": "api"}, [], "scopes.blue: expected one of the scopes"),
    ("60", {}, ["argo"], "features: expected names among argocd, manual_sync"),
])
def test_bad_table_input_is_named(phase, scopes, features, message):
    with pytest.raises(InvalidInput) as refused:
        phase_permissions(phase, scopes, features)
    assert str(refused.value).startswith(message)


def test_the_filter_maps_its_keywords_to_scopes_and_names_bad_input():
    phase_filter = FilterModule().filters()["phase_permissions"]
    permissions = phase_filter("20", green=["auth", "my"], ledger="ecoeco-bluegreen")
    assert {"group": "networking.k8s.io", "resource": "networkpolicies", "verbs": ["delete"], "namespaces": ["auth", "my"],
            "why": "network_policies: prune the undeclared managed policies"} in permissions
    with pytest.raises(AnsibleFilterError, match="phase_permissions: green must be a list of namespaces, got 'auth'"):
        phase_filter("20", green="auth")
    with pytest.raises(AnsibleFilterError, match="phase_permissions: phase: expected one of"):
        phase_filter("21")
