"""Phases 20 (network policies), 30 (green deploy) and 40 (smoke test) run with ansible-playbook against a
scratch migration on the sandbox.

The module builds one throw-away migration named ``scratch-green-<id>``: a source namespace holding blue
Deployment/Service/Ingress copies of ``api/auth-api`` for two domains (two replicas each, an IngressGroup and ALB of
their own so the shared ``ecoeco-alb`` is never touched, Argo CD tracking annotations), and one empty target
namespace per domain. The tests run in file order: policies, green deploy (check mode first), smoke test, then the
failures (a failing pod, a green that never becomes ready). The ledger is a ConfigMap of its own; everything is
deleted at the end.
"""

import json
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from pod_template import blue_pod_template
from scratch_blue import CLONED_GREEN, delete_all
from waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "scratch-green"
LEDGER_NAMESPACE = "ecoeco-bluegreen"
TRACKING = "argocd.argoproj.io/tracking-id"
GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"
PART_OF = {"app.kubernetes.io/part-of": "ecoeco-backend"}
NEVER_READY = "sandbox.ecoeco.io/never-ready"
HEALTH = "sandbox.ecoeco.io/health"
RESOURCE_TAG = "ingress.k8s.aws/resource"
# The smoke test that calls every Ready pod, not one pod per Service: the sandbox serves pod 10.x.a.b on 127.x.a.b.
ENDPOINTS_MODE = {"bluegreen_smoke_test_mode": "endpoints", "bluegreen_smoke_test_endpoint_rewrite": {"pattern": r"^10\.", "replacement": "127."}}


def recap(output):
    """{'ok': n, 'changed': n, 'failed': n, ...} of the PLAY RECAP line of localhost."""
    line = re.search(r"^localhost\s+:(.*)$", output[output.rfind("PLAY RECAP"):], re.MULTILINE).group(1)
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}


class ScratchMigration:
    """A throw-away source namespace with blue workloads, empty target namespaces, and the means to run phases on them."""

    def __init__(self, kube, env, workdir):
        from kubernetes import client

        self.id = "{0}-{1}".format(PREFIX, uuid.uuid4().hex[:6])
        self.source = self.id + "-src"
        self.domains = [self.id + "-a", self.id + "-b"]
        self.broken = self.id + "-c"
        self.env = env
        self.workdir = workdir
        self.core = client.CoreV1Api(kube)
        self.apps = client.AppsV1Api(kube)
        self.net = client.NetworkingV1Api(kube)

    @staticmethod
    def workload(domain):
        return domain + "-api"

    def extra_vars(self, **overrides):
        values = {
            "bluegreen_source_namespace": self.source,
            "bluegreen_domains": self.domains,
            "bluegreen_alb_name": self.id,
            "bluegreen_results_dir": str(self.workdir),
            "bluegreen_green_deploy_timeout": 60,
            "bluegreen_smoke_test_checks": [{
                "domain": self.domains[0], "path": "/api/v1/whoami", "status": 200,
                "json_contains": {"app": self.workload(self.domains[0]), "namespace": self.domains[0], "version": "green"},
            }],
            "ledger_name": self.id,
        }
        values.update(CLONED_GREEN)
        values.update(overrides)
        return values

    # -- building -------------------------------------------------------------------------------------

    def create(self):
        template = blue_pod_template()
        self.core.create_namespace({"metadata": {"name": self.source, "labels": {"scratch": PREFIX}}})
        # Domain c's pods are never Ready, in blue and therefore in its clone.
        for domain in self.domains + [self.broken]:
            self.core.create_namespace({"metadata": {"name": domain, "labels": dict(PART_OF, scratch=PREFIX)}})
            annotations = {NEVER_READY: "true"} if domain == self.broken else {}
            self.create_blue(domain, dict(template, metadata={"annotations": annotations}))
        for domain in self.domains:
            name = self.workload(domain)
            wait_for(lambda: self.available(self.source, name) == 2, what="Deployment {0}/{1}".format(self.source, name))

    def create_blue(self, domain, template):
        name = self.workload(domain)
        labels = {"app": name, "version": "blue"}
        tracking = "{0}:{{group}}/{{kind}}:{1}/{2}".format(domain, self.source, name)
        template["metadata"]["labels"] = labels
        self.apps.create_namespaced_deployment(self.source, {
            "metadata": {"name": name, "labels": dict(labels, **PART_OF), "annotations": {TRACKING: tracking.format(group="apps", kind="Deployment")}},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": template},
        })
        self.core.create_namespaced_service(self.source, {
            "metadata": {"name": name, "labels": {"app": name}, "annotations": {TRACKING: tracking.format(group="", kind="Service")}},
            "spec": {"type": "NodePort", "selector": labels, "ports": [{"name": "http", "port": 8000, "targetPort": 8000}]},
        })
        self.net.create_namespaced_ingress(self.source, {
            "metadata": {
                "name": name,
                "labels": {"app": name},
                "annotations": {
                    "alb.ingress.kubernetes.io/group.name": self.id,
                    "alb.ingress.kubernetes.io/load-balancer-name": self.id,
                    GROUP_ORDER: "10",
                    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/target-type": "instance",
                    TRACKING: tracking.format(group="networking.k8s.io", kind="Ingress"),
                },
            },
            "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [{
                "path": "/{0}/{1}".format(PREFIX, domain), "pathType": "Prefix",
                "backend": {"service": {"name": name, "port": {"number": 8000}}},
            }]}}]},
        })

    def delete(self):
        calls = [(self.core.delete_namespaced_config_map, (self.id, LEDGER_NAMESPACE))]
        calls.extend((self.core.delete_namespace, (namespace,)) for namespace in [self.source] + self.domains + [self.broken])
        delete_all(calls)

    # -- running --------------------------------------------------------------------------------------

    def run(self, playbook, *options, **overrides):
        extra = self.workdir / "extra-{0}.json".format(uuid.uuid4().hex[:6])
        extra.write_text(json.dumps(self.extra_vars(**overrides)))
        return subprocess.run(
            ["ansible-playbook", "-i", "inventories/sandbox", "playbooks/" + playbook, "-e", "@" + str(extra)] + list(options),
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=600)

    # -- reading --------------------------------------------------------------------------------------

    def ledger(self):
        data = self.core.read_namespaced_config_map(self.id, LEDGER_NAMESPACE).data or {}
        return dict(data, events=json.loads(data.get("events", "[]")))

    def last_finish(self, phase):
        finishes = [event for event in self.ledger()["events"] if event["phase"] == phase and event["event"] == "finish"]
        return finishes[-1] if finishes else None

    def available(self, namespace, name):
        return self.apps.read_namespaced_deployment(name, namespace).status.available_replicas or 0

    def policies(self, namespace):
        items = self.net.list_namespaced_network_policy(namespace).items
        return {item.metadata.name: self.core.api_client.sanitize_for_serialization(item) for item in items}

    def blue_versions(self):
        return {domain: self.apps.read_namespaced_deployment(self.workload(domain), self.source).metadata.resource_version
                for domain in self.domains}

    def target_group_arn(self, elbv2, domain):
        """ARN of the target group the load balancer controller made for the green Service of ``domain``."""
        # The controller tags a target group <namespace>/<ingress>-<service>:<port>; Ingress and Service share the name.
        wanted = "{0}/{1}-{1}:8000".format(domain, self.workload(domain))
        arns = [group["TargetGroupArn"] for page in elbv2.get_paginator("describe_target_groups").paginate() for group in page["TargetGroups"]]
        for start in range(0, len(arns), 20):
            for description in elbv2.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                if {tag["Key"]: tag["Value"] for tag in description["Tags"]}.get(RESOURCE_TAG) == wanted:
                    return description["ResourceArn"]
        raise AssertionError("no target group tagged {0}={1}".format(RESOURCE_TAG, wanted))

    def patch_green_template(self, domain, annotations):
        self.apps.patch_namespaced_deployment(self.workload(domain), domain, {"spec": {"template": {"metadata": {"annotations": annotations}}}})

        def rolled_out():
            deployment = self.apps.read_namespaced_deployment(self.workload(domain), domain)
            status = deployment.status
            return (status.observed_generation or 0) >= deployment.metadata.generation and \
                status.replicas == status.updated_replicas == status.available_replicas == deployment.spec.replicas

        wait_for(rolled_out, what="green {0} to roll out".format(domain))


@pytest.fixture(scope="module")
def scratch(kube, sandbox_env, tmp_path_factory):
    migration = ScratchMigration(kube, sandbox_env, tmp_path_factory.mktemp("green-phases"))
    try:
        migration.create()
        yield migration
    finally:
        migration.delete()


def test_network_policies_check_mode_then_apply_verify_and_rerun(scratch):
    checked = scratch.run("20_network_policies.yml", "--check")
    assert checked.returncode == 0, checked.stdout[-6000:]
    assert "10 NetworkPolicies would be in place" in checked.stdout
    assert scratch.policies(scratch.domains[0]) == {}

    applied = scratch.run("20-network-policies.yml")
    assert applied.returncode == 0, applied.stdout[-6000:]
    policies = scratch.policies(scratch.domains[0])
    assert sorted(policies) == ["allow-alb-ingress", "allow-dns-egress", "allow-egress-to-data", "allow-monitoring-scrape", "default-deny"]
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert policies["allow-alb-ingress"]["spec"]["ingress"] == [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}], "ports": [{"port": 8000, "protocol": "TCP"}]}]
    assert policies["allow-monitoring-scrape"]["spec"]["ingress"][0]["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
    assert policies["allow-dns-egress"]["spec"]["egress"] == [{
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]
    assert policies["allow-egress-to-data"]["spec"]["egress"] == [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}}}]}]
    assert policies["default-deny"]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "ecoeco-backend"
    assert scratch.ledger()["state"] == "policies-ready"

    rerun = scratch.run("20_network_policies.yml")
    assert rerun.returncode == 0, rerun.stdout[-6000:]
    assert recap(rerun.stdout)["changed"] == 0


def test_network_policies_drop_what_is_no_longer_declared(scratch):
    opened = scratch.run("20_network_policies.yml", bluegreen_network_policy_restrict_egress=False, bluegreen_network_policy_egress_namespaces=[])
    assert opened.returncode == 0, opened.stdout[-6000:]
    policies = scratch.policies(scratch.domains[1])
    assert sorted(policies) == ["allow-alb-ingress", "allow-monitoring-scrape", "default-deny"]
    assert policies["default-deny"]["spec"]["policyTypes"] == ["Ingress"]


def test_network_policies_refuse_bad_cidrs_before_changing_anything(scratch):
    before = scratch.policies(scratch.domains[0])
    result = scratch.run("20_network_policies.yml", bluegreen_alb_source_cidrs=["10.0.0.0/33"])
    assert result.returncode != 0
    assert "network_policies_alb_source_cidrs" in result.stdout
    assert scratch.policies(scratch.domains[0]) == before
    assert scratch.last_finish("20")["outcome"] == "failed"


def test_green_deploy_check_mode_creates_nothing(scratch):
    result = scratch.run("30_green_deploy.yml", "--check")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "readiness is not awaited" in " ".join(result.stdout.split())
    assert scratch.apps.list_namespaced_deployment(scratch.domains[0]).items == []


def test_green_deploy_clones_blue_and_waits_until_green_serves(scratch):
    blue_before = scratch.blue_versions()
    result = scratch.run("30-green-deploy.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    for domain in scratch.domains:
        name = scratch.workload(domain)
        blue = scratch.apps.read_namespaced_deployment(name, scratch.source)
        green = scratch.apps.read_namespaced_deployment(name, domain)
        assert green.metadata.labels["version"] == "green"
        assert green.spec.selector.match_labels == {"app": name, "version": "green"}
        assert green.spec.template.metadata.labels["version"] == "green"
        assert green.spec.template.spec.containers[0].image == blue.spec.template.spec.containers[0].image
        assert green.status.available_replicas == green.spec.replicas == 2
        assert TRACKING not in (green.metadata.annotations or {})
        blue_service = scratch.core.read_namespaced_service(name, scratch.source)
        green_service = scratch.core.read_namespaced_service(name, domain)
        assert green_service.spec.selector == {"app": name, "version": "green"}
        assert green_service.spec.type == "NodePort"
        assert green_service.spec.ports[0].node_port != blue_service.spec.ports[0].node_port
        green_ingress = scratch.net.read_namespaced_ingress(name, domain)
        assert green_ingress.metadata.annotations[GROUP_ORDER] == "20"
        assert green_ingress.metadata.annotations["alb.ingress.kubernetes.io/group.name"] == scratch.id
        assert TRACKING not in green_ingress.metadata.annotations
        assert green_ingress.status.load_balancer.ingress[0].hostname
    assert scratch.blue_versions() == blue_before
    assert "green target groups healthy" in " ".join(result.stdout.split())
    assert scratch.ledger()["state"] == "green-deployed"

    rerun = scratch.run("30_green_deploy.yml")
    assert rerun.returncode == 0, rerun.stdout[-6000:]
    assert recap(rerun.stdout)["changed"] == 0
    checked = scratch.run("30_green_deploy.yml", "--check")
    assert checked.returncode == 0, checked.stdout[-6000:]
    assert recap(checked.stdout)["changed"] == 0
    assert scratch.blue_versions() == blue_before


def test_green_deploy_rewrites_the_tracking_annotation_when_asked(scratch):
    domain = scratch.domains[1]
    result = scratch.run("30_green_deploy.yml", bluegreen_domains=[domain], green_deploy_tracking="rewrite")
    assert result.returncode == 0, result.stdout[-6000:]
    tracking = scratch.net.read_namespaced_ingress(scratch.workload(domain), domain).metadata.annotations[TRACKING]
    assert tracking == "{0}:networking.k8s.io/Ingress:{0}/{1}".format(domain, scratch.workload(domain))


def test_smoke_test_calls_every_ready_pod_through_the_api_servers_port_forward(scratch):
    """The inventory's mode, production's: pods/portforward through kube-apiserver to each Ready pod, no local port."""
    result = scratch.run("40_smoke_test.yml")
    assert result.returncode == 0, result.stdout[-6000:]
    pods = [pod for domain in scratch.domains for pod in scratch.core.list_namespaced_pod(domain).items]
    assert len(pods) == 4
    details = scratch.last_finish("40")["details"]
    assert sorted(details["endpoints"]) == sorted("pod {0}:8000 (port-forward)".format(pod.metadata.name) for pod in pods)
    # /health on each of the 4 pods, the whoami call on the 2 pods of domain a.
    assert details["checks"] == 6
    assert scratch.ledger()["state"] == "smoke-passed"


def test_smoke_test_calls_every_ready_endpoint(scratch):
    result = scratch.run("40-smoke-test.yml", **ENDPOINTS_MODE)
    assert result.returncode == 0, result.stdout[-6000:]
    pods = [pod for domain in scratch.domains for pod in scratch.core.list_namespaced_pod(domain).items]
    assert len(pods) == 4
    details = scratch.last_finish("40")["details"]
    assert sorted(details["endpoints"]) == sorted("{0}:8000 (pod {1})".format(pod.status.pod_ip, pod.metadata.name) for pod in pods)
    # /health on each of the 4 pods, the whoami call on the 2 pods of domain a.
    assert details["checks"] == 6
    assert scratch.ledger()["state"] == "smoke-passed"


def test_smoke_test_catches_a_failing_pod_and_a_wrong_answer(scratch):
    failing = scratch.domains[1]
    scratch.patch_green_template(failing, {HEALTH: "failing"})
    try:
        result = scratch.run("40_smoke_test.yml", bluegreen_smoke_test_checks=[
            {"domain": scratch.domains[0], "path": "/api/v1/whoami", "json_contains": {"version": "blue"}}])
    finally:
        scratch.patch_green_template(failing, {HEALTH: None})
    assert result.returncode != 0
    message = scratch.last_finish("40")["details"]["error"]
    assert message.startswith("smoke test failed: 4 of 6 checks:")
    assert message.count("{0} pod {1}".format(failing, scratch.workload(failing))) == 2
    assert "(port-forward) GET /health: got 500 (expected 200)" in message
    assert message.count("{0} pod {1}".format(scratch.domains[0], scratch.workload(scratch.domains[0]))) == 2
    assert "GET /api/v1/whoami: answer lacks {\"version\": \"blue\"}" in message
    assert scratch.last_finish("40")["outcome"] == "failed"


def test_green_deploy_fails_naming_the_domain_whose_target_group_is_unhealthy(scratch, aws):
    from ecoeco_sandbox.aws.target_health import set_health_override

    domain = scratch.domains[0]
    elbv2 = aws("elbv2")
    arn = scratch.target_group_arn(elbv2, domain)
    set_health_override(elbv2, arn, None, "unhealthy")
    try:
        result = scratch.run("30_green_deploy.yml", bluegreen_domains=[domain], bluegreen_green_deploy_timeout=15)
    finally:
        set_health_override(elbv2, arn, None, None)
    assert result.returncode != 0
    error = scratch.last_finish("30")["details"]["error"]
    assert "target groups not healthy" in error
    assert "(domain {0}, 0 of ".format(domain) in error
    assert "unhealthy Target.FailedHealthChecks" in error


def test_green_that_never_becomes_ready_fails_naming_its_domain(scratch):
    started = time.monotonic()
    result = scratch.run("30_green_deploy.yml", bluegreen_domains=[scratch.domains[0], scratch.broken], bluegreen_green_deploy_timeout=10)
    assert result.returncode != 0
    assert time.monotonic() - started < 120
    finish = scratch.last_finish("30")
    assert finish["outcome"] == "failed"
    assert "green of domain {0} never became ready within the green deploy timeout (10 s)".format(scratch.broken) in finish["details"]["error"]
    assert "green of domain {0} never".format(scratch.domains[0]) not in finish["details"]["error"]
    assert "0 of 2 replicas available" in finish["details"]["error"]
