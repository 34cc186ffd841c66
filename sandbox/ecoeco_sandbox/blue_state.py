"""The blue starting state of seed 000: seven FastAPI services in namespace ``api`` behind one ALB."""

DOMAINS = ["auth", "my", "scan", "character", "location", "info", "chat"]
SOURCE_NAMESPACE = "api"
# Created by the migration beside the domain namespaces (the inventories' bluegreen_shared_namespaces).
SHARED_NAMESPACES = ["data", "monitoring"]
PART_OF = {"app.kubernetes.io/part-of": "ecoeco-backend"}
INGRESS_GROUP = "ecoeco"
LOAD_BALANCER_NAME = "ecoeco-alb"
BLUE_GROUP_ORDER = 10
GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"
SERVICE_PORT = 8000


def tracking_id(domain, group, kind, namespace, name):
    """Argo CD's annotation-based resource tracking value (the default since Argo CD 3)."""
    return "ecoeco-{0}:{1}/{2}:{3}/{4}".format(domain, group, kind, namespace, name)


def workload(domain):
    """The name of a domain's Deployment, Service and Ingress."""
    return domain + "-api"


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(PART_OF)}}


def deployment(domain, namespace_name=SOURCE_NAMESPACE, version="blue", replicas=2, image_tag="1.0.0"):
    name = domain + "-api"
    labels = {"app": name, "version": version}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace_name,
            "labels": dict(labels, **PART_OF),
            "annotations": {"argocd.argoproj.io/tracking-id": tracking_id(domain, "apps", "Deployment", namespace_name, name)},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": dict(labels, **PART_OF)},
                "spec": {
                    "nodeSelector": {"workload": "application"},
                    "terminationGracePeriodSeconds": 30,
                    "containers": [{
                        "name": "api",
                        "image": "ecoeco/{0}-api:{1}".format(domain, image_tag),
                        "ports": [{"name": "http", "containerPort": SERVICE_PORT}],
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": SERVICE_PORT}, "periodSeconds": 5},
                        "livenessProbe": {"httpGet": {"path": "/health", "port": SERVICE_PORT}, "periodSeconds": 10},
                    }],
                },
            },
        },
    }


def service(domain, namespace_name=SOURCE_NAMESPACE, version="blue"):
    name = domain + "-api"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": namespace_name,
            "labels": dict({"app": name}, **PART_OF),
            "annotations": {"argocd.argoproj.io/tracking-id": tracking_id(domain, "", "Service", namespace_name, name)},
        },
        "spec": {
            "type": "NodePort",
            "selector": {"app": name, "version": version},
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": SERVICE_PORT, "protocol": "TCP"}],
        },
    }


def ingress(domain, order, namespace_name=SOURCE_NAMESPACE):
    name = domain + "-api"
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": namespace_name,
            "labels": dict({"app": name}, **PART_OF),
            "annotations": {
                "alb.ingress.kubernetes.io/group.name": INGRESS_GROUP,
                GROUP_ORDER: str(order),
                "alb.ingress.kubernetes.io/load-balancer-name": LOAD_BALANCER_NAME,
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "instance",
                "alb.ingress.kubernetes.io/healthcheck-path": "/health",
                "argocd.argoproj.io/tracking-id": tracking_id(domain, "networking.k8s.io", "Ingress", namespace_name, name),
            },
        },
        "spec": {
            "ingressClassName": "alb",
            "rules": [{"http": {"paths": [{
                "path": "/api/v1/" + domain,
                "pathType": "Prefix",
                "backend": {"service": {"name": name, "port": {"number": SERVICE_PORT}}},
            }]}}],
        },
    }


def ingress_class():
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "alb"},
        "spec": {"controller": "ingress.k8s.aws/alb"},
    }


def blue_manifests(domains=None):
    """Every object of the blue state, in creation order."""
    objects = [ingress_class(), namespace(SOURCE_NAMESPACE)]
    for domain in domains or DOMAINS:
        objects += [deployment(domain), service(domain), ingress(domain, BLUE_GROUP_ORDER)]
    return objects
