"""The sandbox's Git repository: the team's two changes (green moved, then the switch declared) and what they commit."""

import yaml

from ecoeco_sandbox.argocd import repository

DOMAINS = ["auth", "my"]


def overlay(files, domain):
    return yaml.safe_load(files["k8s/overlays/{0}/kustomization.yaml".format(domain)])


def ingress_order(kustomization):
    ingress = [patch for patch in kustomization["patches"] if patch["target"]["kind"] == "Ingress"][0]
    return yaml.safe_load(ingress["patch"])[0]["value"]


def test_the_manifests_change_moves_only_the_given_domains_labelled_green_and_parked():
    files = repository.green_files(DOMAINS, ["auth"])
    moved, kept = overlay(files, "auth"), overlay(files, "my")
    assert moved["namespace"] == "auth" and moved["labels"] == [{"pairs": {"version": "green"}}]
    assert ingress_order(moved) == str(repository.GREEN_PARKED_ORDER)
    assert kept == {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "namespace": "api",
                    "resources": ["../../base/my"]}


def test_declaring_the_switch_commits_each_green_ingress_at_its_live_order_and_is_read_back_as_moved(tmp_path):
    folder = tmp_path / "gitops"
    assert repository.commit_layout(folder, repository.blue_files(DOMAINS), "blue")
    assert repository.moved_domains(folder, DOMAINS) == []
    repository.commit_layout(folder, repository.green_files(DOMAINS, DOMAINS), "green")
    switched = repository.commit_layout(folder, repository.green_files(DOMAINS, DOMAINS, {"auth": 9, "my": 9}), "switch")

    assert switched and repository.moved_domains(folder, DOMAINS) == DOMAINS
    assert ingress_order(overlay(repository.committed_files(folder), "auth")) == "9"
    assert repository.commit_layout(folder, repository.green_files(DOMAINS, DOMAINS, {"auth": 9, "my": 9}), "again") is None
