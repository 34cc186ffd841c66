"""The local rehearsal cluster of ecoeco.bluegreen: a real Kubernetes control plane (kwok nodes),
stand-in apps answering HTTP on pod IPs, a moto ALB kept in step by the real AWS Load Balancer
Controller (its health checks and data plane modelled here), and the Argo CD CRDs, all on 127.0.0.1."""
