"""``up``, ``down``, ``status``, ``reset-to-blue`` and ``alb-url`` for the local rehearsal cluster."""

import argparse
import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kubernetes.client import ApiException, AppsV1Api, CoreV1Api, NetworkingV1Api, VersionApi

from ecoeco_sandbox import binaries, blue_drift, blue_state, cluster, kube, topology
from ecoeco_sandbox.argocd import controllers as argocd_controllers
from ecoeco_sandbox.argocd import objects as argocd
from ecoeco_sandbox.argocd import repository, webhook
from ecoeco_sandbox.aws import clients, load_balancer_controller, seed
from ecoeco_sandbox.errors import SandboxError
from ecoeco_sandbox.frontdoor.addresses import alb_url, read_book
from ecoeco_sandbox.paths import SANDBOX_SOURCE, Paths

PART_OF_SELECTOR = "app.kubernetes.io/part-of=ecoeco-backend"
# The annotation phase 30 writes on blue (module argocd_prune_guard) before the manifests change may land.
PRUNE_GUARD = "argocd.argoproj.io/sync-options"
START = time.monotonic()


def say(message):
    print("[sandbox {0:6.1f}s] {1}".format(time.monotonic() - START, message), flush=True)


def ports():
    return (int(os.environ.get("ECOECO_SANDBOX_APISERVER_PORT", "26443")),
            int(os.environ.get("ECOECO_SANDBOX_AWS_PORT", "24566")))


def frontdoor_settings():
    """(wanted port, kube-proxy lag in seconds) of the front door."""
    return (int(os.environ.get("ECOECO_SANDBOX_FRONTDOOR_PORT", "28080")),
            float(os.environ.get("ECOECO_SANDBOX_KUBE_PROXY_LAG", "1.0")))


def read_state(paths):
    try:
        return json.loads(paths.state_file.read_text())
    except (OSError, ValueError):
        return None


def running_pid(pid_file):
    """The PID in ``pid_file`` while that process runs (a killed one can linger as a zombie: that counts as gone)."""
    try:
        pid = int(pid_file.read_text())
        state = Path("/proc", str(pid), "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return None if state in ("Z", "X") else pid


def health(paths):
    """'absent', 'healthy', or a sentence saying what is broken."""
    state = read_state(paths)
    if state is None and not paths.home.exists():
        return "absent"
    if state is None:
        return "state folder {0} exists but holds no finished sandbox (an interrupted up?)".format(paths.home)
    if not cluster.configuration_is_current(paths, Path(state["bin_dir"]), binaries.versions(), int(state["apiserver"].rsplit(":", 1)[1])):
        return "it was started from another kwokctl configuration (an older checkout, or sandbox/kwok changed since)"
    if running_pid(paths.services_pid) is None or not paths.services_ready.exists():
        return "the AWS/apps helper process is not running (see {0})".format(paths.services_log)
    if running_pid(paths.lb_controller_pid) is None:
        return "the AWS Load Balancer Controller is not running (see {0})".format(paths.lb_controller_log)
    for component in argocd_controllers.COMPONENTS:
        if running_pid(paths.argocd_pid(component)) is None:
            return "Argo CD's {0} is not running (see {1})".format(component, paths.argocd_log(component))
    try:
        api = kube.connect(paths.kubeconfig)[0]
        CoreV1Api(api).list_namespace(_request_timeout=5)
    except Exception as error:  # pylint: disable=broad-except
        return "the Kubernetes API at {0} does not answer ({1})".format(state.get("apiserver"), type(error).__name__)
    return "healthy"


def write_env(paths, bin_dir, aws_endpoint, frontdoor_url):
    lines = {
        "BLUEGREEN_FRONTDOOR_URL": frontdoor_url,
        "BLUEGREEN_FRONTDOOR_ALBS": paths.frontdoor_albs,
        "ECOECO_SANDBOX_KUBE_PROXY_LAG": frontdoor_settings()[1],
        "KUBECONFIG": paths.kubeconfig,
        "K8S_AUTH_KUBECONFIG": paths.kubeconfig,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_REGION": clients.REGION,
        "AWS_DEFAULT_REGION": clients.REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "ECOECO_SANDBOX_BIN": bin_dir,
        "ECOECO_SANDBOX_GITOPS_REPOSITORY": paths.gitops_repository,
    }
    text = "".join("export {0}={1}\n".format(k, v) for k, v in lines.items())
    paths.env_file.write_text(text + 'export PATH="{0}:$PATH"\n'.format(bin_dir))


def start_services(paths, aws_port):
    log = paths.services_log.open("a")
    env = dict(os.environ, PYTHONPATH=str(SANDBOX_SOURCE))
    frontdoor_port, kube_proxy_lag = frontdoor_settings()
    command = [sys.executable, "-m", "ecoeco_sandbox.services", "--home", str(paths.home), "--aws-port", str(aws_port),
               "--frontdoor-port", str(frontdoor_port), "--kube-proxy-lag", str(kube_proxy_lag)]
    process = subprocess.Popen(command,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    paths.services_pid.write_text(str(process.pid))
    deadline = time.monotonic() + 60
    while not paths.services_ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = paths.services_log.read_text().strip().splitlines()[-10:]
            raise SandboxError("the AWS/apps helper process did not start (see {0}):\n{1}".format(paths.services_log, "\n".join(tail)))
        time.sleep(0.1)
    ready = json.loads(paths.services_ready.read_text())
    return ready["aws_endpoint_url"], ready["frontdoor_url"]


def seed_blue(paths, domains):
    """Put the blue layout in the Git repository and let Argo CD deploy it: the ApplicationSet generates one
    Application per domain, each syncs its overlay into ``api``; then wait until blue serves through the ALB."""
    dyn = kube.connect(paths.kubeconfig)[1]
    repository.commit_layout(paths.gitops_repository, repository.blue_files(domains), "Blue: every service in namespace api")
    kube.apply(dyn, blue_state.ingress_class())
    kube.apply(dyn, blue_state.namespace(blue_state.SOURCE_NAMESPACE))
    kube.apply(dyn, argocd.application_set(repository.url(paths.gitops_repository), domains))
    wait_until_argocd_synced(paths, domains)
    wait_until_blue_serves(paths, domains)


def wait_until_argocd_synced(paths, domains):
    """Every Application of the seed generated, Synced to the repository's HEAD and Healthy."""
    dyn = kube.connect(paths.kubeconfig)[1]
    applications = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application")
    revision = repository.head(paths.gitops_repository)
    wanted = set(argocd.application_names(domains))

    def synced():
        live = {a["metadata"]["name"]: a for a in applications.get(namespace=argocd.ARGOCD_NAMESPACE).to_dict()["items"]}
        return wanted <= set(live) and all(
            (live[name].get("status") or {}).get("sync", {}).get("status") == "Synced"
            and live[name]["status"]["sync"].get("revision") == revision
            and (live[name]["status"].get("health") or {}).get("status") == "Healthy" for name in wanted)

    kube.wait_for(synced, 180, "Argo CD to sync the {0} Applications of {1} to {2}".format(len(wanted), argocd.APPLICATION_SET, revision[:8]),
                  interval=0.5)
    say("Argo CD synced {0} Applications to the repository's {1}".format(len(wanted), revision[:8]))


def wait_until_blue_serves(paths, domains):
    """Every blue Deployment available, every Ingress admitted, every ALB target group healthy."""
    api = kube.connect(paths.kubeconfig)[0]
    apps = AppsV1Api(api)

    def blue_available():
        items = apps.list_namespaced_deployment(blue_state.SOURCE_NAMESPACE).items
        return len(items) == len(domains) and all((d.status.available_replicas or 0) >= d.spec.replicas for d in items)

    kube.wait_for(blue_available, 120, "the blue Deployments in namespace api to become Available")
    say("blue Deployments available ({0} domains x 2 pods)".format(len(domains)))
    net = NetworkingV1Api(api)

    def ingresses_admitted():
        items = net.list_namespaced_ingress(blue_state.SOURCE_NAMESPACE).items
        return len(items) == len(domains) and all(i.status.load_balancer.ingress for i in items)

    kube.wait_for(ingresses_admitted, 120, "the AWS Load Balancer Controller to admit the Ingresses")
    elbv2 = clients.client("elbv2", read_state(paths)["aws_endpoint_url"])

    def target_groups_healthy():
        """Only the seed ALB's groups: other migrations' ALBs (tests running beside a reset) come and go, and a
        group deleted between the listing and its health read is read again at the next poll."""
        try:
            balancer = elbv2.describe_load_balancers(Names=[blue_state.LOAD_BALANCER_NAME])["LoadBalancers"][0]
            groups = elbv2.describe_target_groups(LoadBalancerArn=balancer["LoadBalancerArn"])["TargetGroups"]
            if len(groups) < len(domains):
                return False
            for group in groups:
                states = [t["TargetHealth"]["State"] for t in
                          elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]]
                if not states or any(s != "healthy" for s in states):
                    return False
        except (elbv2.exceptions.LoadBalancerNotFoundException, elbv2.exceptions.TargetGroupNotFoundException):
            return False
        return True

    kube.wait_for(target_groups_healthy, 120, "the ALB target groups to turn healthy", interval=0.5)
    say("ALB {0} routes to blue; every target group healthy".format(blue_state.LOAD_BALANCER_NAME))


def start_lb_controller(paths, bin_dir, aws_endpoint):
    """Seed the AWS network the controller expects, give each Node its EC2 instance, start the controller."""
    network = seed.seed_network(clients.client("ec2", aws_endpoint), [node[0] for node in topology.NODES])
    core = CoreV1Api(kube.connect(paths.kubeconfig)[0])
    for node in core.list_node().items:
        if not node.spec.provider_id:
            core.patch_node(node.metadata.name, {"spec": {"providerID": network["provider_ids"][node.metadata.name]}})
    return load_balancer_controller.start(paths, bin_dir, aws_endpoint, clients.REGION, network["vpc_id"], seed.CLUSTER_NAME)


def start_argocd(paths, argocd_dir):
    """Argo CD's settings and project, then its controllers."""
    dyn = kube.connect(paths.kubeconfig)[1]
    kube.apply(dyn, blue_state.namespace(argocd.ARGOCD_NAMESPACE))
    for obj in argocd.settings(secrets.token_hex(16)):
        kube.apply(dyn, obj)
    kube.apply(dyn, argocd.app_project())
    argocd_controllers.start(paths, argocd_dir)


CRDS = ("applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io", "targetgroupbindings.elbv2.k8s.aws",
        "ingressclassparams.elbv2.k8s.aws")


def crds_established(dyn, names):
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    for name in names:
        conditions = crds.get(name=name).to_dict().get("status", {}).get("conditions") or []
        if not any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
            return False
    return True


def up(paths, domains):
    condition = health(paths)
    if condition == "healthy":
        say("already running and healthy: reusing it ({0})".format(paths.env_file))
        return 0
    grace = 0.0
    if condition != "absent":
        say("found a broken sandbox: {0}; removing it before starting again".format(condition))
        down(paths, quiet=True)
        grace = 20.0
    apiserver_port, aws_port = ports()
    cluster.require_free_port(apiserver_port, "apiserver", grace)
    cluster.require_free_port(aws_port, "aws", grace)
    bin_dir = binaries.ensure_binaries()
    lb_controller_dir = binaries.ensure_binaries("lb-controller")
    argocd_dir = binaries.ensure_binaries("argocd")
    say("binaries ready in {0}, {1} and {2}".format(bin_dir, lb_controller_dir, argocd_dir))
    crd_files = binaries.argocd_crd_files() + binaries.lb_controller_crd_files()
    paths.home.mkdir(parents=True, exist_ok=True)
    try:
        cluster.create(paths, bin_dir, binaries.versions(), apiserver_port)
        say("control plane up on https://127.0.0.1:{0} (kube-apiserver, controller-manager, scheduler, etcd, kwok)".format(apiserver_port))
        dyn = kube.connect(paths.kubeconfig)[1]
        for node in topology.node_manifests():
            kube.apply(dyn, node)
        for crd_file in crd_files:
            created = subprocess.run([str(bin_dir / "kubectl"), "--kubeconfig", str(paths.kubeconfig), "create", "-f", str(crd_file)],
                                     check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if created.returncode != 0:
                raise SandboxError("could not create the CRDs from {0}: {1}".format(crd_file, created.stderr.strip()))
        kube.wait_for(lambda: crds_established(dyn, CRDS), 60, "the CRDs to be established")
        pinned = binaries.versions()
        say("{0} nodes and the CRDs of Argo CD v{1} and the AWS Load Balancer Controller v{2} in place".format(
            len(topology.NODES), pinned["ARGOCD_VERSION"], pinned["AWS_LOAD_BALANCER_CONTROLLER_VERSION"]))
        aws_endpoint, frontdoor_url = start_services(paths, aws_port)
        say("moto ELBv2/EC2 on {0}, the ALB's health checks, pod apps and front door {1} running".format(aws_endpoint, frontdoor_url))
        start_lb_controller(paths, lb_controller_dir, aws_endpoint)
        say("AWS Load Balancer Controller v{0} running (log {1})".format(pinned["AWS_LOAD_BALANCER_CONTROLLER_VERSION"], paths.lb_controller_log))
        start_argocd(paths, argocd_dir)
        say("Argo CD v{0} running: repo-server, application controller, ApplicationSet controller (logs in {1})".format(
            pinned["ARGOCD_VERSION"], paths.argocd_home))
        paths.state_file.write_text(json.dumps({"apiserver": "https://127.0.0.1:{0}".format(apiserver_port),
                                                "aws_endpoint_url": aws_endpoint, "frontdoor_url": frontdoor_url,
                                                "bin_dir": str(bin_dir), "domains": domains}))
        write_env(paths, bin_dir, aws_endpoint, frontdoor_url)
        seed_blue(paths, domains)
    except BaseException:
        say("up failed: stopping what it started, so nothing is left half-started")
        down(paths, quiet=True)
        raise
    say("ready. Use it with: source {0}".format(paths.env_file))
    return 0


def down(paths, quiet=False):
    if not paths.home.exists():
        if not quiet:
            say("nothing to stop: no sandbox state at {0}".format(paths.home))
        return 0
    pids = [running_pid(paths.services_pid), running_pid(paths.lb_controller_pid)]
    for pid in pids + [running_pid(paths.argocd_pid(component)) for component in argocd_controllers.COMPONENTS]:
        if pid:
            os.kill(pid, 15)
    state = read_state(paths) or {}
    bin_dir = state.get("bin_dir")
    cluster.delete(paths, None if bin_dir is None else Path(bin_dir))
    shutil.rmtree(paths.home, ignore_errors=True)
    if not quiet:
        say("stopped every sandbox process and removed {0}".format(paths.home))
    return 0


def reset_to_blue(paths, force=False):
    """Put the seed's migration back at its blue starting state: its green and shared namespaces, its ledgers and
    its Argo CD objects deleted, ``api`` recreated. Only that migration's objects: a test's scratch migration running
    beside it keeps its own. Nothing is done when nothing moved (unless ``force``)."""
    condition = health(paths)
    if condition != "healthy":
        raise SandboxError("reset-to-blue needs a running sandbox, but: {0}. Run `up` first.".format(condition))
    domains = read_state(paths)["domains"]
    api, dyn = kube.connect(paths.kubeconfig)
    core = CoreV1Api(api)
    moved = blue_drift.drift(api, dyn, domains, paths.gitops_repository)
    if not moved and not force:
        wait_until_blue_serves(paths, domains)
        say("already at the blue starting state: nothing to reset (--force resets anyway)")
        return 0
    say("resetting: {0}".format("; ".join(moved[:3]) + ("; ..." if len(moved) > 3 else "") if moved else "forced"))
    # Argo CD first: with its Applications alive, self-heal would recreate what the reset deletes.
    _delete_all(argocd_deletions(dyn, domains))
    applications = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application")
    seeded = set(argocd.application_names(domains))
    kube.wait_for(lambda: not seeded & {a.metadata.name for a in applications.get(namespace=argocd.ARGOCD_NAMESPACE).items}, 60,
                  "the Applications of {0} to be deleted".format(argocd.APPLICATION_SET))
    existing = {ns.metadata.name for ns in core.list_namespace().items}
    doomed = [name for name in [blue_state.SOURCE_NAMESPACE] + blue_drift.migration_namespaces(domains) if name in existing]
    ledgers = blue_drift.seed_ledgers(core)
    _delete_all([functools.partial(core.delete_namespace, name) for name in doomed]
                + [functools.partial(core.delete_namespaced_config_map, name, blue_drift.LEDGER_NAMESPACE) for name in ledgers])
    say("deleted the ApplicationSet {0} with its Applications; deleting namespaces {1} and ledgers {2}".format(
        argocd.APPLICATION_SET, ", ".join(doomed) or "(none)", ", ".join(ledgers) or "(none)"))
    kube.wait_for(lambda: not [n for n in core.list_namespace().items if n.metadata.name in doomed], 180,
                  "namespaces {0} to finish deleting".format(", ".join(doomed)))
    seed_blue(paths, domains)
    say("back at the blue starting state")
    return 0


def _delete_all(calls):
    for delete in calls:
        try:
            delete()
        except ApiException as error:
            if error.status != 404:
                raise


def argocd_deletions(dyn, domains):
    """Deletions of the seed's ApplicationSet and the Applications it generates."""
    calls = []
    for kind, names in (("Application", argocd.application_names(domains)), ("ApplicationSet", [argocd.APPLICATION_SET])):
        resource = dyn.resources.get(api_version=argocd.API_VERSION, kind=kind)
        calls += [functools.partial(resource.delete, name=name, namespace=argocd.ARGOCD_NAMESPACE) for name in names]
    return calls


def status(paths):
    condition = health(paths)
    if condition == "absent":
        say("not running")
        return 1
    if condition != "healthy":
        say("broken: {0}".format(condition))
        return 2
    state = read_state(paths)
    api = kube.connect(paths.kubeconfig)[0]
    core = CoreV1Api(api)
    nodes = core.list_node().items
    ready = sum(1 for n in nodes for c in n.status.conditions or [] if c.type == "Ready" and c.status == "True")
    namespaces = sorted(n.metadata.name for n in core.list_namespace(label_selector=PART_OF_SELECTOR).items)
    say("healthy: kube-apiserver {0} ({1}), nodes ready {2}/{3}".format(
        VersionApi(api).get_code().git_version,
        state["apiserver"], ready, len(nodes)))
    say("AWS (moto) {0}; application namespaces: {1}".format(state["aws_endpoint_url"], ", ".join(namespaces)))
    say("Argo CD: {0}".format(argocd_summary(paths)))
    say("resident memory of the sandbox processes: {0:.0f} MiB".format(resident_memory_mib(paths)))
    say("front door: {0}".format(served_albs(paths)))
    say("env file: {0}".format(paths.env_file))
    return 0


def argocd_summary(paths):
    """How many Applications Argo CD has, and how many of them are Synced and Healthy."""
    dyn = kube.connect(paths.kubeconfig)[1]
    items = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application").get(namespace=argocd.ARGOCD_NAMESPACE).to_dict()["items"]
    synced = sum(1 for a in items if (a.get("status") or {}).get("sync", {}).get("status") == "Synced")
    healthy = sum(1 for a in items if ((a.get("status") or {}).get("health") or {}).get("status") == "Healthy")
    return "{0} Applications, {1} Synced, {2} Healthy; repository {3}".format(len(items), synced, healthy, repository.url(paths.gitops_repository))


def served_albs(paths):
    """Each ALB the front door serves, with its URL."""
    try:
        served = read_book(paths.frontdoor_albs)["load_balancers"]
    except SandboxError as error:
        return str(error)
    return ", ".join("{0} {1}".format(name, served[name]["url"]) for name in sorted(served)) or "no ALB yet"


def resident_memory_mib(paths):
    total_kib = 0
    for pid in cluster.processes_using(paths.home) + [running_pid(paths.services_pid) or 0]:
        try:
            for line in open("/proc/{0}/status".format(pid), encoding="ascii"):
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024.0


def wait_until_blue_guarded(paths, moved, timeout):
    """Until every blue object of the ``moved`` domains carries Prune=false (phase 30's guard): the team merges the
    manifests change when phase 30 says it may."""
    api = kube.connect(paths.kubeconfig)[0]
    reads = (AppsV1Api(api).list_namespaced_deployment, CoreV1Api(api).list_namespaced_service, NetworkingV1Api(api).list_namespaced_ingress)
    wanted = {blue_state.workload(domain) for domain in moved}

    def guarded():
        for read in reads:
            names = {item.metadata.name for item in read(blue_state.SOURCE_NAMESPACE).items
                     if "Prune=false" in ((item.metadata.annotations or {}).get(PRUNE_GUARD) or "")}
            if not wanted <= names:
                return False
        return True

    say("waiting up to {0:g} s for phase 30 to keep blue in {1} from prune before the manifests change lands".format(
        timeout, blue_state.SOURCE_NAMESPACE))
    kube.wait_for(guarded, timeout, "phase 30's prune guard (argocd.argoproj.io/sync-options: Prune=false) on blue in {0}".format(
        blue_state.SOURCE_NAMESPACE), interval=1)


def land_green(paths, moved, when_guarded=0.0):
    """The manifests change of the migration, as the team merges it: the overlays of ``moved`` (every domain when
    empty) and the ApplicationSet's destinations point at the domains' own namespaces; the push webhook asks Argo CD
    to compare at once, and Argo CD applies it when it is not frozen. With ``when_guarded``, waits that many seconds at
    most for phase 30's prune guard on blue first."""
    domains = _running_domains(paths, "land-green")
    unknown = [d for d in moved if d not in domains]
    if unknown:
        raise SandboxError("land-green --domains: {0} not among the sandbox's domains ({1})".format(", ".join(unknown), ", ".join(domains)))
    moved = moved or domains
    if when_guarded:
        wait_until_blue_guarded(paths, moved, when_guarded)
    commit = repository.commit_layout(paths.gitops_repository, repository.green_files(domains, moved),
                                      "Move {0} to their own namespaces".format(", ".join(moved)))
    # The ApplicationSet is part of the change (its destinations); only its generators are written, so a freeze of
    # its template stays as it is.
    dyn = kube.connect(paths.kubeconfig)[1]
    dyn.resources.get(api_version=argocd.API_VERSION, kind="ApplicationSet").patch(
        name=argocd.APPLICATION_SET, namespace=argocd.ARGOCD_NAMESPACE, body={"spec": {"generators": argocd.generators(domains, moved)}},
        content_type="application/merge-patch+json")
    say("manifests change {0}: k8s/overlays of {1} now deploy into their own namespaces ({2})".format(
        "landed as " + commit[:8] if commit else "was already there", ", ".join(moved), repository.url(paths.gitops_repository)))
    webhook.refresh_until_compared(dyn, argocd.application_names(domains), repository.head(paths.gitops_repository))
    say("Argo CD compared every Application with it")
    return 0


def land_switch(paths):
    """The change that declares the switch in Git: each moved domain's green Ingress at the group.order the switch gave
    it, so Argo CD agrees with the live state and its automation may come back without moving traffic."""
    domains = _running_domains(paths, "land-switch")
    moved = repository.moved_domains(paths.gitops_repository, domains)
    if not moved:
        raise SandboxError("land-switch: no domain is moved in Git yet; land-green first")
    net = NetworkingV1Api(kube.connect(paths.kubeconfig)[0])
    orders = {}
    for domain in moved:
        try:
            ingress = net.read_namespaced_ingress(blue_state.workload(domain), domain)
        except ApiException as error:
            raise SandboxError("land-switch: green Ingress {0}/{1}: {2}".format(domain, blue_state.workload(domain), error.reason)) from error
        orders[domain] = int((ingress.metadata.annotations or {}).get(blue_state.GROUP_ORDER, repository.GREEN_PARKED_ORDER))
    commit = repository.commit_layout(paths.gitops_repository, repository.green_files(domains, moved, orders),
                                      "Declare the switch: green Ingresses of {0} at their live group.order".format(", ".join(moved)))
    declared = ", ".join("{0}={1}".format(domain, orders[domain]) for domain in moved)
    say("switch {0}: green Ingresses' group.order {1}".format("declared as " + commit[:8] if commit else "was already declared", declared))
    webhook.refresh_until_compared(kube.connect(paths.kubeconfig)[1], argocd.application_names(domains), repository.head(paths.gitops_repository))
    say("Argo CD compared every Application with it")
    return 0


def revert_green(paths):
    """The team's revert of the manifests change (after a rollback): the blue layout again, every domain deployed into
    ``api``; the push webhook asks Argo CD to compare at once."""
    domains = _running_domains(paths, "revert-green")
    commit = repository.commit_layout(paths.gitops_repository, repository.blue_files(domains), "Revert: every domain back in api")
    dyn = kube.connect(paths.kubeconfig)[1]
    dyn.resources.get(api_version=argocd.API_VERSION, kind="ApplicationSet").patch(
        name=argocd.APPLICATION_SET, namespace=argocd.ARGOCD_NAMESPACE, body={"spec": {"generators": argocd.generators(domains)}},
        content_type="application/merge-patch+json")
    say("manifests change {0}: every overlay deploys into {1} again".format(
        "reverted as " + commit[:8] if commit else "was not there", blue_state.SOURCE_NAMESPACE))
    webhook.refresh_until_compared(dyn, argocd.application_names(domains), repository.head(paths.gitops_repository))
    say("Argo CD compared every Application with it")
    return 0


def _running_domains(paths, command):
    condition = health(paths)
    if condition != "healthy":
        raise SandboxError("{0} needs a running sandbox, but: {1}. Run `up` first.".format(command, condition))
    return read_state(paths)["domains"]


def print_alb_url(paths, name, wait_seconds):
    """The front door URL of one ALB, alone on stdout (for ``$(sandbox/sandboxctl alb-url shop-alb)``)."""
    if not name:
        raise SandboxError("alb-url needs the name of an ALB, for example: sandbox/sandboxctl alb-url ecoeco-alb")
    print(alb_url(name, paths.frontdoor_albs, wait_seconds))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sandbox", description="The local rehearsal cluster of ecoeco.bluegreen.")
    commands = ["up", "down", "status", "reset-to-blue", "alb-url", "land-green", "land-switch", "revert-green"]
    parser.add_argument("command", choices=commands)
    parser.add_argument("alb", nargs="?", help="alb-url: the ALB's name (alb.ingress.kubernetes.io/load-balancer-name)")
    parser.add_argument("--wait", type=float, default=0.0,
                        help="alb-url: seconds to wait for the front door to serve the ALB (it appears with its first Ingress)")
    parser.add_argument("--domains", default=None,
                        help="up: comma-separated domains of the blue state (default: the seven EcoEco domains); "
                             "land-green: the domains the manifests change moves (default: all)")
    parser.add_argument("--when-guarded", type=float, default=0.0, metavar="SECONDS",
                        help="land-green: first wait (at most SECONDS) until phase 30 has kept blue from prune, as the team "
                             "merges the change when phase 30 says it may")
    parser.add_argument("--force", action="store_true",
                        help="reset-to-blue: reset even when the cluster is already at the blue starting state")
    args = parser.parse_args(argv)
    paths = Paths()
    domains = [d.strip() for d in (args.domains or "").split(",") if d.strip()]
    try:
        if args.command == "up":
            return up(paths, domains or list(blue_state.DOMAINS))
        if args.command == "land-green":
            return land_green(paths, domains, args.when_guarded)
        if args.command == "land-switch":
            return land_switch(paths)
        if args.command == "revert-green":
            return revert_green(paths)
        if args.command == "down":
            return down(paths)
        if args.command == "status":
            return status(paths)
        if args.command == "alb-url":
            return print_alb_url(paths, args.alb, args.wait)
        return reset_to_blue(paths, force=args.force)
    except SandboxError as error:
        say("error: {0}".format(error))
        return 2
