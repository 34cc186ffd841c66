"""Bad input: every case fails before anything changes, with a message that names the field.

Role cases (one ansible-playbook run for all of them, tests/integration/playbooks/role_inputs.yml) give each role
of the collection a bad value; playbook cases run a phase with a broken inventory, a bad -e value, a ledger
that forbids the step, or a kubeconfig that cannot reach the cluster. The namespaces within the cases' reach
and every ledger state are compared before and after.
"""

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from playbook_runs import ROOT, active_namespace_names, delete_ledger, read_ledger, run_playbook, seed_ledger, unique


def routes(blue_namespace="api"):
    return [{"name": "auth", "blue": {"namespace": blue_namespace, "name": "auth-api"}, "green": {"namespace": "auth", "name": "auth-api"}}]


BASE = {
    "namespaces": {"namespaces_names": ["bad-input-ok"]},
    "blue_removal": {"blue_removal_namespace": "api", "blue_removal_routes": routes(), "blue_removal_alb_name": "ecoeco-alb",
                     "blue_removal_green_deployments": [{"namespace": "auth", "name": "auth-api"}], "blue_removal_protected_namespaces": [],
                     "blue_removal_switched_at": "", "blue_removal_soak_seconds": 0, "blue_removal_confirm": False,
                     "blue_removal_health_timeout": 1, "blue_removal_health_poll_interval": 1},
    "rollback": {"rollback_scenario": "before-switch", "rollback_routes": routes(), "rollback_source_namespace": "api",
                 "rollback_green_namespaces": ["auth"], "rollback_alb_name": "ecoeco-alb", "rollback_backup_path": "",
                 "rollback_previous": {}},
    "network_policies": {"network_policies_namespaces": ["auth"], "network_policies_alb_source_cidrs": ["10.0.0.0/16"],
                         "network_policies_ports": [8000], "network_policies_egress_namespaces": [], "network_policies_restrict_egress": False},
    "green_deploy": {"green_deploy_domains": ["auth"], "green_deploy_workload_name_suffix": "-api", "green_deploy_source_namespace": "api",
                     "green_deploy_source": "clone_blue", "green_deploy_labels": {"version": "green"},
                     "green_deploy_load_balancer_name": "ecoeco-alb"},
    "smoke_test": {"smoke_test_domains": ["auth"], "smoke_test_workload_name_suffix": "-api", "smoke_test_mode": "endpoints",
                   "smoke_test_base_urls": {}},
    "traffic_switch": {"traffic_switch_targets": routes(), "traffic_switch_alb_name": "ecoeco-alb"},
    "preflight": {"preflight_source_namespace": "api", "preflight_backup_dir": "/tmp", "preflight_alb_name": "",
                  "preflight_backup_kinds": [{"api_version": "apps/v1", "kind": "Deployment"}]},
}
LONG_NAME = "a" * 64
EPOCH_LONG_AGO = "1700000000"

# (id, role, variables over BASE[role], what the message must say)
ROLE_CASES = [
    ("namespaces-empty", "namespaces", {"namespaces_names": []}, "namespaces_names: expected a non-empty list"),
    ("namespaces-uppercase", "namespaces", {"namespaces_names": ["Auth"]}, 'namespaces_names: "Auth" is not a valid namespace name'),
    ("namespaces-underscore", "namespaces", {"namespaces_names": ["my_ns"]}, 'namespaces_names: "my_ns" is not a valid namespace name'),
    ("namespaces-too-long", "namespaces", {"namespaces_names": [LONG_NAME]}, "is not a valid namespace name"),
    ("namespaces-kube-system", "namespaces", {"namespaces_names": ["auth", "kube-system"]}, "namespaces_names: kube-system reserved"),
    ("namespaces-default", "namespaces", {"namespaces_names": ["default"]}, "namespaces_names: default reserved"),
    ("namespaces-argocd", "namespaces", {"namespaces_names": ["argocd"]}, "namespaces_names: argocd reserved"),
    ("namespaces-kube-prefix", "namespaces", {"namespaces_names": ["kube-flannel"]}, "namespaces_names: kube-flannel reserved"),
    ("namespaces-not-a-name", "namespaces", {"namespaces_names": [{"name": "auth"}]}, "namespaces_names"),
    ("blue-removal-kube-system", "blue_removal", {"blue_removal_namespace": "kube-system", "blue_removal_routes": routes("kube-system")},
     "blue_removal_namespace: refusing to delete kube-system: it is reserved"),
    ("blue-removal-default", "blue_removal", {"blue_removal_namespace": "default", "blue_removal_routes": routes("default")},
     "blue_removal_namespace: refusing to delete default: it is reserved"),
    ("blue-removal-argocd", "blue_removal", {"blue_removal_namespace": "argocd", "blue_removal_routes": routes("argocd")},
     "blue_removal_namespace: refusing to delete argocd: it is reserved"),
    ("blue-removal-kube-node-lease", "blue_removal", {"blue_removal_namespace": "kube-node-lease", "blue_removal_routes": routes("kube-node-lease")},
     "refusing to delete kube-node-lease: it is reserved"),
    ("blue-removal-green-namespace", "blue_removal", {"blue_removal_namespace": "auth", "blue_removal_routes": routes("auth")},
     "refusing to delete auth: it is a namespace green lives in"),
    ("blue-removal-protected", "blue_removal", {"blue_removal_namespace": "data", "blue_removal_routes": routes("data"),
                                                "blue_removal_protected_namespaces": ["data"]}, "refusing to delete data: it is protected"),
    ("blue-removal-invalid-name", "blue_removal", {"blue_removal_namespace": "API", "blue_removal_routes": routes("API")},
     "blue_removal_namespace: expected the source (blue) namespace"),
    ("blue-removal-route-elsewhere", "blue_removal", {"blue_removal_routes": routes("other")}, "blue_removal_routes: expected a non-empty list"),
    ("blue-removal-soak-not-seconds", "blue_removal", {"blue_removal_soak_seconds": "1d"},
     "argument 'blue_removal_soak_seconds' is of type str and we were unable to convert to int"),
    ("blue-removal-no-switch", "blue_removal", {"blue_removal_confirm": True}, "no switch is recorded"),
    ("blue-removal-soak-not-elapsed", "blue_removal", {"blue_removal_confirm": True, "blue_removal_soak_seconds": 86400,
                                                       "blue_removal_switched_at": "NOW"}, "the soak is not over"),
    ("blue-removal-not-confirmed", "blue_removal", {"blue_removal_switched_at": EPOCH_LONG_AGO},
     "no confirmation: set blue_removal_confirm=true to delete namespace api"),
    ("rollback-source-reserved", "rollback", {"rollback_source_namespace": "kube-system", "rollback_routes": routes("kube-system")},
     "rollback_source_namespace: expected the blue namespace"),
    ("rollback-green-kube-system", "rollback", {"rollback_green_namespaces": ["kube-system"]}, 'rollback_green_namespaces: refusing "kube-system"'),
    ("rollback-green-default", "rollback", {"rollback_green_namespaces": ["default"]}, 'rollback_green_namespaces: refusing "default"'),
    ("rollback-green-is-source", "rollback", {"rollback_green_namespaces": ["auth", "api"]}, 'rollback_green_namespaces: refusing "api"'),
    ("rollback-unknown-scenario", "rollback", {"rollback_scenario": "sideways"}, "rollback_scenario: expected one of"),
    ("rollback-no-backup", "rollback", {"rollback_scenario": "after-blue-removal"}, "rollback_backup_path"),
    ("policies-no-namespace", "network_policies", {"network_policies_namespaces": []}, "network_policies_namespaces: expected a non-empty list"),
    ("policies-invalid-namespace", "network_policies", {"network_policies_namespaces": ["Bad_NS"]}, "is not a valid namespace name"),
    ("policies-no-alb-cidr", "network_policies", {"network_policies_alb_source_cidrs": []}, "network_policies_alb_source_cidrs"),
    ("policies-port-out-of-range", "network_policies", {"network_policies_ports": [70000]}, "network_policies_ports"),
    ("policies-egress-without-restrict", "network_policies", {"network_policies_egress_namespaces": ["data"]},
     "network_policies_egress_namespaces"),
    ("green-no-domain", "green_deploy", {"green_deploy_domains": []}, "green_deploy_domains: expected a non-empty list"),
    ("green-invalid-domain", "green_deploy", {"green_deploy_domains": ["Auth"]}, "green_deploy_domains"),
    ("green-source-is-a-domain", "green_deploy", {"green_deploy_source_namespace": "auth"}, "green_deploy_source_namespace"),
    ("green-unknown-source", "green_deploy", {"green_deploy_source": "helm"}, "value of green_deploy_source must be one of"),
    ("green-no-labels", "green_deploy", {"green_deploy_labels": {}}, "green_deploy_labels"),
    ("green-no-alb", "green_deploy", {"green_deploy_load_balancer_name": ""}, "green_deploy_load_balancer_name"),
    ("smoke-unknown-mode", "smoke_test", {"smoke_test_mode": "telnet"}, "smoke_test_mode"),
    ("smoke-no-domain", "smoke_test", {"smoke_test_domains": []}, "smoke_test_domains"),
    ("smoke-url-without-base", "smoke_test", {"smoke_test_mode": "url"}, "smoke_test_base_urls"),
    ("switch-no-target", "traffic_switch", {"traffic_switch_targets": []}, "traffic_switch_targets: expected a non-empty list"),
    ("switch-duplicate-names", "traffic_switch", {"traffic_switch_targets": routes() + routes()}, "names must be unique"),
    ("switch-no-green", "traffic_switch", {"traffic_switch_targets": [{"name": "auth", "blue": {"namespace": "api", "name": "auth-api"}}]},
     "traffic_switch_targets"),
    ("switch-no-alb", "traffic_switch", {"traffic_switch_alb_name": ""}, "traffic_switch_alb_name"),
    ("preflight-invalid-source", "preflight", {"preflight_source_namespace": "API!"}, "preflight_source_namespace"),
    ("preflight-backup-secrets", "preflight", {"preflight_backup_kinds": [{"api_version": "v1", "kind": "Secret"}]}, "preflight_backup_kinds"),
    ("preflight-no-backup-dir", "preflight", {"preflight_backup_dir": ""}, "preflight_backup_dir"),
]


def namespaces_in_reach():
    """Every namespace a case could create or delete: the sandbox inventory's source, domains and shared namespaces,
    the ledger's, and those the cases name. Tests running beside this one (the scratch stream) create and delete
    namespaces of their own, which are out of every case's reach."""
    inventory = {}
    for path in sorted((ROOT / "inventories" / "sandbox" / "group_vars" / "all").glob("*.yml")):
        inventory.update(yaml.safe_load(path.read_text()) or {})
    return ({inventory["bluegreen_source_namespace"], "ecoeco-bluegreen"} | set(inventory["bluegreen_domains"])
            | set(inventory["bluegreen_shared_namespaces"]) | {"bad-input-ok", "no-such-domain", "kube-system"})


def cluster_state(kube, ledgers):
    reach = namespaces_in_reach()
    return {"namespaces": [name for name in active_namespace_names(kube) if name in reach],
            "ledgers": {name: read_ledger(kube, name) for name in ledgers}}


@pytest.fixture(scope="module")
def role_outcomes(sandbox_env, module_blue_state, kube, tmp_path_factory):  # pylint: disable=unused-argument
    workdir = tmp_path_factory.mktemp("role-inputs")
    cases = []
    for case_id, role, values, _expected in ROLE_CASES:
        values = dict(BASE[role], **values)
        if values.get("blue_removal_switched_at") == "NOW":
            values["blue_removal_switched_at"] = str(int(time.time()))
        path = workdir / (case_id + ".json")
        path.write_text(json.dumps(dict(values, **{role + "_kubeconfig": sandbox_env["KUBECONFIG"]})))
        cases.append({"id": case_id, "role": role, "vars_file": str(path)})
    before = cluster_state(kube, [])
    result = run_playbook(sandbox_env, "tests/integration/playbooks/role_inputs.yml",
                          extra_vars={"cases": cases, "outcomes_path": str(workdir / "outcomes.json")})
    assert result.returncode == 0, result.stdout[-3000:]
    return {"outcomes": json.loads((workdir / "outcomes.json").read_text()), "before": before, "after": cluster_state(kube, [])}


@pytest.mark.parametrize("case_id, role, values, expected", ROLE_CASES, ids=[case[0] for case in ROLE_CASES])
def test_role_refuses_bad_input(role_outcomes, case_id, role, values, expected):
    outcome = role_outcomes["outcomes"][case_id]
    assert outcome["failed"], "{0} accepted {1}".format(role, values)
    assert expected in " ".join(outcome["msg"].split()), outcome


def test_role_cases_changed_nothing(role_outcomes):
    assert role_outcomes["after"] == role_outcomes["before"]


def inventory_with(tmp_path, old, new):
    """A copy of the sandbox inventory with one line of its group_vars edited, as a typo would."""
    copy = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventories" / "sandbox", copy)
    edited = [path for path in (copy / "group_vars" / "all").glob("*.yml") if old in path.read_text()]
    assert len(edited) == 1, old
    edited[0].write_text(edited[0].read_text().replace(old, new))
    return copy


def kubeconfig_variant(source, path, change):
    config = yaml.safe_load(source.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config))
    return str(path)


def set_server(config, server):
    config["clusters"][0]["cluster"]["server"] = server


# (id, playbook, how to set it up, what the message must say). setup(tmp_path, kube, env) -> (ansible-playbook args, extra vars)
PLAYBOOK_CASES = [
    ("inventory-typo-domains", "10_namespaces.yml",
     lambda tmp, kube, env: (["-i", str(inventory_with(tmp, "bluegreen_domains:", "bluegreen_domain:"))], {}), "'bluegreen_domains' is undefined"),
    ("inventory-typo-source", "00_preflight.yml",
     lambda tmp, kube, env: (["-i", str(inventory_with(tmp, "bluegreen_source_namespace:", "bluegreen_source_namspace:"))], {}),
     "'bluegreen_source_namespace' is undefined"),
    ("invalid-namespace-name", "10_namespaces.yml", lambda tmp, kube, env: ([], {"bluegreen_domains": ["Auth_Service"]}),
     'namespaces_names: "Auth_Service" is not a valid namespace name'),
    ("reserved-target", "10_namespaces.yml", lambda tmp, kube, env: ([], {"bluegreen_shared_namespaces": ["kube-system"]}),
     "namespaces_names: kube-system reserved"),
    ("unknown-domain", "20_network_policies.yml", lambda tmp, kube, env: ([], {"bluegreen_domains": ["no-such-domain"]}),
     "network_policies_namespaces: no-such-domain not found"),
    ("manual-sync-with-green-from-argocd", "30_green_deploy.yml",
     lambda tmp, kube, env: ([], {"bluegreen_argocd_manual_sync": True, "bluegreen_green_source": "argocd"}),
     "bluegreen_argocd_manual_sync: expected false with bluegreen_green_source argocd"),
    ("reserved-source-to-delete", "60_blue_removal.yml", lambda tmp, kube, env: ([], {"bluegreen_source_namespace": "kube-system"}),
     "blue_removal_namespace: refusing to delete kube-system: it is reserved"),
    ("soak-not-elapsed", "60_blue_removal.yml",
     lambda tmp, kube, env: ([], {"blue_removal_confirm": True, "bluegreen_blue_removal_soak_seconds": 86400, "bluegreen_health_timeout": 1,
                                  "seed": {"state": "switched", "switched_at": str(int(time.time()))}}), "the soak is not over"),
    ("confirmation-missing", "60_blue_removal.yml",
     lambda tmp, kube, env: ([], {"bluegreen_health_timeout": 1, "seed": {"state": "switched", "switched_at": EPOCH_LONG_AGO}}),
     "no confirmation: set blue_removal_confirm=true"),
    ("unreachable-cluster", "00_preflight.yml",
     lambda tmp, kube, env: ([], {"bluegreen_kubeconfig": kubeconfig_variant(
         Path(env["KUBECONFIG"]), tmp / "unreachable.kubeconfig",
         lambda config: set_server(config, "https://127.0.0.1:9"))}), "127.0.0.1"),
    ("wrong-kubeconfig-context", "00_preflight.yml",
     lambda tmp, kube, env: ([], {"bluegreen_kubeconfig": kubeconfig_variant(
         Path(env["KUBECONFIG"]), tmp / "wrong-context.kubeconfig",
         lambda config: config.update({"current-context": "production-cluster"}))}), "production-cluster"),
    ("kubeconfig-missing", "00_preflight.yml", lambda tmp, kube, env: ([], {"bluegreen_kubeconfig": str(tmp / "no-such.kubeconfig")}),
     "no-such.kubeconfig"),
]


@pytest.fixture(scope="module")
def playbook_outcomes(sandbox_env, module_blue_state, kube, tmp_path_factory):  # pylint: disable=unused-argument
    prepared = []
    for case_id, playbook, setup, _expected in PLAYBOOK_CASES:
        tmp = tmp_path_factory.mktemp(case_id)
        args, values = setup(tmp, kube, sandbox_env)
        ledger = unique("bad-input")
        seed = values.pop("seed", None)
        if seed:
            seed_ledger(kube, ledger, **seed)
        values = dict(values, ledger_name=ledger, bluegreen_results_dir=str(tmp / "results"))
        prepared.append((case_id, playbook, args, values, ledger))
    ledgers = [case[4] for case in prepared]
    before = cluster_state(kube, ledgers)

    def run(case):
        case_id, playbook, args, values, _ledger = case
        if "-i" in args:
            return case_id, run_playbook(sandbox_env, playbook, extra_vars=values, inventory=args[1])
        return case_id, run_playbook(sandbox_env, playbook, *args, extra_vars=values)

    # One at a time: the cases move the same Ingresses, and a migration refuses to start while another one holding a
    # lease claims them (that refusal would hide the message each case is about).
    results = dict(run(case) for case in prepared)
    after = cluster_state(kube, ledgers)
    yield {"results": results, "before": before, "after": after, "ledgers": dict((case[0], case[4]) for case in prepared)}
    for ledger in ledgers:
        delete_ledger(kube, ledger)


@pytest.mark.parametrize("case_id, playbook, setup, expected", PLAYBOOK_CASES, ids=[case[0] for case in PLAYBOOK_CASES])
def test_playbook_refuses_bad_input(playbook_outcomes, case_id, playbook, setup, expected):
    result = playbook_outcomes["results"][case_id]
    assert result.returncode != 0, result.stdout[-3000:]
    assert expected in " ".join(result.stdout.split()), result.stdout[-3000:]
    ledger = playbook_outcomes["ledgers"][case_id]
    before, after = playbook_outcomes["before"]["ledgers"][ledger], playbook_outcomes["after"]["ledgers"][ledger]
    if after is not None:
        assert "lease" not in after, result.stdout[-3000:]  # released even though the phase failed
        # Bookkeeping aside (the events, and the migration a ledger records at its first write), nothing changed.
        bookkeeping = {"events", "migration"}
        assert {k: v for k, v in after.items() if k not in bookkeeping} == {k: v for k, v in (before or {}).items() if k not in bookkeeping}
        assert all(event.get("outcome") in (None, "failed") for event in after["events"])


def test_playbook_cases_changed_no_namespace(playbook_outcomes):
    assert playbook_outcomes["after"]["namespaces"] == playbook_outcomes["before"]["namespaces"]
