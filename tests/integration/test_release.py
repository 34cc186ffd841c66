"""Seed 001 on the sandbox, through the playbooks: two releases alternate the colours (blue -> green -> blue)
while a client keeps calling the Service and not one request fails; releasing the image that is already live
changes nothing; the rollback brings the previous colour back (scaling it up again) well within a minute; a
rollback during the keep period goes back to the colour still running and the release then leaves it alone; a
version that fails its smoke test gets no traffic; bad input is refused before anything changes.

The namespaces are scratch ones (release-scratch-pytest*), so this does not clash with the Molecule scenario
(namespace backend)."""

import contextlib
import http.client
import itertools
import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "integration" / "fixtures" / "release_namespace.yml"
NAMESPACE = "release-scratch-pytest"
LEDGER_NAMESPACE = "ecoeco-bluegreen"
DEPLOYMENTS = {"blue": "backend-blue", "green": "backend-green"}
ARGOCD_NAMESPACE = "argocd"
ARGO = "argoproj.io/v1alpha1"

# The probe's bounds: loopback only, at most 400 requests over at most 20 s.
PROBE_MAX_REQUESTS = 400
PROBE_MAX_SECONDS = 20.0
PROBE_INTERVAL = PROBE_MAX_SECONDS / PROBE_MAX_REQUESTS
ENDPOINTS_REFRESH = 0.1
# Long enough for a rollback playbook to run while the release waits; the release stops waiting at the rollback.
KEEP_SECONDS = 120


def loopback_twin(pod_ip):
    """The sandbox serves pod 10.244.a.b on 127.244.a.b."""
    address = re.sub(r"^10\.", "127.", pod_ip)
    assert address.startswith("127."), "refusing to send traffic outside loopback: {0}".format(pod_ip)
    return address


class ServiceProbe:
    """Calls the Service the way kube-proxy routes it: each request goes to the next Ready address of the
    Service's EndpointSlices (re-read every 100 ms), at its loopback twin. A request with no Ready endpoint to
    go to counts as failed, as does any answer but 200. Records the pod's ``version`` label of every answer."""

    def __init__(self, kube, namespace, service):
        from kubernetes import client
        self._slices = client.DiscoveryV1Api(kube)
        self._namespace = namespace
        self._selector = "kubernetes.io/service-name=" + service
        self._endpoints = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self.answers = []

    def start(self):
        self._read_endpoints()
        self._threads = [threading.Thread(target=self._refresh_endpoints, daemon=True),
                         threading.Thread(target=self._send, daemon=True)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def failures(self):
        return [answer for answer in self.answers if answer[0] != 200]

    @property
    def versions(self):
        return [answer[1] for answer in self.answers if answer[0] == 200]

    def _read_endpoints(self):
        found = []
        for endpoint_slice in self._slices.list_namespaced_endpoint_slice(self._namespace, label_selector=self._selector).items:
            for endpoint in endpoint_slice.endpoints or []:
                if endpoint.conditions is None or endpoint.conditions.ready is not False:
                    found.extend(endpoint.addresses)
        with self._lock:
            self._endpoints = sorted(found)

    def _refresh_endpoints(self):
        while not self._stop.wait(ENDPOINTS_REFRESH):
            self._read_endpoints()

    def _send(self):
        started = time.monotonic()
        for count in itertools.count():
            if count >= PROBE_MAX_REQUESTS or time.monotonic() - started >= PROBE_MAX_SECONDS or self._stop.is_set():
                return
            with self._lock:
                endpoints = list(self._endpoints)
            self.answers.append(self._request(endpoints[count % len(endpoints)]) if endpoints else ("no Ready endpoint", None))
            self._stop.wait(PROBE_INTERVAL)

    @staticmethod
    def _request(pod_ip):
        connection = http.client.HTTPConnection(loopback_twin(pod_ip), 8000, timeout=2)
        try:
            connection.request("GET", "/api/v1/probe")
            response = connection.getresponse()
            body = response.read()
            return response.status, json.loads(body).get("version") if response.status == 200 else body[:100].decode("latin-1")
        except (OSError, http.client.HTTPException, ValueError) as error:
            return "{0} from {1}".format(type(error).__name__, pod_ip), None
        finally:
            connection.close()


def playbook(env, path, tmp_path, namespace=NAMESPACE, **extra_vars):
    """Starts a playbook against the sandbox inventory, on a scratch namespace; returns the Popen."""
    extra = {"bluegreen_release_namespace": namespace, "bluegreen_results_dir": str(tmp_path)}
    extra.update(extra_vars)
    return subprocess.Popen(["ansible-playbook", "-i", "inventories/sandbox", str(path), "-e", json.dumps(extra)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finished(process, timeout=600):
    """Waits for a playbook; returns its exit code, its output with whitespace runs folded (the YAML callback
    wraps long messages) and its PLAY RECAP."""
    output = process.communicate(timeout=timeout)[0]
    output = " ".join(output.split())
    recap = output[output.rfind("PLAY RECAP"):]
    return process.returncode, output, recap


class Cluster:
    """What the tests read back from one scratch namespace and its release ledger."""

    def __init__(self, kube, namespace):
        from kubernetes import client
        self.apps = client.AppsV1Api(kube)
        self.core = client.CoreV1Api(kube)
        self.namespace = namespace
        self.ledger_name = "release-ledger-" + namespace

    def selected_colour(self):
        return self.core.read_namespaced_service("backend", self.namespace).spec.selector["version"]

    def deployment(self, colour):
        return self.apps.read_namespaced_deployment(DEPLOYMENTS[colour], self.namespace)

    def image(self, colour):
        return self.deployment(colour).spec.template.spec.containers[0].image

    def pod_images(self, colour):
        pods = self.core.list_namespaced_pod(self.namespace, label_selector="app=backend,version=" + colour).items
        return sorted(pod.spec.containers[0].image for pod in pods if pod.metadata.deletion_timestamp is None)

    def available(self, colour, image):
        deployment = self.deployment(colour)
        status = deployment.status
        return (deployment.spec.replicas > 0 and deployment.spec.template.spec.containers[0].image == image
                and status.observed_generation == deployment.metadata.generation
                and (status.updated_replicas or 0) == (status.ready_replicas or 0) == (status.replicas or 0) == deployment.spec.replicas)

    def ledger(self):
        data = self.core.read_namespaced_config_map(self.ledger_name, LEDGER_NAMESPACE).data
        return dict(data, events=json.loads(data["events"]))

    def last_finish(self, phase):
        return [event for event in self.ledger()["events"] if event["event"] == "finish" and event["phase"] == phase][-1]


@contextlib.contextmanager
def seed_state(sandbox_env, kube, tmp_path, namespace):
    """The seed 001 starting state (blue live with 2 replicas of 1.0.0, green at 0) in a scratch namespace,
    removed afterwards with its ledger."""
    from kubernetes.client.exceptions import ApiException
    made = Cluster(kube, namespace)
    code, output, _extra = finished(playbook(sandbox_env, FIXTURE, tmp_path, namespace))
    assert code == 0, output[-4000:]
    try:
        yield made
    finally:
        made.core.delete_namespace(namespace)
        try:
            made.core.delete_namespaced_config_map(made.ledger_name, LEDGER_NAMESPACE)
        except ApiException as error:
            if error.status != 404:
                raise


@pytest.fixture(scope="module")
def cluster(sandbox_env, kube, tmp_path_factory):
    with seed_state(sandbox_env, kube, tmp_path_factory.mktemp("fixture"), NAMESPACE) as made:
        yield made


def release_under_traffic(sandbox_env, kube, cluster, tmp_path, image, old, new, **extra_vars):
    """Runs the release playbook; from the moment the idle colour is fully available on the new image (the
    switch follows within seconds) until the playbook ends, probes the Service. Returns the probe and the output."""
    process = playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, cluster.namespace, bluegreen_release_image=image,
                       **extra_vars)
    probe = None
    try:
        while process.poll() is None and probe is None:
            if cluster.available(new, image):
                probe = ServiceProbe(kube, cluster.namespace, "backend").start()
            else:
                time.sleep(0.2)
        code, output, recap = finished(process)
    finally:
        if probe is not None:
            probe.stop()
    assert code == 0, output[-6000:]
    assert probe is not None, "the playbook ended before {0} was seen available on {1}".format(DEPLOYMENTS[new], image)
    return probe, output


def assert_served_by(cluster, colour, image, other, other_replicas):
    assert cluster.selected_colour() == colour
    assert cluster.image(colour) == image
    assert cluster.pod_images(colour) == [image, image]
    assert cluster.deployment(other).spec.replicas == other_replicas


def assert_no_failed_request(probe, old, new):
    assert len(probe.answers) >= 20, "the probe sent only {0} requests".format(len(probe.answers))
    assert probe.failures == [], "{0} of {1} requests failed, first ones: {2}".format(len(probe.failures), len(probe.answers), probe.failures[:5])
    # The window covered the switch: the old colour answered first, the new one last.
    assert probe.versions[0] == old and probe.versions[-1] == new, "versions seen: {0}".format(sorted(set(probe.versions)))
    switched = probe.versions.index(new)
    assert set(probe.versions[switched:]) == {new}, "traffic went back to {0} after the switch".format(old)


def test_releases_alternate_without_a_failed_request_and_roll_back_within_a_minute(sandbox_env, kube, cluster, tmp_path):
    # Release 1: blue (1.0.0) is live, green gets 1.1.0 and the traffic.
    probe, _report = release_under_traffic(sandbox_env, kube, cluster, tmp_path, "ecoeco/backend:1.1.0", "blue", "green")
    assert_no_failed_request(probe, "blue", "green")
    probes = [len(probe.answers)]
    assert_served_by(cluster, "green", "ecoeco/backend:1.1.0", "blue", 0)
    first = cluster.last_finish("release")
    assert first["outcome"] == "success"
    # The switch reports each step it took, the wait for kube-proxy (grace) among them; its speed is a benchmark.
    assert {"verify", "patch", "converge", "grace"} <= set(first["details"]["timings"]["switch_ms"]), first["details"]["timings"]

    # Release 2: green is live, so blue (at 0 replicas) gets 1.2.0 and the traffic.
    probe, _report = release_under_traffic(sandbox_env, kube, cluster, tmp_path, "ecoeco/backend:1.2.0", "green", "blue")
    assert_no_failed_request(probe, "green", "blue")
    probes.append(len(probe.answers))
    assert_served_by(cluster, "blue", "ecoeco/backend:1.2.0", "green", 0)
    second = cluster.last_finish("release")
    ledger = cluster.ledger()
    assert (ledger["state"], ledger["live_colour"], ledger["previous_colour"], ledger["image"]) == ("switched", "blue", "green", "ecoeco/backend:1.2.0")

    # Releasing the live image again changes nothing.
    code, output, recap = finished(playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, bluegreen_release_image="ecoeco/backend:1.2.0"))
    assert code == 0, output[-4000:]
    assert "changed=0" in recap, recap
    assert cluster.last_finish("release")["outcome"] == "skipped"
    assert_served_by(cluster, "blue", "ecoeco/backend:1.2.0", "green", 0)

    # Rollback: green (scaled to 0 by release 2) comes back with 1.1.0 and takes the traffic again.
    code, output, recap = finished(playbook(sandbox_env, ROOT / "playbooks" / "release_rollback.yml", tmp_path))
    assert code == 0, output[-4000:]
    assert_served_by(cluster, "green", "ecoeco/backend:1.1.0", "blue", 2)
    rollback = cluster.last_finish("release-rollback")
    assert rollback["outcome"] == "rolled-back"
    assert rollback["details"]["timings"]["duration_s"] > 0, rollback["details"]["timings"]
    assert "Rolled back Service {0}/backend from blue to green in".format(NAMESPACE) in output

    # A second rollback finds the Service already on the recorded previous colour.
    code, output, recap = finished(playbook(sandbox_env, ROOT / "playbooks" / "release_rollback.yml", tmp_path))
    assert code == 0, output[-4000:]
    assert "changed=0" in recap, recap
    assert cluster.selected_colour() == "green"

    print("switch ms: release 1 {0}, release 2 {1}; rollback: {2}; probe requests: {3}".format(
        first["details"]["timings"]["switch_ms"], second["details"]["timings"]["switch_ms"], rollback["details"]["timings"], probes))


@pytest.mark.parametrize("extra_vars, message", [
    ({"bluegreen_release_image": ""}, "release_image: expected the image to release"),
    ({"bluegreen_release_image": "ecoeco/backend:9.9.9", "bluegreen_release_deployments": {"blue": "backend-blue", "green": "backend-teal"}},
     "release_deployments: Deployment {0}/backend-teal (colour green) must exist".format(NAMESPACE)),
    ({"bluegreen_release_image": "ecoeco/backend:9.9.9", "bluegreen_release_deployments": {"teal": "backend-blue", "cyan": "backend-green"}},
     "must hold one of teal, cyan"),
])
def test_bad_input_is_refused_before_anything_changes(sandbox_env, cluster, tmp_path, extra_vars, message):
    before = {colour: cluster.deployment(colour).metadata.resource_version for colour in DEPLOYMENTS}
    service_before = cluster.core.read_namespaced_service("backend", cluster.namespace).metadata.resource_version
    code, output, _extra = finished(playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, **extra_vars))
    assert code != 0
    assert message in output, output[-3000:]
    assert cluster.last_finish("release")["outcome"] == "failed"
    assert {colour: cluster.deployment(colour).metadata.resource_version for colour in DEPLOYMENTS} == before
    assert cluster.core.read_namespaced_service("backend", cluster.namespace).metadata.resource_version == service_before


def test_a_rollback_during_the_keep_period_goes_back_and_the_release_leaves_both_running(sandbox_env, kube, tmp_path):
    """The keep period exists for this: the release has switched to green and waits before scaling blue down;
    the rollback reads the ledger, goes back to blue (still running, so at once); the release's wait ends as soon
    as the Service selects blue again (not at the end of the keep period), and it scales nothing down."""
    with seed_state(sandbox_env, kube, tmp_path, NAMESPACE + "-keep") as cluster:
        release = playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, cluster.namespace,
                           bluegreen_release_image="ecoeco/backend:1.1.0", bluegreen_release_keep_old_seconds=KEEP_SECONDS)
        try:
            deadline = time.monotonic() + 300
            while not (release.poll() is None and cluster.selected_colour() == "green" and "previous_colour" in cluster.ledger()):
                assert release.poll() is None and time.monotonic() < deadline, "the release did not switch to green"
                time.sleep(0.5)
            code, output, _extra = finished(playbook(sandbox_env, ROOT / "playbooks" / "release_rollback.yml", tmp_path, cluster.namespace))
            assert code == 0, output[-4000:]
            assert release.poll() is None, "the keep period ended before the rollback did: raise KEEP_SECONDS\n" + (
                "" if release.poll() is None else release.stdout.read()[-4000:])
            assert cluster.selected_colour() == "blue"
            rolled_back = cluster.last_finish("release-rollback")["details"]["timings"]
        finally:
            code, output, _extra = finished(release)
        assert code == 0, output[-4000:]
        # The keep lasted from the recorded switch to the retirement's start: the rollback ended it, not the clock.
        events = cluster.ledger()["events"]
        switched = [e for e in events if e["phase"] == "release" and e["event"] == "finish"][-1]["epoch"]
        retiring = [e for e in events if e["phase"] == "release-retire" and e["event"] == "start"][-1]["epoch"]
        assert retiring - switched < KEEP_SECONDS, "the release waited out its keep period after the rollback"
        assert "selects blue (rolled back?): backend-blue is left running" in output
        assert cluster.last_finish("release-retire")["outcome"] == "skipped"
        assert_served_by(cluster, "blue", "ecoeco/backend:1.0.0", "green", 2)
        ledger = cluster.ledger()
        assert (ledger["state"], ledger["live_colour"]) == ("rolled-back", "blue")
        # Blue was still running: nothing to wait for before the switch.
        assert rolled_back["restore_s"] < 2, rolled_back


def test_a_new_version_that_fails_its_smoke_test_gets_no_traffic(sandbox_env, kube, tmp_path):
    """Green's pods come up Ready but answer 500 (a broken release): the release stops before the switch."""
    with seed_state(sandbox_env, kube, tmp_path, NAMESPACE + "-broken") as cluster:
        cluster.apps.patch_namespaced_deployment("backend-green", cluster.namespace, {"spec": {"template": {"metadata": {
            "annotations": {"sandbox.ecoeco.io/health": "failing"}}}}})
        code, output, _extra = finished(playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, cluster.namespace,
                                                 bluegreen_release_image="ecoeco/backend:1.1.0"))
        assert code != 0
        assert "answered status 500" in output and "expected 200" in output, output[-3000:]
        assert cluster.selected_colour() == "blue"
        assert cluster.deployment("blue").spec.replicas == 2
        assert cluster.last_finish("release")["outcome"] == "failed"


def test_the_probe_sees_the_failures_of_a_naive_switch(sandbox_env, kube, tmp_path):
    """The check above means something: flipping the selector the moment green is scaled up, and scaling blue
    down at once (the seed's kubectl patch without waiting), leaves the Service without Ready endpoints."""
    with seed_state(sandbox_env, kube, tmp_path, NAMESPACE + "-naive") as cluster:
        probe = ServiceProbe(kube, cluster.namespace, "backend").start()
        try:
            time.sleep(1)
            cluster.apps.patch_namespaced_deployment_scale("backend-green", cluster.namespace, {"spec": {"replicas": 2}})
            cluster.core.patch_namespaced_service("backend", cluster.namespace, {"spec": {"selector": {"version": "green"}}})
            cluster.apps.patch_namespaced_deployment_scale("backend-blue", cluster.namespace, {"spec": {"replicas": 0}})
            deadline = time.monotonic() + 10  # green's pods are Ready 1-4 s after they start: the gap is over by then
            while "no Ready endpoint" not in [answer[0] for answer in probe.failures] and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            probe.stop()
    assert "no Ready endpoint" in [answer[0] for answer in probe.failures], probe.answers


def release_manifests(live, images, replicas):
    """The seed 001 objects as a team keeps them in Git (what fixtures/release_namespace.yml creates): the Service
    selecting ``live``, each colour's Deployment with ``images[colour]`` and ``replicas[colour]``."""
    manifests = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "backend", "labels": {"app": "backend"}},
                  "spec": {"type": "NodePort", "selector": {"app": "backend", "version": live},
                           "ports": [{"name": "http", "port": 8000, "targetPort": 8000}]}}]
    for colour, name in DEPLOYMENTS.items():
        pod_labels = {"app": "backend", "version": colour}
        manifests.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": pod_labels}, "spec": {
            "replicas": replicas[colour], "selector": {"matchLabels": pod_labels},
            "template": {"metadata": {"labels": pod_labels}, "spec": {
                "nodeSelector": {"workload": "application"},
                "containers": [{"name": "backend", "image": images[colour], "ports": [{"name": "http", "containerPort": 8000}],
                                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8000}, "periodSeconds": 5}}]}}}})
    return manifests


def commit(repository, manifests, message):
    """Commit ``manifests`` as release/backend.yaml on main; return the commit."""
    import yaml
    author = dict(os.environ, GIT_AUTHOR_NAME="EcoEco", GIT_AUTHOR_EMAIL="team@ecoeco.invalid", GIT_COMMITTER_NAME="EcoEco",
                  GIT_COMMITTER_EMAIL="team@ecoeco.invalid")
    if not (repository / ".git").exists():
        subprocess.run(["git", "init", "--quiet", "--initial-branch", "main", str(repository)], check=True)
    (repository / "release").mkdir(parents=True, exist_ok=True)
    (repository / "release" / "backend.yaml").write_text(yaml.safe_dump_all(manifests, sort_keys=False))
    for args in (["add", "--all"], ["commit", "--quiet", "-m", message]):
        subprocess.run(["git", "-C", str(repository)] + args, check=True, env=author)
    return subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


class ArgoApplication:
    """One Application of the sandbox's real Argo CD, deploying the release's objects from a local Git repository with
    automated sync, prune and self-heal (as a team's own Application would)."""

    def __init__(self, kube, name, repository, namespace):
        from kubernetes import dynamic
        self.resource = dynamic.DynamicClient(kube).resources.get(api_version=ARGO, kind="Application")
        self.name, self.repository, self.namespace = name, repository, namespace

    def create(self):
        self.resource.create(namespace=ARGOCD_NAMESPACE, body={
            "apiVersion": ARGO, "kind": "Application", "metadata": {"name": self.name, "namespace": ARGOCD_NAMESPACE},
            "spec": {"project": "default",
                     "source": {"repoURL": "file://{0}".format(self.repository), "targetRevision": "main", "path": "release"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": self.namespace},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}}})

    def delete(self):
        # No resources-finalizer: the objects stay, and the test deletes their namespace.
        self.resource.delete(name=self.name, namespace=ARGOCD_NAMESPACE)

    def read(self):
        return self.resource.get(name=self.name, namespace=ARGOCD_NAMESPACE).to_dict()

    def refresh(self):
        self.resource.patch(name=self.name, namespace=ARGOCD_NAMESPACE, content_type="application/merge-patch+json",
                            body={"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}}})

    def wait_synced(self, revision, timeout=120):
        deadline = time.monotonic() + timeout
        while True:
            status = self.read().get("status") or {}
            sync, health = status.get("sync") or {}, (status.get("health") or {}).get("status")
            if (sync.get("status"), sync.get("revision"), health) == ("Synced", revision, "Healthy"):
                return
            assert time.monotonic() < deadline, "Application {0} not Synced to {1} and Healthy: {2}".format(self.name, revision[:8], status)
            if "argocd.argoproj.io/refresh" not in (self.read()["metadata"].get("annotations") or {}):
                self.refresh()
            time.sleep(1)


def test_a_release_of_what_argo_cd_deploys_keeps_it_frozen_until_git_declares_the_release(sandbox_env, kube, tmp_path):
    """The release's Service and Deployments come from Git through an Application with automated sync and self-heal.
    The release freezes it first, so nothing it does is undone (0 failed requests); at its end Git still declares blue
    live, so Argo CD stays frozen and the run says what Git must declare. A rollback then gives it back at once (Git's
    blue serves again). Released again and committed by the team, the same release run again changes nothing on the
    cluster and gives Argo CD its policy back; it then agrees with Git."""
    namespace = NAMESPACE + "-argocd"
    repository = tmp_path / "gitops"
    blue_live = commit(repository, release_manifests("blue", {"blue": "ecoeco/backend:1.0.0", "green": "ecoeco/backend:1.0.0"},
                                                     {"blue": 2, "green": 0}), "backend 1.0.0 on blue")
    application = ArgoApplication(kube, namespace, repository, namespace)
    cluster = Cluster(kube, namespace)
    application.create()
    try:
        application.wait_synced(blue_live)
        assert cluster.deployment("blue").metadata.annotations["argocd.argoproj.io/tracking-id"] == \
            "{0}:apps/Deployment:{0}/backend-blue".format(namespace)

        probe, output = release_under_traffic(sandbox_env, kube, cluster, tmp_path, "ecoeco/backend:1.1.0", "blue", "green",
                                              bluegreen_release_argocd_git_timeout=5)
        assert_no_failed_request(probe, "blue", "green")
        assert_served_by(cluster, "green", "ecoeco/backend:1.1.0", "blue", 0)
        frozen = application.read()
        assert "automated" not in frozen["spec"]["syncPolicy"], frozen["spec"]["syncPolicy"]
        record = json.loads(frozen["metadata"]["annotations"]["bluegreen.ecoeco.io/frozen-sync-policy"])
        assert record["policy"]["automated"] == {"prune": True, "selfHeal": True}
        assert record["frozen_by"] == "release ecoeco/backend:1.1.0 in " + namespace
        # Argo CD sees the release differ from Git and, frozen, leaves it alone.
        assert frozen["status"]["sync"]["status"] == "OutOfSync"
        assert "Argo CD stays frozen ({0})".format(namespace) in output and "Land what serves in Git" in output, output[-3000:]

        # Rolled back before the release landed in Git: only the idle colour differs from Git then, so the rollback gives
        # Argo CD back at once, and self-heal takes green back to Git's size and image (traffic is on blue).
        code, output, _recap = finished(playbook(sandbox_env, ROOT / "playbooks" / "release_rollback.yml", tmp_path, namespace))
        assert code == 0, output[-4000:]
        assert application.read()["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        application.wait_synced(blue_live)
        assert_served_by(cluster, "blue", "ecoeco/backend:1.0.0", "green", 0)
        assert cluster.image("green") == "ecoeco/backend:1.0.0"

        # Released again: frozen again, and this time the team lands the release in Git.
        probe, output = release_under_traffic(sandbox_env, kube, cluster, tmp_path, "ecoeco/backend:1.1.0", "blue", "green",
                                              bluegreen_release_argocd_git_timeout=5)
        assert_no_failed_request(probe, "blue", "green")
        assert "automated" not in application.read()["spec"]["syncPolicy"]

        released = commit(repository, release_manifests("green", {"blue": "ecoeco/backend:1.0.0", "green": "ecoeco/backend:1.1.0"},
                                                        {"blue": 0, "green": 2}), "backend 1.1.0 on green")
        code, output, recap = finished(playbook(sandbox_env, ROOT / "playbooks" / "release.yml", tmp_path, namespace,
                                                bluegreen_release_image="ecoeco/backend:1.1.0"))
        assert code == 0, output[-4000:]
        restored = application.read()
        assert restored["spec"]["syncPolicy"] == {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}
        assert "bluegreen.ecoeco.io/frozen-sync-policy" not in (restored["metadata"].get("annotations") or {})
        assert "changed=1" in recap, recap
        application.wait_synced(released)
        assert_served_by(cluster, "green", "ecoeco/backend:1.1.0", "blue", 0)
    finally:
        application.delete()
        cluster.core.delete_namespace(namespace)
        with contextlib.suppress(Exception):
            cluster.core.delete_namespaced_config_map(cluster.ledger_name, LEDGER_NAMESPACE)
