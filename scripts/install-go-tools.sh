#!/usr/bin/env bash
# Builds the Go tools the chart test uses (helm, kubeconform) from their Go
# modules into ${FANOUT_CACHE_DIR:-~/.cache/fanout}/bin, and fetches the Go
# module whose swagger.json the test turns into Kubernetes JSON schemas.
# Idempotent: a tool already built at the pinned version is not rebuilt (a
# first build takes a few minutes, later runs a second).
set -euo pipefail

tools=(
  helm.sh/helm/v3/cmd/helm@v3.19.0
  github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0
)
openapi_module=k8s.io/cli-runtime@v0.34.0

if ! command -v go >/dev/null 2>&1; then
  echo "go-tools: no Go toolchain (Go 1.24+ needed): test/helm-chart.test.ts will be skipped"
  exit 0
fi
bin="${FANOUT_CACHE_DIR:-$HOME/.cache/fanout}/bin"
mkdir -p "$bin"
for tool in "${tools[@]}"; do
  name=$(basename "${tool%@*}")
  stamp="$bin/.$name.version"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$tool" ]]; then
    continue
  fi
  echo "go-tools: building $tool into $bin"
  (cd "$bin" && GOBIN="$bin" GOFLAGS=-buildvcs=false go install "$tool")
  echo "$tool" >"$stamp"
done
(cd "$bin" && go mod download "$openapi_module")
echo "go-tools: helm, kubeconform and $openapi_module ready in $bin"
