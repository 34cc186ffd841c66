"""The real AWS Load Balancer Controller, run as a local process against the sandbox's moto and API server.

It is the production controller built from its Go module (``build-binaries.sh lb-controller``); only its
surroundings are the sandbox's: AWS endpoints on loopback (``--aws-api-endpoints``, keyed by the SDK's
service IDs, case sensitive), the region and VPC given so that it asks no instance metadata, and no
Shield/WAF or Gateway API. Its validating webhook server cannot be turned off and binds every interface
(nothing registers it): it gets a free port and a throw-away self-signed certificate.
"""

import datetime
import os
import socket
import subprocess
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ecoeco_sandbox.errors import SandboxError

BINARY = "aws-load-balancer-controller"
FEATURE_GATES = "EnableServiceController=false,NLBGatewayAPI=false,ALBGatewayAPI=false"
START_SECONDS = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_webhook_certificate(folder):
    """A self-signed ``tls.crt``/``tls.key`` pair in ``folder`` (the webhook server refuses to start without one)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aws-load-balancer-webhook-service")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    (folder / "tls.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "tls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))


def command(binary, kubeconfig, aws_endpoint_url, region, vpc_id, cluster_name, cert_dir, health_port):
    return [
        str(binary),
        "--kubeconfig", str(kubeconfig),
        "--cluster-name", cluster_name,
        "--aws-region", region,
        "--aws-vpc-id", vpc_id,
        "--aws-api-endpoints", "EC2={0},Elastic Load Balancing v2={0}".format(aws_endpoint_url),
        "--enable-shield=false", "--enable-waf=false", "--enable-wafv2=false",
        "--enable-leader-election=false",
        "--feature-gates", FEATURE_GATES,
        "--metrics-bind-addr", "127.0.0.1:{0}".format(free_port()),
        "--health-probe-bind-addr", "127.0.0.1:{0}".format(health_port),
        "--webhook-bind-port", str(free_port()),
        "--webhook-cert-dir", str(cert_dir),
    ]


def _healthy(health_port):
    try:
        with socket.create_connection(("127.0.0.1", health_port), timeout=1) as connection:
            connection.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            return connection.recv(64).split(b" ", 2)[1:2] == [b"200"]
    except (OSError, IndexError):
        return False


def start(paths, bin_dir, aws_endpoint_url, region, vpc_id, cluster_name):
    """Start the controller detached (``down`` stops it: its command line names the state folder); return its PID
    once its health probe answers, or raise with the end of its log."""
    cert_dir = paths.home / "lb-controller-webhook"
    write_webhook_certificate(cert_dir)
    health_port = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true")
    with paths.lb_controller_log.open("a") as log:
        process = subprocess.Popen(command(bin_dir / BINARY, paths.kubeconfig, aws_endpoint_url, region, vpc_id, cluster_name,
                                           cert_dir, health_port),
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    paths.lb_controller_pid.write_text(str(process.pid))
    deadline = time.monotonic() + START_SECONDS
    while not _healthy(health_port):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = paths.lb_controller_log.read_text(errors="replace").strip().splitlines()[-10:]
            raise SandboxError("the AWS Load Balancer Controller did not start (see {0}):\n{1}".format(
                paths.lb_controller_log, "\n".join(tail)))
        time.sleep(0.2)
    return process.pid
