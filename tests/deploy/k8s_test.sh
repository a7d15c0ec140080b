#!/usr/bin/env bash
# Renders every overlay under deploy/k8s/overlays with `kubectl kustomize` (offline: no cluster
# is contacted) and checks the deployment invariants on the rendered objects with check_k8s.py,
# including a self-test that breaks each invariant and expects the check to notice.
# Usage: tests/deploy/k8s_test.sh [REPO_ROOT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "${1:-$here/../..}" && pwd)

command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null ||
  { echo "python3 cannot import yaml (Debian package python3-yaml)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No kubeconfig: rendering must not need a cluster.
export KUBECONFIG=$work/no-kubeconfig

# Render from a copy of deploy/, so the dev overlay's generated secrets are written there and
# never into the source tree; secrets a developer generated locally are not reused.
cp -r "$repo/deploy" "$work/deploy"
rm -rf "$work"/deploy/k8s/overlays/*/secrets
bash "$work/deploy/k8s/overlays/dev/make-dev-secrets.sh" >/dev/null

# What each overlay must additionally satisfy; an overlay not listed gets the common checks.
expectations() {
  case $1 in
    dev) echo "--expect-auth" ;;
    prod) echo "--expect-auth --expect-tls --min-exporter-replicas 2 --min-gateway-replicas 2" \
      "--no-rendered-secrets" ;;
    *) echo "" ;;
  esac
}

failed=0
overlays=0
for dir in "$work"/deploy/k8s/overlays/*/; do
  overlay=$(basename "$dir")
  overlays=$((overlays + 1))
  rendered=$work/$overlay.yaml
  if ! kubectl kustomize "$dir" >"$rendered" 2>"$work/$overlay.err"; then
    echo "$overlay: kubectl kustomize failed:" >&2
    cat "$work/$overlay.err" >&2
    failed=1
    continue
  fi
  # shellcheck disable=SC2046
  if ! python3 "$here/check_k8s.py" --repo "$repo" --overlay "$overlay" --rendered "$rendered" \
    --self-test $(expectations "$overlay"); then
    failed=1
  fi
  # The scrape configuration must be one Prometheus accepts.
  if command -v promtool >/dev/null; then
    python3 - "$rendered" "$work/$overlay-prometheus.yml" <<'EOF'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "ConfigMap" and "prometheus.yml" in (doc.get("data") or {}):
        open(sys.argv[2], "w").write(doc["data"]["prometheus.yml"])
EOF
    if [ ! -s "$work/$overlay-prometheus.yml" ]; then
      echo "$overlay: no prometheus.yml ConfigMap rendered" >&2
      failed=1
    elif ! promtool check config --syntax-only "$work/$overlay-prometheus.yml" >/dev/null; then
      echo "$overlay: promtool rejects the scrape configuration" >&2
      failed=1
    fi
  fi
done
[ "$overlays" -ge 2 ] || { echo "expected the dev and prod overlays" >&2; failed=1; }

if command -v shellcheck >/dev/null; then
  shellcheck "$repo/deploy/k8s/overlays/dev/make-dev-secrets.sh" "$here/k8s_test.sh" \
    "$here/dockerfile_test.sh" || failed=1
fi

[ "$failed" -eq 0 ] && echo "k8s: every overlay renders and satisfies the invariants"
exit "$failed"
