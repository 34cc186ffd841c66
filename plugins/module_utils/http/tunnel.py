# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP attempt to a pod's port through the API server's port-forward (``pods/portforward``).

The path ``kubectl port-forward`` takes, without a local listening port: no port to choose or collide on, nothing
left running, and every Ready pod reachable, not only the one kubectl would pick for a Service. One tunnel per
attempt, closed after it.
"""

import http.client
import json
import ssl

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.probe import read_content

try:
    import websocket
    from kubernetes.client import ApiClient, CoreV1Api
    from kubernetes.stream import portforward
except ImportError:
    # A dependency of the kubernetes library, reported missing by the module before any of this runs.
    pass


def _refusal(reason):
    """The API server's message in a refused websocket upgrade, which the client words as
    ``Handshake status 403 Forbidden -+-+- {headers} -+-+- {Status}``."""
    body = str(reason).rpartition(" -+-+- ")[2]
    try:
        return json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return str(reason)


def _open(core, pod):
    try:
        return portforward(core.connect_get_namespaced_pod_portforward, pod["name"], pod["namespace"], ports=str(pod["port"]))
    except AttributeError as e:
        # The kubernetes client fails while it reports a refused upgrade (it decodes the absent body of its own
        # ApiException); the API server's answer is that exception, the one it was handling.
        if e.__context__ is None:
            raise
        raise ConnectionError("the API server refused the port-forward: " + _refusal(getattr(e.__context__, "reason", e.__context__))) from e


def _tunnel_socket(forward, pod, scheme, timeout, validate_certs):
    sock = forward.socket(pod["port"])
    sock.settimeout(timeout)
    if scheme != "https":
        return sock
    context = ssl.create_default_context()
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(sock, server_hostname=pod["name"])


def port_forward_sender(configuration):
    """A sender (see probe.py) for requests that name a ``pod`` ({namespace, name, port}) and a ``path``."""

    def send(request, data, headers, timeout, validate_certs):
        pod = request["pod"]
        # The websocket library's connect has no timeout of its own; this bounds it.
        websocket.setdefaulttimeout(timeout)
        # A client per tunnel: kubernetes.stream swaps its ApiClient's request method during the call, which is not
        # safe between threads sharing one client.
        core = CoreV1Api(ApiClient(configuration))
        forward = _open(core, pod)
        try:
            connection = http.client.HTTPConnection("localhost", pod["port"], timeout=timeout)
            connection.sock = _tunnel_socket(forward, pod, request.get("scheme", "http"), timeout, validate_certs)
            try:
                connection.request(request["method"], request["path"], body=data, headers=headers)
                response = connection.getresponse()
                return response.status, read_content(response)
            except (OSError, http.client.HTTPException) as e:
                # The kubelet's reason (nothing listens on the port, say) comes on the tunnel's error channel.
                reason = forward.error(pod["port"])
                raise ConnectionError("{0}{1}".format(e, "; port-forward: " + reason.strip() if reason else "")) from e
            finally:
                connection.close()
        finally:
            forward.close()

    return send
