"""The real AWS Load Balancer Controller, run as a local process against the sandbox's moto and API server.

It is the production controller built from its Go module (``build-binaries.sh lb-controller``); only its
surroundings are the sandbox's: AWS endpoints on loopback (``--aws-api-endpoints``, keyed by the SDK's
service IDs, case sensitive), the region and VPC given so that it asks no instance metadata, and no
Shield/WAF or Gateway API. Its validating webhook server cannot be turned off and binds every interface
(nothing registers it): it gets a free port and a throw-away self-signed certificate.
"""

import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ecoeco_sandbox import local_process

BINARY = "aws-load-balancer-controller"
FEATURE_GATES = "EnableServiceController=false,NLBGatewayAPI=false,ALBGatewayAPI=false"
START_SECONDS = 60


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
        "--metrics-bind-addr", "127.0.0.1:{0}".format(local_process.free_port()),
        "--health-probe-bind-addr", "127.0.0.1:{0}".format(health_port),
        "--webhook-bind-port", str(local_process.free_port()),
        "--webhook-cert-dir", str(cert_dir),
    ]


def start(paths, bin_dir, aws_endpoint_url, region, vpc_id, cluster_name):
    """Start the controller detached (``down`` stops it: its command line names the state folder); return its PID
    once its health probe answers, or raise with the end of its log."""
    cert_dir = paths.home / "lb-controller-webhook"
    write_webhook_certificate(cert_dir)
    health_port = local_process.free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true")
    process = local_process.start(command(bin_dir / BINARY, paths.kubeconfig, aws_endpoint_url, region, vpc_id, cluster_name,
                                          cert_dir, health_port), env, paths.lb_controller_log, paths.lb_controller_pid)
    local_process.wait_until_ready(process, lambda: local_process.answers_ok(health_port), "the AWS Load Balancer Controller",
                                   paths.lb_controller_log, START_SECONDS)
    return process.pid
