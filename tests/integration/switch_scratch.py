"""A scratch blue-green migration of two domains with its own ALB, ApplicationSet and ledger, built on the sandbox
for the tests of phases 50, 60 and 90, of faults during the switch and of every phase interrupted (the shared
``ecoeco-alb`` is never touched).
"""

import json
import subprocess
import threading
import uuid
from pathlib import Path

import yaml
from playbook_runs import ensure_ledger_namespace
from scratch_blue import (ARGO, AUTOMATED, CLONED_GREEN, application_set_deletions, create_application_set, create_objects, delete_all, ingress_annotations,
                          pod_template, workload)
from waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "scratch-switch"
LEDGER_NAMESPACE = "ecoeco-bluegreen"
FREEZE_RECORD = "bluegreen.ecoeco.io/frozen-sync-policy"
PART_OF = {"app.kubernetes.io/part-of": "ecoeco-backend"}
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
        values.update(CLONED_GREEN)
        values.update(overrides)
        return values

    # -- building -------------------------------------------------------------------------------------

    def create(self, green=True):
        """Blue serving from the source namespace; with ``green``, green deployed and smoke tested as phases 30 and 40
        would leave it (ledger at smoke-passed), else empty target namespaces and no ledger yet (before phase 0)."""
        self.core.create_namespace({"metadata": {"name": self.source, "labels": {"scratch": PREFIX}}})
        for domain in self.domains:
            self.core.create_namespace({"metadata": {"name": domain, "labels": dict(PART_OF, scratch=PREFIX)}})
            for namespace, version, order in [(self.source, "blue", 10)] + ([(domain, "green", 20)] if green else []):
                self.create_workload(namespace, domain, version, order)
        create_application_set(self.custom, self.id, self.domains, {"scratch": PREFIX})
        ensure_ledger_namespace(self.core.api_client)
        if green:
            self.core.create_namespaced_config_map(LEDGER_NAMESPACE, {
                "metadata": {"name": self.id, "labels": {"scratch": PREFIX}},
                "data": {"state": "smoke-passed", "events": "[]"},
            })
        workloads = [(self.source, domain) for domain in self.domains] + ([(domain, domain) for domain in self.domains] if green else [])
        for namespace, domain in workloads:
            name = self.workload(domain)
            wait_for(lambda: self.deployment_available(namespace, name), what="Deployment {0}/{1}".format(namespace, name))
            wait_for(lambda: self.ingress_hostname(namespace, name), what="ALB admission of Ingress {0}/{1}".format(namespace, name))

    def create_workload(self, namespace, domain, version, order):
        name = self.workload(domain)
        labels = {"app": name, "version": version}
        create_objects(self.dyn, workload(namespace, name, labels, pod_template(labels), ingress_annotations(self.id, self.id, order),
                                          self.path(domain), application=domain))

    def delete(self):
        calls = application_set_deletions(self.custom, self.id, self.domains)
        calls.append((self.core.delete_namespaced_config_map, (self.id, LEDGER_NAMESPACE)))
        calls.extend((self.core.delete_namespace, (namespace,)) for namespace in [self.source] + self.domains)
        delete_all(calls)

    # -- running --------------------------------------------------------------------------------------

    def command(self, playbook, **overrides):
        extra = self.workdir / "extra-{0}.json".format(uuid.uuid4().hex[:6])
        extra.write_text(json.dumps(self.extra_vars(**overrides)))
        return ["ansible-playbook", "-i", "inventories/sandbox", "playbooks/" + playbook, "-e", "@" + str(extra)]

    def run(self, playbook, **overrides):
        return subprocess.run(self.command(playbook, **overrides), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False, timeout=600)

    def start(self, playbook, **overrides):
        """The same run in the background (a Popen), for tests that bring a fault in while it runs."""
        return subprocess.Popen(self.command(playbook, **overrides), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    # -- reading --------------------------------------------------------------------------------------

    def assert_parked(self):
        """Green deployed and parked, blue serving every route, Argo CD automated, the ledger at smoke-passed and
        free: where ``create`` left it."""
        for domain in self.domains:
            assert self.ingress_order(domain, self.workload(domain)) == "20", domain
            wait_for(lambda: self.serving_namespace(domain) == self.source, what="blue rule first for " + domain)
        assert_argocd_restored(self)
        ledger = self.ledger()
        assert ledger["state"] == "smoke-passed" and "lease" not in ledger, ledger

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
        # The controller tags a target group <namespace>/<ingress>-<service>:<port>; Ingress and Service share the name.
        wanted = "{0}/{1}-{1}:8000".format(namespace, self.workload(domain))
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


class RouteWatch:
    """Samples, from moto (readable while kube-apiserver is down), which side the ALB serves each route from."""

    def __init__(self, migration):
        self.migration = migration
        self.seen = {domain: set() for domain in migration.domains}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while not self.stop.wait(0.3):
            for domain in self.migration.domains:
                self.seen[domain].add(self.migration.serving_namespace(domain))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join(timeout=30)


def one_line(output):
    return " ".join(output.split())


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
