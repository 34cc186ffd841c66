"""reset-to-blue resets only when the cluster moved: the comparison of a manifest with the live object."""

from ecoeco_sandbox import blue_state
from ecoeco_sandbox.blue_drift import difference


def live_service():
    """The blue Service as the API server returns it: the manifest plus what the server fills in."""
    service = blue_state.service("auth")
    service["metadata"].update(uid="u-1", resourceVersion="7", labels=dict(service["metadata"]["labels"], extra="x"))
    service["spec"].update(clusterIP="10.96.0.10", sessionAffinity="None")
    service["spec"]["ports"][0]["nodePort"] = 30080
    return service


def test_what_the_server_adds_is_no_difference():
    assert difference(blue_state.service("auth"), live_service()) is None


def test_a_flipped_selector_is_named_by_its_path():
    live = live_service()
    live["spec"]["selector"]["version"] = "green"
    assert difference(blue_state.service("auth"), live) == "/spec/selector/version"


def test_a_moved_group_order_is_a_difference():
    live = blue_state.ingress("auth", 10)
    live["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"] = "30"
    assert difference(blue_state.ingress("auth", 10), live) == "/metadata/annotations/alb.ingress.kubernetes.io/group.order"


def test_a_list_of_another_length_or_a_missing_key_is_a_difference():
    live = live_service()
    live["spec"]["ports"].append({"name": "metrics", "port": 9000})
    assert difference(blue_state.service("auth"), live) == "/spec/ports"
    live = blue_state.deployment("auth")
    del live["spec"]["template"]["spec"]["nodeSelector"]
    assert difference(blue_state.deployment("auth"), live) == "/spec/template/spec/nodeSelector"


def test_scaled_replicas_are_a_difference():
    live = blue_state.deployment("auth")
    live["spec"]["replicas"] = 0
    assert difference(blue_state.deployment("auth"), live) == "/spec/replicas"


def test_the_seed_migrations_ledgers_are_told_from_a_scratch_migrations():
    from ecoeco_sandbox.blue_drift import _of_seed_migration

    assert _of_seed_migration("bluegreen-ledger-api-ecoeco-alb", {"migration": '{"name": "api-ecoeco-alb", "source_namespace": "api"}'})
    assert _of_seed_migration("infra-ledger", {"migration": '{"name": "ecoeco-domains", "source_namespace": "api"}'})
    assert _of_seed_migration("bluegreen-ledger", {"events": "[]"})  # before migrations had names
    assert not _of_seed_migration("scratch-switch-1a2b3c", {"migration": '{"name": "x", "source_namespace": "scratch-switch-1a2b3c-src"}'})
    assert not _of_seed_migration("bluegreen-ledger-shop", {"migration": '{"name": "shop", "source_namespace": "shop"}'})
    assert not _of_seed_migration("preflight-test-1a2b3c", {"events": "[]"})
