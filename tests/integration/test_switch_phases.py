"""Phases 50 (switch traffic), 60 (blue removal) and 90 (rollback) run with ansible-playbook against a scratch
migration on the sandbox.

Each test builds its own migration under a unique name ``scratch-switch-<id>``: a source namespace with blue
Deployment/Service/Ingress copied from ``api/auth-api`` for two domains, one green namespace per domain with the
green copies (Ingress parked at group.order 20), an IngressGroup and ALB of their own (so the shared ``ecoeco-alb``
is never touched), an ApplicationSet and Applications in ``argocd`` with automated self-heal that track the
objects, and a ledger ConfigMap. Everything is deleted afterwards.
"""

import json
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import yaml
from waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "scratch-switch"
ARGO = ("argoproj.io", "v1alpha1")
LEDGER_NAMESPACE = "ecoeco-bluegreen"
FREEZE_RECORD = "bluegreen.ecoeco.io/frozen-sync-policy"
PART_OF = {"app.kubernetes.io/part-of": "ecoeco-backend"}
AUTOMATED = {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}
GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"
RESOURCE_TAG = "ingress.k8s.aws/resource"


class ScratchMigration:
    """A throw-away blue-green namespace migration and the means to run the phase playbooks on it."""

    def __init__(self, kube, elbv2, env, workdir):
        from kubernetes import client, dynamic

        self.id = "{0}-{1}".format(PREFIX, uuid.uuid4().hex[:6])
        self.source = self.id + "-src"
        self.domains = [self.id + "-a", self.id + "-b"]
        self.env = env
        self.workdir = workdir
        self.elbv2 = elbv2
        self.core = client.CoreV1Api(kube)
        self.apps = client.AppsV1Api(kube)
        self.net = client.NetworkingV1Api(kube)
        self.custom = client.CustomObjectsApi(kube)
        self.dyn = dynamic.DynamicClient(kube)

    # -- names ----------------------------------------------------------------------------------------

    @staticmethod
    def workload(domain):
        return domain + "-api"

    def path(self, domain):
        return "/{0}/{1}".format(PREFIX, domain)

    def extra_vars(self, **overrides):
        values = {
            "bluegreen_source_namespace": self.source,
            "bluegreen_domains": self.domains,
            "bluegreen_shared_namespaces": [],
            "bluegreen_argocd_applicationset": self.id,
            "bluegreen_alb_name": self.id,
            "bluegreen_results_dir": str(self.workdir),
            "bluegreen_health_timeout": 30,
            "ledger_name": self.id,
        }
        values.update(overrides)
        return values

    # -- building -------------------------------------------------------------------------------------

    def create(self):
        blue = self.apps.read_namespaced_deployment("auth-api", "api")
        template = self.core.api_client.sanitize_for_serialization(blue)["spec"]["template"]
        self.core.create_namespace({"metadata": {"name": self.source, "labels": {"scratch": PREFIX}}})
        for domain in self.domains:
            self.core.create_namespace({"metadata": {"name": domain, "labels": dict(PART_OF, scratch=PREFIX)}})
            for namespace, version, order in ((self.source, "blue", 10), (domain, "green", 20)):
                self.create_workload(namespace, domain, version, order, template)
        self.create_argocd()
        self.core.create_namespaced_config_map(LEDGER_NAMESPACE, {
            "metadata": {"name": self.id, "labels": {"scratch": PREFIX}},
            "data": {"state": "smoke-passed", "events": "[]"},
        })
        for namespace, domain in [(self.source, domain) for domain in self.domains] + [(domain, domain) for domain in self.domains]:
            name = self.workload(domain)
            wait_for(lambda: self.deployment_available(namespace, name), what="Deployment {0}/{1}".format(namespace, name))
            wait_for(lambda: self.ingress_hostname(namespace, name), what="ALB admission of Ingress {0}/{1}".format(namespace, name))

    def create_workload(self, namespace, domain, version, order, template):
        name = self.workload(domain)
        tracking = "{0}:{{group}}/{{kind}}:{1}/{2}".format(domain, namespace, name)
        labels = {"app": name, "version": version}
        pod = dict(template, metadata={"labels": labels})
        self.apps.create_namespaced_deployment(namespace, {
            "metadata": {"name": name, "labels": labels, "annotations": {"argocd.argoproj.io/tracking-id": tracking.format(group="apps", kind="Deployment")}},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": pod},
        })
        self.core.create_namespaced_service(namespace, {
            "metadata": {"name": name, "labels": {"app": name}, "annotations": {"argocd.argoproj.io/tracking-id": tracking.format(group="", kind="Service")}},
            "spec": {"type": "NodePort", "selector": labels, "ports": [{"name": "http", "port": 8000, "targetPort": 8000}]},
        })
        self.net.create_namespaced_ingress(namespace, {
            "metadata": {
                "name": name,
                "labels": {"app": name},
                "annotations": {
                    "alb.ingress.kubernetes.io/group.name": self.id,
                    "alb.ingress.kubernetes.io/load-balancer-name": self.id,
                    GROUP_ORDER: str(order),
                    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/target-type": "instance",
                    "argocd.argoproj.io/tracking-id": tracking.format(group="networking.k8s.io", kind="Ingress"),
                },
            },
            "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [{
                "path": self.path(domain), "pathType": "Prefix",
                "backend": {"service": {"name": name, "port": {"number": 8000}}},
            }]}}]},
        })

    def create_argocd(self):
        group, version = ARGO
        appset = self.custom.create_namespaced_custom_object(group, version, "argocd", "applicationsets", {
            "apiVersion": "/".join(ARGO), "kind": "ApplicationSet",
            "metadata": {"name": self.id, "labels": {"scratch": PREFIX}},
            "spec": {
                "generators": [{"list": {"elements": [{"domain": d} for d in self.domains]}}],
                "template": {
                    "metadata": {"name": "{{domain}}"},
                    "spec": {"project": "default", "source": {"repoURL": "https://example.invalid/scratch.git", "path": "{{domain}}"},
                             "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{domain}}"},
                             "syncPolicy": AUTOMATED},
                },
            },
        })
        for domain in self.domains:
            self.custom.create_namespaced_custom_object(group, version, "argocd", "applications", {
                "apiVersion": "/".join(ARGO), "kind": "Application",
                "metadata": {"name": domain, "labels": {"scratch": PREFIX}, "ownerReferences": [{
                    "apiVersion": "/".join(ARGO), "kind": "ApplicationSet", "name": self.id,
                    "uid": appset["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]},
                "spec": {"project": "default", "source": {"repoURL": "https://example.invalid/scratch.git", "path": domain},
                         "destination": {"server": "https://kubernetes.default.svc", "namespace": domain},
                         "syncPolicy": AUTOMATED},
            })

    def delete(self):
        from kubernetes.client.exceptions import ApiException

        group, version = ARGO
        calls = [(self.custom.delete_namespaced_custom_object, (group, version, "argocd", "applications", d)) for d in self.domains]
        calls.append((self.custom.delete_namespaced_custom_object, (group, version, "argocd", "applicationsets", self.id)))
        calls.append((self.core.delete_namespaced_config_map, (self.id, LEDGER_NAMESPACE)))
        calls.extend((self.core.delete_namespace, (namespace,)) for namespace in [self.source] + self.domains)
        for call, args in calls:
            try:
                call(*args)
            except ApiException as error:
                if error.status != 404:
                    raise

    # -- running --------------------------------------------------------------------------------------

    def run(self, playbook, **overrides):
        extra = self.workdir / "extra-{0}.json".format(uuid.uuid4().hex[:6])
        extra.write_text(json.dumps(self.extra_vars(**overrides)))
        result = subprocess.run(
            ["ansible-playbook", "-i", "inventories/sandbox", "playbooks/" + playbook, "-e", "@" + str(extra)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=600)
        return result

    # -- reading --------------------------------------------------------------------------------------

    def ledger(self):
        data = self.core.read_namespaced_config_map(self.id, LEDGER_NAMESPACE).data or {}
        return dict(data, events=json.loads(data.get("events", "[]")))

    def set_ledger(self, **values):
        self.core.patch_namespaced_config_map(self.id, LEDGER_NAMESPACE, {"data": values})

    def last_finish(self, phase):
        finishes = [event for event in self.ledger()["events"] if event["phase"] == phase and event["event"] == "finish"]
        return finishes[-1] if finishes else None

    def namespace_exists(self, name):
        from kubernetes.client.exceptions import ApiException

        try:
            self.core.read_namespace(name)
        except ApiException as error:
            if error.status == 404:
                return False
            raise
        return True

    def deployment_available(self, namespace, name):
        status = self.apps.read_namespaced_deployment(namespace=namespace, name=name).status
        return (status.available_replicas or 0) >= 2

    def ingress_hostname(self, namespace, name):
        ingress = self.net.read_namespaced_ingress(name, namespace)
        lb = ingress.status.load_balancer.ingress or []
        return lb[0].hostname if lb else None

    def ingress_order(self, namespace, name):
        return self.net.read_namespaced_ingress(name, namespace).metadata.annotations.get(GROUP_ORDER)

    def argocd_policies(self):
        group, version = ARGO
        appset = self.custom.get_namespaced_custom_object(group, version, "argocd", "applicationsets", self.id)
        policies = {"ApplicationSet": (appset["spec"]["template"]["spec"].get("syncPolicy"), FREEZE_RECORD in (appset["metadata"].get("annotations") or {}))}
        for domain in self.domains:
            app = self.custom.get_namespaced_custom_object(group, version, "argocd", "applications", domain)
            policies[domain] = (app["spec"].get("syncPolicy"), FREEZE_RECORD in (app["metadata"].get("annotations") or {}))
        return policies

    def target_group_arn(self, namespace, domain):
        wanted = "{0}/{1}:8000".format(namespace, self.workload(domain))
        for page in self.elbv2.get_paginator("describe_target_groups").paginate():
            arns = [group["TargetGroupArn"] for group in page["TargetGroups"]]
            for start in range(0, len(arns), 20):
                for description in self.elbv2.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                    if {tag["Key"]: tag["Value"] for tag in description["Tags"]}.get(RESOURCE_TAG) == wanted:
                        return description["ResourceArn"]
        return None

    def serving_namespace(self, domain):
        """Namespace of the Service behind the ALB rule evaluated first for the domain's path, as moto has it."""
        lb = self.elbv2.describe_load_balancers(Names=[self.id])["LoadBalancers"][0]
        listener = self.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
        rules = [rule for rule in self.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not rule["IsDefault"]]
        for rule in sorted(rules, key=lambda rule: int(rule["Priority"])):
            paths = [value for condition in rule["Conditions"] if condition["Field"] == "path-pattern"
                     for value in condition.get("PathPatternConfig", {}).get("Values", condition.get("Values", []))]
            if any(path.startswith(self.path(domain)) for path in paths):
                action = rule["Actions"][0]
                arn = action.get("TargetGroupArn") or action["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
                tags = self.elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
                return {tag["Key"]: tag["Value"] for tag in tags}[RESOURCE_TAG].split("/")[0]
        return None

    def write_backup(self):
        """A backup of the source namespace in the preflight role's shape, plus an Argo CD object that must not be applied."""
        documents = []
        for kind, items in (("Deployment", self.apps.list_namespaced_deployment(self.source).items),
                            ("Service", self.core.list_namespaced_service(self.source).items),
                            ("Ingress", self.net.list_namespaced_ingress(self.source).items)):
            for item in items:
                obj = self.core.api_client.sanitize_for_serialization(item)
                obj["kind"] = kind
                obj["apiVersion"] = {"Deployment": "apps/v1", "Service": "v1", "Ingress": "networking.k8s.io/v1"}[kind]
                obj.pop("status", None)
                for key in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"):
                    obj["metadata"].pop(key, None)
                if kind == "Service":
                    obj["spec"].pop("clusterIP", None)
                    obj["spec"].pop("clusterIPs", None)
                documents.append(obj)
        documents.append({"apiVersion": "/".join(ARGO), "kind": "ApplicationSet",
                          "metadata": {"name": self.id, "namespace": "argocd", "labels": {"restored-from-backup": "true"}},
                          "spec": {"generators": [], "template": {"metadata": {}, "spec": {}}}})
        path = self.workdir / "backup-{0}.yaml".format(self.id)
        path.write_text("# Backup taken by the test\n" + yaml.safe_dump_all(documents, sort_keys=False))
        return path


@pytest.fixture
def migration(kube, aws, sandbox_env, tmp_path):
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        scratch.create()
        yield scratch
    finally:
        scratch.delete()


@pytest.fixture
def unbuilt(kube, aws, sandbox_env, tmp_path):
    """The names of a scratch migration that is not created (its ledger is deleted afterwards)."""
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        yield scratch
    finally:
        scratch.delete()


def assert_ok(result):
    recap = result.stdout[result.stdout.rfind("PLAY RECAP"):]
    assert result.returncode == 0 and "failed=0" in recap, result.stdout[-8000:]


def assert_refused(result, *phrases):
    assert result.returncode != 0, result.stdout[-4000:]
    for phrase in phrases:
        assert phrase in result.stdout, result.stdout[-8000:]


def assert_argocd_restored(migration):
    for name, (policy, recorded) in migration.argocd_policies().items():
        assert policy == AUTOMATED, name
        assert not recorded, name


# -- phase 50 -----------------------------------------------------------------------------------------


def test_switch_moves_every_route_to_green_and_restores_argocd(migration):
    result = migration.run("50_switch_traffic.yml")

    assert_ok(result)
    for domain in migration.domains:
        name = migration.workload(domain)
        assert int(migration.ingress_order(domain, name)) < int(migration.ingress_order(migration.source, name))
        assert wait_for(lambda: migration.serving_namespace(domain) == domain, what="green rule first"), domain
    assert_argocd_restored(migration)
    ledger = migration.ledger()
    assert ledger["state"] == "switched"
    assert abs(int(ledger["switched_at"]) - time.time()) < 300
    details = migration.last_finish("50")["details"]
    assert details["previous"] == {domain: "20" for domain in migration.domains}
    assert details["timings_ms"]["switch"]["total"] > 0
    assert {(o["kind"], o["name"]) for o in details["argocd"]["frozen"]} == {("ApplicationSet", migration.id)} | {("Application", d) for d in migration.domains}

    again = migration.run("50_switch_traffic.yml")

    assert_ok(again)
    assert migration.ledger()["switched_at"] == ledger["switched_at"]
    assert migration.last_finish("50")["details"]["previous"] == details["previous"]


def test_switch_is_refused_while_a_target_group_is_unhealthy(migration):
    from ecoeco_sandbox.aws.target_health import set_health_override

    blue_group = migration.target_group_arn(migration.source, migration.domains[0])
    set_health_override(migration.elbv2, blue_group, None, "unhealthy")
    try:
        result = migration.run("50_switch_traffic.yml", bluegreen_health_timeout=4)
    finally:
        set_health_override(migration.elbv2, blue_group, None, None)

    assert_refused(result, "gate before the switch", "not all healthy", "traffic is on blue")
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert migration.serving_namespace(domain) == migration.source
    assert_argocd_restored(migration)
    assert migration.ledger()["state"] == "smoke-passed"
    assert migration.last_finish("50")["outcome"] == "failed"


def test_a_failed_gate_after_the_switch_puts_traffic_back_on_blue(migration):
    from ecoeco_sandbox.aws.target_health import set_health_override

    domain = migration.domains[1]
    green_group = migration.target_group_arn(domain, domain)
    stop = threading.Event()

    def spoil_green_once_switched():
        while not stop.is_set():
            if migration.ingress_order(domain, migration.workload(domain)) != "20":
                set_health_override(migration.elbv2, green_group, None, "unhealthy")
                return
            time.sleep(0.1)

    watcher = threading.Thread(target=spoil_green_once_switched)
    watcher.start()
    try:
        result = migration.run("50_switch_traffic.yml", bluegreen_health_timeout=6)
    finally:
        stop.set()
        watcher.join()
        set_health_override(migration.elbv2, green_group, None, None)

    assert_refused(result, "gate after the switch", "({0}/green)".format(domain), "traffic is on blue (put back")
    for each in migration.domains:
        assert migration.ingress_order(each, migration.workload(each)) == "20"
        assert migration.serving_namespace(each) == migration.source
    assert_argocd_restored(migration)
    assert migration.ledger()["state"] == "smoke-passed"
    finish = migration.last_finish("50")
    assert finish["outcome"] == "failed"
    assert finish["details"]["reverted"] is True
    assert finish["details"]["switched"] is False


def test_switch_without_a_freeze_is_refused_by_the_argocd_check(migration):
    result = migration.run("50_switch_traffic.yml", bluegreen_argocd_applicationset="")

    assert_refused(result, "step 'switch'", "selfHeal")
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"


# -- phase 60 -----------------------------------------------------------------------------------------


def assert_argocd_frozen(migration):
    for name, (policy, recorded) in migration.argocd_policies().items():
        assert policy == {"syncOptions": AUTOMATED["syncOptions"]}, name
        assert recorded, name


def test_blue_removal_waits_for_the_soak_and_the_confirmation_then_deletes_only_blue(migration):
    assert_ok(migration.run("50_switch_traffic.yml", bluegreen_keep_argocd_frozen_until_blue_removal=True))
    assert_argocd_frozen(migration)
    assert migration.last_finish("50")["details"]["argocd"]["kept_frozen"] is True

    unconfirmed = migration.run("60_blue_removal.yml", bluegreen_blue_removal_soak_seconds=0)
    too_early = migration.run("60_blue_removal.yml", bluegreen_blue_removal_soak_seconds=3600, blue_removal_confirm=True)

    assert_refused(unconfirmed, "refused, nothing was deleted", "no confirmation: set blue_removal_confirm=true")
    assert "soak" not in unconfirmed.stdout.split("refused, nothing was deleted")[1].split("\n")[0]
    assert_refused(too_early, "refused, nothing was deleted", "the soak is not over", "3600 s required")
    assert "no confirmation" not in too_early.stdout
    assert migration.namespace_exists(migration.source)
    assert migration.ledger()["state"] == "switched"
    assert_argocd_frozen(migration)

    removed = migration.run("60_blue_removal.yml", bluegreen_blue_removal_soak_seconds=0, blue_removal_confirm=True)

    assert_ok(removed)
    assert not migration.namespace_exists(migration.source)
    for domain in migration.domains:
        assert migration.namespace_exists(domain)
        assert migration.deployment_available(domain, migration.workload(domain))
        assert migration.serving_namespace(domain) == domain
    assert migration.ledger()["state"] == "blue-removed"
    assert migration.last_finish("60")["details"]["deleted"] is True
    assert_argocd_restored(migration)


@pytest.mark.parametrize("source, why", [
    ("kube-system", "it is reserved"),
    ("argocd", "it is reserved"),
    ("ecoeco-bluegreen", "it is protected"),
])
def test_blue_removal_refuses_a_reserved_namespace_whatever_the_inventory_says(unbuilt, source, why):
    result = unbuilt.run("60_blue_removal.yml", bluegreen_source_namespace=source, blue_removal_confirm=True,
                         bluegreen_blue_removal_soak_seconds=0)

    assert_refused(result, "refusing to delete {0}: {1}".format(source, why), "nothing was deleted")
    assert unbuilt.namespace_exists(source)


def test_blue_removal_refuses_a_namespace_green_lives_in(migration):
    result = migration.run("60_blue_removal.yml", bluegreen_source_namespace=migration.domains[0],
                           blue_removal_confirm=True, bluegreen_blue_removal_soak_seconds=0)

    assert_refused(result, "refusing to delete {0}: it is a namespace green lives in".format(migration.domains[0]))
    assert migration.namespace_exists(migration.domains[0])


# -- phase 90 -----------------------------------------------------------------------------------------


def assert_rolled_back(migration, scenario):
    for domain in migration.domains:
        assert not migration.namespace_exists(domain)
        assert migration.deployment_available(migration.source, migration.workload(domain))
        assert wait_for(lambda: migration.serving_namespace(domain) == migration.source, what="blue rule first"), domain
    assert_argocd_restored(migration)
    assert migration.ledger()["state"] == "rolled-back"
    details = migration.last_finish("90")["details"]
    assert details["scenario"] == scenario
    assert sorted(details["green_removed"]) == sorted(migration.domains)
    return details


def test_rollback_before_the_switch_removes_green_and_blue_keeps_serving(migration):
    result = migration.run("90_rollback.yml")

    assert_ok(result)
    details = assert_rolled_back(migration, "before-switch")
    assert "switched_back" not in details


def test_rollback_after_the_switch_puts_the_recorded_order_back_then_removes_green(migration):
    assert_ok(migration.run("50_switch_traffic.yml"))
    assert migration.serving_namespace(migration.domains[0]) == migration.domains[0]

    result = migration.run("90_rollback.yml")

    assert_ok(result)
    details = assert_rolled_back(migration, "after-switch")
    assert details["switched_back"] == {domain: "20" for domain in migration.domains}


def test_rollback_after_blue_removal_recreates_blue_from_the_backup(migration):
    migration.set_ledger(backup_path=str(migration.write_backup()))
    assert_ok(migration.run("50_switch_traffic.yml"))
    assert_ok(migration.run("60_blue_removal.yml", bluegreen_blue_removal_soak_seconds=0, blue_removal_confirm=True))
    assert not migration.namespace_exists(migration.source)

    result = migration.run("90_rollback.yml")

    assert_ok(result)
    details = assert_rolled_back(migration, "after-blue-removal")
    assert sorted(details["restored"]) == sorted("{0}/{1}".format(kind, migration.workload(d))
                                                 for kind in ("Deployment", "Service", "Ingress") for d in migration.domains)
    assert details["switched_back"] == {domain: "20" for domain in migration.domains}
    appset = migration.custom.get_namespaced_custom_object(*ARGO, "argocd", "applicationsets", migration.id)
    assert "restored-from-backup" not in (appset["metadata"].get("labels") or {})


def test_rollback_refuses_an_unknown_state_without_an_explicit_scenario(migration):
    migration.set_ledger(state="mystery")

    result = migration.run("90_rollback.yml")

    assert_refused(result, "rollback_scenario: expected one of before-switch, after-switch, after-blue-removal")
    for domain in migration.domains:
        assert migration.namespace_exists(domain)
