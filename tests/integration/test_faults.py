"""Faults during a phase: what the user sees, and that the cluster is left serving (blue or green, never neither)
with Argo CD as it was.

Covered here: the playbook SIGKILLed mid-phase and re-run (the stale lease names the killed run and is broken
explicitly); phase 50 interrupted (SIGINT) once Argo CD is frozen, and phase 60 SIGKILLed while blue is deleted,
each re-run; Argo CD objects missing, or with a malformed freeze record, when phase 50 freezes them; kube-apiserver
killed and started again while phase 50 runs; and AWS unreachable before and right after the switch (a loopback
forwarder in front of moto that goes dark). The switch faults run on a scratch migration with its own ALB and
ApplicationSet (``switch_scratch``)."""

import json
import os
import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from playbook_runs import delete_ledger, namespace_names, read_ledger, run_playbook, start_playbook, unique
from switch_scratch import ARGO, AUTOMATED, FREEZE_RECORD, RouteWatch, assert_argocd_restored, assert_ok, one_line
from waiting import wait_for

API_OUTAGE_SECONDS = 5


@pytest.fixture
def ledger(kube):
    name = unique("fault-test")
    yield name
    delete_ledger(kube, name)


def test_sigkill_mid_phase_leaves_a_lease_that_names_the_run_and_is_broken_explicitly(sandbox_env, kube, ledger, tmp_path):
    from kubernetes import client

    scratch = unique("fault-scratch")
    # A source namespace of its own: a ledger recording the seed's source (api) is the seed's, which reset-to-blue deletes.
    values = {"ledger_name": ledger, "bluegreen_source_namespace": unique("fault-source"), "bluegreen_domains": [scratch],
              "bluegreen_shared_namespaces": [], "bluegreen_results_dir": str(tmp_path)}
    run = start_playbook(sandbox_env, "10_namespaces.yml", extra_vars=values)
    try:
        wait_for(lambda: "lease" in (read_ledger(kube, ledger) or {}), timeout=180, interval=0.2, what="the lease of the run")
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.communicate(timeout=60)
    try:
        record = read_ledger(kube, ledger)
        lease = json.loads(record["lease"])
        assert lease["pid"] == run.pid and lease["phase"] == "10"

        refused = run_playbook(sandbox_env, "10_namespaces.yml", extra_vars=values, timeout=300)
        assert refused.returncode != 0
        message = " ".join(refused.stdout.split())
        assert "pid {0}, playbook 'Phase 10 - create the target namespaces' (phase 10), since {1}".format(run.pid, lease["since"]) in message

        resumed = run_playbook(sandbox_env, "10_namespaces.yml", "-e", "ledger_lease_break=true", extra_vars=values, timeout=300)
        assert resumed.returncode == 0, resumed.stdout[-3000:]
        assert "ledger lease: breaking the lease of" in resumed.stdout
        record = read_ledger(kube, ledger)
        assert "lease" not in record
        assert record["events"][-1]["outcome"] == "success" and record["state"] == "namespaces-ready"
        assert scratch in namespace_names(kube)
    finally:
        if scratch in namespace_names(kube):
            client.CoreV1Api(kube).delete_namespace(scratch)


def test_missing_applicationset_stops_phase_50_before_the_switch(parked_migration):
    """Green deployed and smoke tested, but the inventory names an ApplicationSet that does not exist: the freeze
    fails naming it, and nothing is switched."""
    migration = parked_migration
    before = migration.argocd_policies()
    result = migration.run("50_switch_traffic.yml", bluegreen_argocd_applicationset="no-such-applicationset")
    output = one_line(result.stdout)
    assert result.returncode != 0
    assert "no-such-applicationset" in output, output[-6000:]
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert migration.serving_namespace(domain) == migration.source
    assert migration.argocd_policies() == before  # Argo CD automation untouched
    ledger = migration.ledger()
    assert ledger["state"] == "smoke-passed" and "lease" not in ledger
    assert migration.last_finish("50")["outcome"] == "failed"


# -- faults during the switch (phase 50), on a scratch migration with its own ALB and ApplicationSet -------------


def argocd_frozen(migration):
    return migration.argocd_policies()["ApplicationSet"][1]


def api_answers(migration):
    try:
        migration.core.list_namespace(_request_timeout=3)
    except Exception:  # noqa: BLE001 - any failure means not back yet
        return False
    return True


def assert_on_green_and_kept_frozen(migration):
    """Green serves; Argo CD stays frozen, its record kept: the green Ingresses carry Argo CD tracking and Git still
    declares their parked order, so self-heal would move the traffic back."""
    for domain in migration.domains:
        assert wait_for(lambda: migration.serving_namespace(domain) == domain, what="green rule first for " + domain)
    assert argocd_frozen(migration)
    assert migration.last_finish("50")["details"]["argocd"]["kept_frozen"] is True
    ledger = migration.ledger()
    assert ledger["state"] == "switched" and "lease" not in ledger


def blue_being_deleted(migration):
    from kubernetes.client.exceptions import ApiException

    try:
        return migration.core.read_namespace(migration.source).metadata.deletion_timestamp is not None
    except ApiException as error:
        if error.status == 404:
            return True  # deleted already
        raise


@pytest.mark.whole_cluster
def test_kube_apiserver_killed_mid_switch_leaves_one_side_serving_and_a_rerun_completes(migration):
    from ecoeco_sandbox import cluster
    from ecoeco_sandbox.paths import Paths

    api_port = urlsplit(migration.core.api_client.configuration.host).port
    paths, killed = Paths(), False
    with RouteWatch(migration) as watch:
        run = migration.start("50_switch_traffic.yml")
        try:
            wait_for(lambda: argocd_frozen(migration), timeout=300, interval=0.1, what="phase 50 to freeze Argo CD")
            cluster.kill_component(paths, "kube-apiserver")
            killed = True
            time.sleep(API_OUTAGE_SECONDS)  # the length of the outage, not a wait for an outcome
        finally:
            if killed:
                cluster.start_stopped_components(paths)
            else:
                run.kill()
        output = one_line(run.communicate(timeout=600)[0])
        wait_for(lambda: api_answers(migration), timeout=120, what="kube-apiserver to answer again")
    # Controllers that gave up their leader lease during the outage exit; started again, as kubelet would.
    assert "kube-apiserver" not in cluster.start_stopped_components(paths)

    # Each route was served by blue or green at every sample, never by neither (moto is read during the outage too).
    for domain, sides in watch.seen.items():
        assert sides and sides <= {migration.source, domain}, (domain, sides)
    if run.returncode != 0:
        # The user is told where it broke, that the API was unreachable and where the traffic is. Killed mid-request
        # or refused afterwards: the modules say either, and the connection pool's words name the port.
        assert "traffic switch failed at step" in output, output[-6000:]
        assert "cannot reach the Kubernetes API" in output or "port={0}".format(api_port) in output, output[-6000:]
        assert "traffic is on blue" in output or "traffic is on where it was before this run" in output, output[-6000:]
        for domain in migration.domains:
            assert migration.serving_namespace(domain) == migration.source
        ledger = migration.ledger()
        assert ledger["state"] != "switched" and migration.last_finish("50")["outcome"] == "failed"
        # The failed run waited for the API (traffic_switch_api_outage_wait), so it restored Argo CD itself.
        assert not argocd_frozen(migration)
        # After the API is back, phase 50 again (breaking the lease if the killed API kept the run from releasing it).
        rerun = migration.run("50_switch_traffic.yml", ledger_lease_break="lease" in ledger)
        assert_ok(rerun)
    assert_on_green_and_kept_frozen(migration)


def test_phase_50_interrupted_after_the_freeze_is_completed_by_a_rerun(migration):
    """Ctrl-C (SIGINT) stops ansible-playbook without its rescue or always: Argo CD may stay frozen and the lease
    held. The re-run finds the freeze the interrupted run left, switches, and keeps it (Git is behind the switch)."""
    with RouteWatch(migration) as watch:
        run = migration.start("50_switch_traffic.yml")
        try:
            wait_for(lambda: argocd_frozen(migration), timeout=300, interval=0.1, what="phase 50 to freeze Argo CD")
        finally:
            run.send_signal(signal.SIGINT)
        output = one_line(run.communicate(timeout=300)[0])
    assert run.returncode != 0, output[-3000:]
    for domain, sides in watch.seen.items():
        assert sides and sides <= {migration.source, domain}, (domain, sides)
    ledger = migration.ledger()
    rerun = migration.run("50_switch_traffic.yml", ledger_lease_break="lease" in ledger)
    assert_ok(rerun)
    assert_on_green_and_kept_frozen(migration)


def test_phase_60_killed_while_blue_is_deleted_is_completed_by_a_rerun(migration):
    """kill -9 of ansible-playbook once blue's namespace is being deleted: the ledger still says switched, and the
    re-run checks green again before it finishes the removal instead of trusting the killed run."""
    assert_ok(migration.run("50_switch_traffic.yml"))
    removal = {"bluegreen_blue_removal_soak_seconds": 0, "blue_removal_confirm": True}
    run = migration.start("60_blue_removal.yml", **removal)
    try:
        wait_for(lambda: blue_being_deleted(migration), timeout=300, interval=0.1, what="phase 60 to delete blue")
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.communicate(timeout=120)
    ledger = migration.ledger()
    assert ledger["state"] == "switched"
    rerun = migration.run("60_blue_removal.yml", ledger_lease_break="lease" in ledger, **removal)
    assert_ok(rerun)
    assert not migration.namespace_exists(migration.source)
    for domain in migration.domains:
        assert migration.serving_namespace(domain) == domain
    ledger = migration.ledger()
    assert ledger["state"] == "blue-removed" and "lease" not in ledger


def test_a_malformed_freeze_record_stops_phase_50_before_the_switch(parked_migration):
    """A hand-edited freeze record on the ApplicationSet: no policy can be trusted from it, so nothing is switched."""
    migration = parked_migration
    group, version = ARGO
    migration.custom.patch_namespaced_custom_object(group, version, "argocd", "applicationsets", migration.id,
                                                    {"metadata": {"annotations": {FREEZE_RECORD: "{not json"}}})
    try:
        result = migration.run("50_switch_traffic.yml")
        assert migration.argocd_policies()["ApplicationSet"][0] == AUTOMATED  # untouched
    finally:
        migration.custom.patch_namespaced_custom_object(group, version, "argocd", "applicationsets", migration.id,
                                                        {"metadata": {"annotations": {FREEZE_RECORD: None}}})
    output = one_line(result.stdout)
    assert result.returncode != 0
    assert "annotation {0} on ApplicationSet argocd/{1}: expected a freeze record".format(FREEZE_RECORD, migration.id) in output, output[-6000:]
    assert "traffic is on blue" in output, output[-6000:]
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert migration.serving_namespace(domain) == migration.source
    ledger = migration.ledger()
    assert ledger["state"] == "smoke-passed" and "lease" not in ledger
    assert migration.last_finish("50")["outcome"] == "failed"


class AwsForwarder:
    """A loopback TCP forwarder in front of moto (whose state lives in memory, so moto itself is never stopped).
    ``go_dark`` closes the listening socket and every open connection: AWS becomes unreachable for the modules."""

    def __init__(self, endpoint_url):
        self.target = ("127.0.0.1", urlsplit(endpoint_url).port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = "http://127.0.0.1:{0}".format(self.listener.getsockname()[1])
        self.connections = []
        self.lock = threading.Lock()
        self.dark = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)

    def accept(self):
        while not self.dark.is_set():
            try:
                client = self.listener.accept()[0]
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(self.target, timeout=10)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # the other side (or go_dark) closed the connection
        finally:
            sink.close()

    def go_dark(self):
        self.dark.set()
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by its pipe
                connection.close()
        self.thread.join(timeout=10)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        if not self.dark.is_set():
            self.go_dark()


def test_aws_unreachable_from_the_start_stops_phase_50_before_the_switch(parked_migration):
    migration = parked_migration
    with AwsForwarder(migration.env["AWS_ENDPOINT_URL"]) as aws:
        aws.go_dark()
        result = migration.run("50_switch_traffic.yml", bluegreen_aws_endpoint_url=aws.url)

    output = one_line(result.stdout)
    assert result.returncode != 0
    assert "traffic switch failed at step 'gate before the switch'" in output, output[-6000:]
    assert 'Could not connect to the endpoint URL: "{0}/"'.format(aws.url) in output and "traffic is on blue" in output
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert migration.serving_namespace(domain) == migration.source
    assert_argocd_restored(migration)
    ledger = migration.ledger()
    assert ledger["state"] == "smoke-passed" and "lease" not in ledger
    assert migration.last_finish("50")["outcome"] == "failed"


def test_aws_unreachable_after_the_switch_puts_every_route_back_on_blue(parked_migration):
    migration = parked_migration
    green = migration.domains[0]

    def dark_once_switched(aws, stop):
        while not stop.wait(0.1):
            if migration.ingress_order(green, migration.workload(green)) != "20":
                aws.go_dark()
                return

    stop = threading.Event()
    with AwsForwarder(migration.env["AWS_ENDPOINT_URL"]) as aws:
        watcher = threading.Thread(target=dark_once_switched, args=(aws, stop))
        watcher.start()
        try:
            result = migration.run("50_switch_traffic.yml", bluegreen_aws_endpoint_url=aws.url)
        finally:
            stop.set()
            watcher.join(timeout=30)
        went_dark = aws.dark.is_set()

    output = one_line(result.stdout)
    assert went_dark and result.returncode != 0, output[-6000:]
    assert "traffic switch failed at step 'gate after the switch'" in output, output[-6000:]
    assert 'Could not connect to the endpoint URL: "{0}/"'.format(aws.url) in output, output[-6000:]
    assert "traffic is on blue (put back: {0})".format(", ".join(migration.domains)) in output, output[-6000:]
    for domain in migration.domains:
        assert migration.ingress_order(domain, migration.workload(domain)) == "20"
        assert wait_for(lambda: migration.serving_namespace(domain) == migration.source, what="blue rule first for " + domain)
    assert_argocd_restored(migration)
    ledger = migration.ledger()
    assert ledger["state"] == "smoke-passed" and "lease" not in ledger
    finish = migration.last_finish("50")
    assert finish["outcome"] == "failed" and finish["details"]["reverted"] is True and finish["details"]["switched"] is False
