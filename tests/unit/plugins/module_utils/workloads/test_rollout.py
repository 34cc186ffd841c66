"""The one rule for "rolled out": the controller saw the current spec, every replica is there, updated and available."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.workloads.rollout import rollout_pending


def deployment(replicas=2, generation=3, observed=3, running=2, updated=2, available=2, conditions=None, spec_replicas=True):
    spec = {"replicas": replicas} if spec_replicas else {}
    status = {"observedGeneration": observed, "replicas": running, "updatedReplicas": updated, "availableReplicas": available}
    if conditions is not None:
        status["conditions"] = conditions
    return {"metadata": {"namespace": "auth", "name": "auth-api", "generation": generation}, "spec": spec, "status": status}


def test_a_deployment_with_every_replica_updated_and_available_and_its_spec_observed_is_rolled_out():
    assert rollout_pending(deployment()) is None


def test_replicas_default_to_one_as_the_api_server_does():
    assert rollout_pending(deployment(spec_replicas=False, running=1, updated=1, available=1)) is None
    assert rollout_pending(deployment(spec_replicas=False)) == "2 of 1 replicas available, 2 updated, 2 running, generation 3 of 3 observed"


def test_scaled_to_zero_and_settled_is_rolled_out():
    assert rollout_pending(deployment(replicas=0, running=0, updated=0, available=0)) is None


@pytest.mark.parametrize("changes, said", [
    ({"available": 1}, "1 of 2 replicas available, 2 updated, 2 running, generation 3 of 3 observed"),
    ({"updated": 1}, "2 of 2 replicas available, 1 updated, 2 running, generation 3 of 3 observed"),
    # a rolling update's surge: the old pod still runs beside the new ones
    ({"running": 3}, "2 of 2 replicas available, 2 updated, 3 running, generation 3 of 3 observed"),
    # the controller has not seen the new spec yet: its counts are about the old one
    ({"observed": 2}, "2 of 2 replicas available, 2 updated, 2 running, generation 2 of 3 observed"),
])
def test_every_way_of_not_being_rolled_out_is_said_with_the_counts(changes, said):
    assert rollout_pending(deployment(**changes)) == said


def test_a_deployment_without_status_yet_is_pending():
    assert rollout_pending({"metadata": {"generation": 1}, "spec": {"replicas": 2}}) == (
        "0 of 2 replicas available, 0 updated, 0 running, generation 0 of 1 observed")


def test_the_reason_is_every_condition_that_is_not_true():
    conditions = [
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."},
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"},
        {"type": "ReplicaFailure", "status": "Unknown"},
        {"type": "Ready", "status": "True", "message": "not quoted"},
    ]
    assert rollout_pending(deployment(available=0, conditions=conditions)) == (
        "0 of 2 replicas available, 2 updated, 2 running, generation 3 of 3 observed "
        "(Deployment does not have minimum availability.; ProgressDeadlineExceeded; ReplicaFailure)")


def test_conditions_do_not_matter_once_rolled_out():
    assert rollout_pending(deployment(conditions=[{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}])) is None
