#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok and kwokctl
# from Go modules into a cache outside the repository. A cache hit builds nothing; a failed build
# leaves the previous cached binaries untouched (it builds into a temporary folder and renames).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
cache_root=${ECOECO_SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecoeco-bluegreen}
out="$cache_root/bin/$key"
wanted=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl)

complete=yes
for b in "${wanted[@]}"; do [ -x "$out/$b" ] || complete=no; done
if [ "$complete" = yes ]; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "sandbox: Go is not installed; the rehearsal cluster is built from Go modules (Go >= 1.26 needed)." >&2
  exit 3
fi

staging=$(mktemp -d "$cache_root/building.XXXXXX" 2>/dev/null || { mkdir -p "$cache_root"; mktemp -d "$cache_root/building.XXXXXX"; })
trap 'rm -rf "$staging"' EXIT
start=$(date +%s)

echo "sandbox: building Kubernetes v$KUBERNETES_VERSION, etcd v$ETCD_VERSION, kwok v$KWOK_VERSION (cold build, ~15-25 min on 2 cores)" >&2
version_ldflags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_ldflags+=" -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=1"
  version_ldflags+=" -X $p.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  version_ldflags+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.gitTreeState=clean"
  version_ldflags+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done

echo "sandbox: [1/3] kubernetes control plane and kubectl" >&2
(cd "$here/gobuild/kubernetes" && go build -trimpath -tags=selinux,notest,grpcnotrace \
  -ldflags "-s -w $version_ldflags" -o "$staging/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)

echo "sandbox: [2/3] etcd" >&2
(cd "$here/gobuild/etcd" && go build -trimpath -ldflags "-s -w" -o "$staging/etcd" go.etcd.io/etcd/server/v3)

echo "sandbox: [3/3] kwok and kwokctl" >&2
kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=v$KUBERNETES_VERSION"
(cd "$here/gobuild/kwok" && go build -trimpath -ldflags "$kwok_ldflags" -o "$staging/" \
  sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)

rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$staging" "$out"
trap - EXIT
echo "sandbox: binaries built in $(( $(date +%s) - start )) s" >&2
echo "$out"
