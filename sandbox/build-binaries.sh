#!/usr/bin/env bash
# Build one set of the sandbox's binaries from Go modules into a cache outside the repository:
#   control-plane (default): kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok, kwokctl
#   lb-controller: the AWS Load Balancer Controller
#   argocd: Argo CD (one binary, ARGOCD_BINARY_NAME picks the component), its in-memory Redis, kustomize, and the two
#           scripts of Argo CD's hack/ that the repo-server runs for every git command
# Each set has its own cache key, so a version bump of one rebuilds only that set. A cache hit builds nothing; a
# failed build leaves the previous cached binaries untouched (it builds into a temporary folder and renames).
# The last line of the output is the set's folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

binary_set=${1:-control-plane}
case "$binary_set" in
  control-plane)
    key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
    wanted=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl) ;;
  lb-controller)
    key="aws-load-balancer-controller-${AWS_LOAD_BALANCER_CONTROLLER_VERSION}"
    wanted=(aws-load-balancer-controller) ;;
  argocd)
    key="argocd-${ARGOCD_VERSION}_kustomize-${KUSTOMIZE_VERSION}"
    wanted=(argocd miniredis kustomize git-verify-wrapper.sh git-ask-pass.sh) ;;
  *)
    echo "usage: build-binaries.sh [control-plane|lb-controller|argocd]" >&2
    exit 2 ;;
esac
cache_root=${ECOECO_SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecoeco-bluegreen}
out="$cache_root/bin/$key"

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

build_control_plane() {
  echo "sandbox: building Kubernetes v$KUBERNETES_VERSION, etcd v$ETCD_VERSION, kwok v$KWOK_VERSION (cold build, ~15-25 min on 2 cores)" >&2
  local version_ldflags="" p
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
  local kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=v$KUBERNETES_VERSION"
  (cd "$here/gobuild/kwok" && go build -trimpath -ldflags "$kwok_ldflags" -o "$staging/" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
}

build_lb_controller() {
  echo "sandbox: building the AWS Load Balancer Controller v$AWS_LOAD_BALANCER_CONTROLLER_VERSION (cold build, ~4-6 min on 2 cores)" >&2
  local module=sigs.k8s.io/aws-load-balancer-controller/v3
  (cd "$here/gobuild/aws-load-balancer-controller" && go build -trimpath \
    -ldflags "-s -w -X $module/pkg/version.GitVersion=v$AWS_LOAD_BALANCER_CONTROLLER_VERSION" \
    -o "$staging/aws-load-balancer-controller" "$module")
}

build_argocd() {
  echo "sandbox: building Argo CD v$ARGOCD_VERSION and kustomize v$KUSTOMIZE_VERSION (cold build, ~6-8 min on 2 cores)" >&2
  local module=github.com/argoproj/argo-cd/v3
  # Argo CD v3.6 declares Go 1.27: the go command fetches that toolchain from the module proxy, for this build only.
  (cd "$here/gobuild/argo-cd" && GOTOOLCHAIN=go$ARGOCD_GO_VERSION go build -trimpath \
    -ldflags "-s -w -X $module/common.version=$ARGOCD_VERSION" -o "$staging/argocd" "$module/cmd" &&
    GOTOOLCHAIN=go$ARGOCD_GO_VERSION go build -trimpath -ldflags "-s -w" -o "$staging/miniredis" ./miniredis &&
    cp "$(GOTOOLCHAIN=go$ARGOCD_GO_VERSION go list -m -f '{{.Dir}}' "$module")"/hack/{git-verify-wrapper.sh,git-ask-pass.sh} "$staging/" &&
    chmod 0755 "$staging"/git-*.sh)
  (cd "$here/gobuild/kustomize" && go build -trimpath -ldflags "-s -w" -o "$staging/kustomize" sigs.k8s.io/kustomize/kustomize/v5)
}

case "$binary_set" in
  control-plane) build_control_plane ;;
  lb-controller) build_lb_controller ;;
  argocd) build_argocd ;;
esac

rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$staging" "$out"
trap - EXIT
echo "sandbox: $binary_set binaries built in $(( $(date +%s) - start )) s" >&2
echo "$out"
