"""The blue state of a migration other than the seed's, built with the kubernetes client from the sandbox's
manifests (never from the live namespace ``api``): per workload a Deployment, a NodePort Service and an Ingress of
the migration's IngressGroup, and the migration's ApplicationSet with the Applications its controller generates.
"""

import time

from pod_template import blue_pod_template

ARGO = ("argoproj.io", "v1alpha1")
AUTOMATED = {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}
TRACKING = "argocd.argoproj.io/tracking-id"
SANDBOX_PORT = 8000  # where the seeded pod template serves
# A scratch migration's Git cannot be reached (create_application_set): Argo CD deploys none of it, so phase 30 clones
# green from blue (green untracked by Argo CD), and no Git parks green after the switch, so nothing keeps Argo CD frozen.
CLONED_GREEN = {"bluegreen_green_source": "clone_blue", "bluegreen_keep_argocd_frozen_until_blue_removal": False}


def pod_template(labels, container_port=SANDBOX_PORT, image=None):
    """The seeded pod template with only ``labels``, its container (and probes) on ``container_port``: the sandbox's
    stand-in apps answer on whatever port a container declares."""
    template = blue_pod_template()
    container = template["spec"]["containers"][0]
    container["ports"] = [{"name": "http", "containerPort": container_port}]
    for probe in ("readinessProbe", "livenessProbe"):
        container[probe]["httpGet"]["port"] = container_port
    if image:
        container["image"] = image
    return dict(template, metadata={"labels": dict(labels)})


def ingress_annotations(group, alb_name, order):
    """An instance-mode Ingress of the IngressGroup ``group`` on the ALB ``alb_name`` at ``group.order`` ``order``."""
    return {
        "alb.ingress.kubernetes.io/group.name": group,
        "alb.ingress.kubernetes.io/load-balancer-name": alb_name,
        "alb.ingress.kubernetes.io/group.order": str(order),
        "alb.ingress.kubernetes.io/healthcheck-path": "/health",
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "instance",
    }


def workload(namespace, name, labels, template, annotations, path, service_port=SANDBOX_PORT, target_port=SANDBOX_PORT,
             host=None, application=None):
    """Deployment (2 replicas of ``template``), NodePort Service (``service_port`` -> ``target_port``, selecting
    ``labels``) and Ingress (``path`` as a Prefix, on ``host`` if given) named ``name``; with ``application``, each
    carries the tracking annotation by which that Argo CD Application would manage it."""
    def metadata(object_labels, kind_annotations, group, kind):
        tracking = {TRACKING: "{0}:{1}/{2}:{3}/{4}".format(application, group, kind, namespace, name)} if application else {}
        return {"name": name, "namespace": namespace, "labels": object_labels, "annotations": dict(kind_annotations, **tracking)}

    rule = {"http": {"paths": [{"path": path, "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"number": service_port}}}}]}}
    if host:
        rule["host"] = host
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(dict(labels), {}, "apps", "Deployment"),
         "spec": {"replicas": 2, "selector": {"matchLabels": dict(labels)}, "template": template}},
        {"apiVersion": "v1", "kind": "Service", "metadata": metadata({"app": labels["app"]}, {}, "", "Service"),
         "spec": {"type": "NodePort", "selector": dict(labels),
                  "ports": [{"name": "http", "port": service_port, "targetPort": target_port}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
         "metadata": metadata({"app": labels["app"]}, annotations, "networking.k8s.io", "Ingress"),
         "spec": {"ingressClassName": "alb", "rules": [rule]}},
    ]


def create_objects(dyn, objects):
    """Create each object (a dynamic client's ``create``), in order."""
    for obj in objects:
        dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"]).create(body=obj, namespace=obj["metadata"].get("namespace"))


def create_application_set(custom, name, domains, labels, application_prefix="", repo_url="https://example.invalid/scratch.git"):
    """The ApplicationSet ``name`` (automated prune + selfHeal, one Application ``<prefix><domain>`` per domain, deploying
    into namespace ``<domain>``); the sandbox's real ApplicationSet controller generates the Applications, and this
    waits until every one exists. Its repository cannot be reached: Argo CD deploys nothing of a scratch migration."""
    group, version = ARGO
    api_version = "/".join(ARGO)
    custom.create_namespaced_custom_object(group, version, "argocd", "applicationsets", {
        "apiVersion": api_version, "kind": "ApplicationSet",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "generators": [{"list": {"elements": [{"domain": d} for d in domains]}}],
            "template": {
                "metadata": {"name": application_prefix + "{{domain}}", "labels": dict(labels)},
                "spec": {"project": "default", "source": {"repoURL": repo_url, "path": "{{domain}}"},
                         "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{domain}}"},
                         "syncPolicy": AUTOMATED},
            },
        },
    })
    wanted = {application_prefix + domain for domain in domains}
    deadline = time.monotonic() + 60
    while True:
        existing = {a["metadata"]["name"] for a in custom.list_namespaced_custom_object(group, version, "argocd", "applications")["items"]}
        if wanted <= existing:
            return
        assert time.monotonic() < deadline, "the ApplicationSet controller did not generate {0} within 60 s".format(sorted(wanted - existing))
        time.sleep(0.2)


def application_set_deletions(custom, name, application_names):
    """Calls that delete the ApplicationSet ``name`` and its Applications, for ``delete_all``."""
    group, version = ARGO
    calls = [(custom.delete_namespaced_custom_object, (group, version, "argocd", "applications", app)) for app in application_names]
    calls.append((custom.delete_namespaced_custom_object, (group, version, "argocd", "applicationsets", name)))
    return calls


def delete_all(calls):
    """Run each (call, args); what is already gone is fine."""
    from kubernetes.client.exceptions import ApiException

    for call, args in calls:
        try:
            call(*args)
        except ApiException as error:
            if error.status != 404:
                raise
