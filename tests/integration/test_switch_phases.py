"""Phases 50 (switch traffic), 60 (blue removal) and 90 (rollback) run with ansible-playbook against a scratch
migration on the sandbox.

Each test builds its own migration under a unique name ``scratch-switch-<id>``: a source namespace with blue
Deployment/Service/Ingress copied from ``api/auth-api`` for two domains, one green namespace per domain with the
green copies (Ingress parked at group.order 20), an IngressGroup and ALB of their own (so the shared ``ecoeco-alb``
is never touched), an ApplicationSet and Applications in ``argocd`` with automated self-heal that track the
objects, and a ledger ConfigMap. Everything is deleted afterwards.
"""

import threading
import time

import pytest
from switch_scratch import ARGO, AUTOMATED, PREFIX, ScratchMigration, assert_argocd_restored, assert_ok, assert_refused, one_line
from waiting import wait_for


@pytest.fixture
def unbuilt(kube, aws, sandbox_env, tmp_path):
    """The names of a scratch migration that is not created (its ledger is deleted afterwards)."""
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        yield scratch
    finally:
        scratch.delete()


# -- phase 50 -----------------------------------------------------------------------------------------


def test_switch_moves_every_route_to_green_and_keeps_argocd_frozen_while_git_is_behind(migration):
    # keep_frozen is off (CLONED_GREEN), but the green Ingresses carry Argo CD tracking: their Git still says order 20.
    result = migration.run("50_switch_traffic.yml")

    assert_ok(result)
    for domain in migration.domains:
        name = migration.workload(domain)
        assert int(migration.ingress_order(domain, name)) < int(migration.ingress_order(migration.source, name))
        assert wait_for(lambda: migration.serving_namespace(domain) == domain, what="green rule first"), domain
    assert "Argo CD stays frozen: the switch changed objects that Applications" in one_line(result.stdout), result.stdout[-4000:]
    assert_argocd_frozen(migration)
    ledger = migration.ledger()
    assert ledger["state"] == "switched"
    assert abs(int(ledger["switched_at"]) - time.time()) < 300
    details = migration.last_finish("50")["details"]
    assert details["previous"] == {domain: "20" for domain in migration.domains}
    assert details["timings_ms"]["switch"]["total"] > 0
    assert {(o["kind"], o["name"]) for o in details["argocd"]["frozen"]} == {("ApplicationSet", migration.id)} | {("Application", d) for d in migration.domains}

    assert details["argocd"]["kept_frozen"] is True
    assert sorted(details["argocd"]["git_behind"]) == sorted("argocd/" + d for d in migration.domains)

    again = migration.run("50_switch_traffic.yml")

    assert_ok(again)
    assert_argocd_frozen(migration)  # a re-run with nothing to move does not bring self-heal back either
    assert migration.ledger()["switched_at"] == ledger["switched_at"]
    assert migration.last_finish("50")["details"]["previous"] == details["previous"]


def test_switch_is_refused_while_a_target_group_is_unhealthy(parked_migration):
    from ecoeco_sandbox.aws.target_health import set_health_override

    blue_group = parked_migration.target_group_arn(parked_migration.source, parked_migration.domains[0])
    targets = [t["Target"] for t in parked_migration.elbv2.describe_target_health(TargetGroupArn=blue_group)["TargetHealthDescriptions"]]
    set_health_override(parked_migration.elbv2, blue_group, None, "unhealthy")
    try:
        result = parked_migration.run("50_switch_traffic.yml", bluegreen_health_timeout=4)
    finally:
        set_health_override(parked_migration.elbv2, blue_group, None, None)

    # Every unhealthy target is named, with its port, state and reason.
    assert_refused(result, "gate before the switch", "not all healthy", "traffic is on blue", "{0} target(s) not healthy".format(len(targets)),
                   *["{0} port {1} unhealthy (Target.FailedHealthChecks)".format(t["Id"], t["Port"]) for t in targets])
    for domain in parked_migration.domains:
        assert parked_migration.ingress_order(domain, parked_migration.workload(domain)) == "20"
        assert parked_migration.serving_namespace(domain) == parked_migration.source
    assert_argocd_restored(parked_migration)
    assert parked_migration.ledger()["state"] == "smoke-passed"
    assert parked_migration.last_finish("50")["outcome"] == "failed"


def test_a_failed_gate_after_the_switch_puts_traffic_back_on_blue(parked_migration):
    migration = parked_migration
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


def broken_member(migration):
    """An Ingress of the migration's IngressGroup that the AWS Load Balancer Controller cannot build (an unknown
    target-type): from then on it refuses the whole group, while every member keeps its status hostname."""
    from scratch_blue import ingress_annotations

    name = "broken-" + migration.id[-6:]
    service = migration.workload(migration.domains[0])
    annotations = dict(ingress_annotations(migration.id, migration.id, 30), **{"alb.ingress.kubernetes.io/target-type": "bogus"})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": migration.source, "annotations": annotations},
            "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [{
                "path": "/broken/" + name, "pathType": "Prefix",
                "backend": {"service": {"name": service, "port": {"number": 8000}}}}]}}]}}


def controller_warnings(migration, namespace, name):
    events = migration.core.list_namespaced_event(namespace, field_selector="involvedObject.kind=Ingress,involvedObject.name=" + name)
    return [event.message for event in events.items if event.type == "Warning"]


def test_a_group_the_controller_refuses_is_seen_on_the_alb_and_every_route_is_put_back(parked_migration):
    migration = parked_migration
    broken = broken_member(migration)
    migration.net.create_namespaced_ingress(migration.source, broken)
    try:
        route = migration.workload(migration.domains[0])
        wait_for(lambda: any("unknown targetType" in message for message in controller_warnings(migration, migration.source, route)),
                 timeout=60, what="the controller refusing the group")
        result = migration.run("50_switch_traffic.yml", bluegreen_health_timeout=6)
    finally:
        migration.net.delete_namespaced_ingress(broken["metadata"]["name"], migration.source)

    # The annotations said green after the switch; the ALB's rules never did, and the gate read the ALB.
    assert_refused(result, "gate after the switch", "its rules still do not send 2 of 2 route(s) to green",
                   "The AWS Load Balancer Controller says:", "unknown targetType: bogus", "traffic is on blue (put back")
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert migration.serving_namespace(domain) == migration.source
    assert_argocd_restored(migration)
    assert migration.ledger()["state"] == "smoke-passed"
    assert migration.last_finish("50")["details"]["reverted"] is True
    wait_for(lambda: not [i for i in migration.net.list_namespaced_ingress(migration.source).items if i.metadata.name == broken["metadata"]["name"]],
             timeout=60, what="the controller to let the broken Ingress go")


def test_switch_without_a_freeze_is_refused_by_the_argocd_check(parked_migration):
    result = parked_migration.run("50_switch_traffic.yml", bluegreen_argocd_applicationset="")

    assert_refused(result, "step 'switch'", "selfHeal")
    for domain in parked_migration.domains:
        assert parked_migration.ingress_order(domain, parked_migration.workload(domain)) == "20"


# -- phase 60 -----------------------------------------------------------------------------------------


def assert_argocd_frozen(migration):
    for name, (policy, recorded) in migration.argocd_policies().items():
        assert policy == {"syncOptions": AUTOMATED["syncOptions"]}, name
        # The record lives on the ApplicationSet: its controller rewrites the annotations of the Applications it generates.
        assert recorded == (name == "ApplicationSet"), name


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


def test_blue_removal_refuses_a_namespace_green_lives_in(unbuilt):
    # The names of a migration that nothing claims yet (no ledger): a green namespace of a migration that is under
    # way is refused earlier, by that migration's claim on its Ingresses.
    green = unbuilt.domains[0]
    unbuilt.core.create_namespace({"metadata": {"name": green, "labels": {"scratch": PREFIX}}})
    result = unbuilt.run("60_blue_removal.yml", bluegreen_source_namespace=green,
                         blue_removal_confirm=True, bluegreen_blue_removal_soak_seconds=0)

    assert_refused(result, "refusing to delete {0}: it is a namespace green lives in".format(green))
    assert unbuilt.namespace_exists(green)


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


def test_rollback_refuses_an_unknown_state_without_an_explicit_scenario(parked_migration):
    migration = parked_migration
    migration.set_ledger(state="mystery")
    try:
        result = migration.run("90_rollback.yml")
    finally:
        migration.set_ledger(state="smoke-passed")

    assert_refused(result, "rollback_scenario: expected one of before-switch, after-switch, after-blue-removal")
    for domain in migration.domains:
        assert migration.namespace_exists(domain)
