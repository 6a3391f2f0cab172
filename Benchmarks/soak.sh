#!/usr/bin/env bash
# Soak benchmark: `gma run --dry-run` with a 1 s sync period against a real (empty) Prometheus and real
# kubectl talking to the fake Kubernetes API of the tests, for CYCLES cycles. Every cycle runs kubectl
# (HPAs, edge set) and all telemetry queries, then logs one "no decision … edge user delay unknown" line
# (the empty Prometheus leaves the delay unknown): those lines count the cycles, so a cycle that failed
# earlier (kubectl) is not counted. Samples the process's RSS and thread count
# every SAMPLE_EVERY seconds and reports the growth after the first WARMUP cycles. A cycle takes longer
# than 1 s when kubectl is slow (a loaded machine): the run is as long as CYCLES cycles need.
# Goal (docs/reliability.md, "Bounds"): RSS growth after cycle 100 at most 1 MB, thread count not growing.
#
# usage: Benchmarks/soak.sh [CYCLES] [GMA_BINARY]      (defaults: 1000, .build/release/gma)
#   env: WARMUP (100), SAMPLE_EVERY (10), SOAK_DIR (a fresh temporary directory), KUBECTL (kubectl on PATH)
set -euo pipefail

cycles=${1:-1000}
repo=$(cd "$(dirname "$0")/.." && pwd)
gma=${2:-$repo/.build/release/gma}
warmup=${WARMUP:-100}
sample_every=${SAMPLE_EVERY:-10}
work=${SOAK_DIR:-$(mktemp -d /tmp/gma-soak.XXXXXX)}
kubectl=${KUBECTL:-$(command -v kubectl)}
prometheus=$(command -v prometheus)
fixtures=$repo/Tests/GMAControllerTests/Fixtures
mkdir -p "$work"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The fake API server exits when its standard input closes: a FIFO held open by this script.
mkfifo "$work/kube.stdin"
python3 "$fixtures/kube/fake_kube_api.py" --port 0 --exit-on-stdin-eof <"$work/kube.stdin" >"$work/kube.out" 2>/dev/null &
pids+=($!)
exec 3>"$work/kube.stdin"
for _ in $(seq 100); do grep -q '^listening ' "$work/kube.out" 2>/dev/null && break; sleep 0.1; done
kube_port=$(sed -n 's/^listening //p' "$work/kube.out")
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: {server: "http://127.0.0.1:$kube_port"}
users:
  - name: tester
    user: {token: fake-token}
contexts:
  - name: fake-cloud
    context: {cluster: fake, user: tester}
  - name: fake-edge
    context: {cluster: fake, user: tester}
current-context: fake-cloud
EOF

prom_port=$(free_port)
printf 'global: {scrape_interval: 15s}\nscrape_configs: []\n' >"$work/prometheus.yml"
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break; sleep 0.2; done

cp -r "$fixtures/app3" "$work/app3"
config=$work/app3/GMAConfig.yaml
sed -i -e "s|sync-period: 30s|sync-period: 1s|" \
    -e "s|prometheus-url: .*|prometheus-url: http://127.0.0.1:$prom_port|" \
    -e "s|^spec:|spec:\n  kube:\n    kubeconfig: $work/kubeconfig\n    timeout: 30s\n    kubectl: $kubectl|" "$config"
for file in frontend-cloud cart-cloud cart-cloud-hpa catalog-cloud; do
    "$kubectl" --kubeconfig "$work/kubeconfig" --context fake-cloud --cache-dir "$work/kube-cache" \
        apply -n fluidosmesh -f "$work/app3/manifests/$file.yaml" >/dev/null
done

"$gma" run --config "$config" --dry-run --metrics-address off >"$work/gma.log" 2>&1 &
gma_pid=$!
pids+=($gma_pid)

status_field() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$gma_pid/status"; }
echo "seconds,cycles,rss_kb,threads" >"$work/samples.csv"
start=$(date +%s)
echo "soak: $cycles cycles at a 1 s sync period, gma pid $gma_pid, work directory $work" >&2
while :; do
    elapsed=$(($(date +%s) - start))
    kill -0 "$gma_pid" 2>/dev/null || { echo "soak: gma exited early; see $work/gma.log" >&2; exit 1; }
    done_cycles=$(grep -c 'no decision in .*: edge user delay unknown' "$work/gma.log" || true)
    echo "$elapsed,$done_cycles,$(status_field VmRSS),$(status_field Threads)" >>"$work/samples.csv"
    [ "$done_cycles" -ge "$cycles" ] && break
    sleep "$sample_every"
done
kill -TERM "$gma_pid"
wait "$gma_pid" || true

# The first sample at or after `warmup` cycles is the baseline.
awk -F, -v warmup="$warmup" '
    NR == 1 { next }
    $2 >= warmup && base == "" { base = $3; basecycle = $2; tmin = $4; tmax = $4 }
    base != "" { last = $3; cycles = $2; seconds = $1; if ($4 < tmin) tmin = $4; if ($4 > tmax) tmax = $4; if ($3 > peak) peak = $3 }
    END {
        printf "%d cycles in %d s; RSS at cycle %d: %.1f MiB; at the end: %.1f MiB (peak %.1f MiB); growth after cycle %d: %+.2f MiB\n",
            cycles, seconds, basecycle, base / 1024, last / 1024, peak / 1024, basecycle, (last - base) / 1024
        printf "threads after cycle %d: min %d, max %d\n", basecycle, tmin, tmax
    }' "$work/samples.csv"
echo "samples: $work/samples.csv; gma log: $work/gma.log" >&2
