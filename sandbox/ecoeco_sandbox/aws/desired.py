"""What the AWS side should look like for a set of Ingresses, as the AWS Load Balancer Controller sees it.

Pure functions over Kubernetes objects as plain dicts (the API's JSON): no AWS, no clock.

* IngressGroup: Ingresses of class ``alb`` sharing ``alb.ingress.kubernetes.io/group.name`` (across
  namespaces) share one ALB; an Ingress without it is a group of its own (stack ``<ns>/<name>``).
* Members ordered by ``group.order`` (lower first), then namespace, then name; each (host, path) of a
  member, in rule and path order, becomes one listener rule, its priority being its position.
* One target group per (stack, namespace, service, port) backend, instance targets on the NodePort.

Not modelled: ``spec.defaultBackend`` (the listener default stays a 404), resource backends,
``actions.*`` / ``conditions.*`` annotations, TLS listeners.
"""

import hashlib
import re
from dataclasses import dataclass, field

ANNOTATION_PREFIX = "alb.ingress.kubernetes.io/"
INGRESS_CLASS = "alb"
DEFAULT_SCHEME = "internal"
SCHEMES = ("internal", "internet-facing")
DEFAULT_HEALTH_CHECK_PATH = "/"
NAME_LIMIT = 32
NODE_PORT_SERVICE_TYPES = ("NodePort", "LoadBalancer")


class IngressProblem(Exception):
    """An Ingress the controller cannot build (it is skipped, the others go on)."""


@dataclass(frozen=True)
class Backend:
    """A target group: instance targets on ``node_port`` standing for Service ``namespace/service:port``."""

    stack: str
    namespace: str
    service: str
    port: int
    node_port: int
    health_check_path: str
    target_group_name: str

    @property
    def resource(self):
        """Value of the ``ingress.k8s.aws/resource`` tag, ``<namespace>/<service>:<port>``."""
        return f"{self.namespace}/{self.service}:{self.port}"


@dataclass(frozen=True)
class Route:
    """A listener rule: host-header values (may be empty), path-pattern values, target group name."""

    hosts: tuple
    paths: tuple
    target_group_name: str


@dataclass(frozen=True)
class Group:
    """One ALB: its stack (group name or ``<ns>/<name>``), name, scheme, members and ordered routes."""

    stack: str
    load_balancer_name: str
    scheme: str
    members: tuple
    routes: tuple


@dataclass(frozen=True)
class DesiredState:
    """Every group and backend the cluster asks for, plus the Ingresses skipped and why."""

    groups: tuple
    backends: tuple
    problems: dict = field(default_factory=dict, compare=False, hash=False)


def annotation(obj, name):
    """Value of annotation ``alb.ingress.kubernetes.io/<name>`` on ``obj``, or None."""
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION_PREFIX + name)


def object_key(obj):
    """(namespace, name) of a namespaced object."""
    metadata = obj["metadata"]
    return metadata.get("namespace", "default"), metadata["name"]


def is_alb_ingress(ingress):
    """True when the Ingress is of class ``alb`` (spec or legacy annotation) and not being deleted."""
    metadata = ingress.get("metadata") or {}
    if metadata.get("deletionTimestamp"):
        return False
    legacy_class = (metadata.get("annotations") or {}).get("kubernetes.io/ingress.class")
    return (ingress.get("spec") or {}).get("ingressClassName") == INGRESS_CLASS or legacy_class == INGRESS_CLASS


def aws_name(*parts):
    """An ELBv2 name from ``parts``: alphanumerics and single hyphens, no hyphen at either end, <= 32 chars."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(parts)).strip("-")
    return name[:NAME_LIMIT].rstrip("-")


def target_group_name(cluster_name, stack, namespace, service, port, node_port):
    """``k8s-<ns:8>-<svc:8>-<10 hex>`` like the real controller; the hash keeps names unique and stable."""
    digest = hashlib.sha256(f"{cluster_name}|{stack}|{namespace}|{service}|{port}|{node_port}|HTTP|instance".encode()).hexdigest()
    return aws_name("k8s", aws_name(namespace)[:8], aws_name(service)[:8], digest[:10])


def path_patterns(path, path_type):
    """ALB path-pattern values for an Ingress path: Prefix ``/x`` -> ``/x``, ``/x/*``; Exact -> as is."""
    if path_type == "Exact":
        return (path,)
    if path_type == "Prefix":
        base = (path or "/").rstrip("/")
        return (f"{base}/*",) if not base else (base, f"{base}/*")
    return (path or "/*",)  # ImplementationSpecific: ALB wildcard syntax as written


def _group_order(ingress):
    raw = annotation(ingress, "group.order")
    try:
        return int(raw or 0)
    except ValueError:
        raise IngressProblem(f"annotation {ANNOTATION_PREFIX}group.order must be an integer, got {raw!r}") from None


def _service_port(service, backend_port, where):
    """(port, nodePort) of the Service port the Ingress backend names by number or name."""
    for port in (service.get("spec") or {}).get("ports") or []:
        if port.get("port") == backend_port.get("number") or (backend_port.get("name") and port.get("name") == backend_port.get("name")):
            if not port.get("nodePort"):
                raise IngressProblem(f"{where} port {port.get('port')} has no nodePort")
            return port["port"], port["nodePort"]
    raise IngressProblem(f"{where} has no port {backend_port.get('number') or backend_port.get('name')!r}")


def _member_routes(ingress, services, stack, cluster_name):
    """Routes and backends of one Ingress, in rule and path order; IngressProblem if any path is unusable."""
    namespace, _name = object_key(ingress)
    routes, backends = [], []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        host = rule.get("host")
        for path in (rule.get("http") or {}).get("paths") or []:
            service_backend = (path.get("backend") or {}).get("service")
            if not service_backend:
                raise IngressProblem(f"path {path.get('path')!r} has no service backend")
            where = f"service {namespace}/{service_backend['name']}"
            service = services.get((namespace, service_backend["name"]))
            if service is None:
                raise IngressProblem(f"{where} not found")
            service_type = (service.get("spec") or {}).get("type", "ClusterIP")
            if service_type not in NODE_PORT_SERVICE_TYPES:
                raise IngressProblem(f"{where} is {service_type}, instance targets need NodePort")
            port, node_port = _service_port(service, service_backend.get("port") or {}, where)
            backend = Backend(
                stack=stack, namespace=namespace, service=service_backend["name"], port=port, node_port=node_port,
                health_check_path=annotation(service, "healthcheck-path") or annotation(ingress, "healthcheck-path") or DEFAULT_HEALTH_CHECK_PATH,
                target_group_name=target_group_name(cluster_name, stack, namespace, service_backend["name"], port, node_port),
            )
            backends.append(backend)
            routes.append(Route(hosts=(host,) if host else (), paths=path_patterns(path.get("path"), path.get("pathType")),
                                target_group_name=backend.target_group_name))
    return routes, backends


def _check_scheme(ingress):
    scheme = annotation(ingress, "scheme")
    if scheme is not None and scheme not in SCHEMES:
        raise IngressProblem(f"annotation {ANNOTATION_PREFIX}scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")


def _build_group(stack, members, services, cluster_name, problems):
    """Group for ``members`` (ordered here), adding skipped members to ``problems``; also returns its backends."""
    ordered = []
    for member in members:
        try:
            ordered.append((_group_order(member), object_key(member), member))
        except IngressProblem as problem:
            problems[object_key(member)] = str(problem)
    ordered.sort(key=lambda item: item[:2])
    routes, backends, included = [], {}, []
    for _order, key, member in ordered:
        try:
            _check_scheme(member)
            member_routes, member_backends = _member_routes(member, services, stack, cluster_name)
        except IngressProblem as problem:
            problems[key] = str(problem)
            continue
        included.append(member)
        routes.extend(member_routes)
        for backend in member_backends:
            backends.setdefault(backend.target_group_name, backend)  # the first member's health check path wins
    # Name and scheme come from every ordered member, skipped ones too, so a broken member never renames the ALB.
    sources = [member for _order, _key, member in ordered]
    group = Group(
        stack=stack,
        load_balancer_name=aws_name(next(filter(None, (annotation(m, "load-balancer-name") for m in sources)), "k8s-" + stack)),
        scheme=next((annotation(m, "scheme") for m in sources if annotation(m, "scheme") in SCHEMES), DEFAULT_SCHEME),
        members=tuple(object_key(m) for m in included),
        routes=tuple(routes),
    )
    return group, list(backends.values())


def build_desired(ingresses, services, cluster_name):
    """DesiredState for ``ingresses`` (list of dicts) given ``services`` ({(namespace, name): dict}).

    A group exists as long as it has an Ingress, even one skipped for a problem: its ALB stays.
    """
    by_stack = {}
    for ingress in ingresses:
        if is_alb_ingress(ingress):
            stack = annotation(ingress, "group.name") or "/".join(object_key(ingress))
            by_stack.setdefault(stack, []).append(ingress)
    problems, groups, backends = {}, [], []
    for stack, members in sorted(by_stack.items()):
        group, group_backends = _build_group(stack, members, services, cluster_name, problems)
        groups.append(group)
        backends.extend(group_backends)
    return DesiredState(groups=tuple(groups), backends=tuple(sorted(backends, key=lambda b: b.target_group_name)), problems=problems)
