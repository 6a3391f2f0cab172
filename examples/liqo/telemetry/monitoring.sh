#!/bin/sh
# Telemetry for the gma examples, installed in the cloud cluster from the cloud master:
#   Prometheus (kube-prometheus-stack)  NodePort 30000
#   Grafana (admin:prom-operator)       NodePort 30001, with the gma dashboards preloaded
#   Jaeger (UI under /jaeger)           NodePort 30002
#   Kiali                               NodePort 30003
# Needs kubectl (current context = the cloud cluster) and helm 3. Run from this directory:
#   cd examples/liqo/telemetry && sh monitoring.sh && cd ../../..
# Re-running it upgrades the releases and re-applies the manifests.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

# helm warns about kubeconfig files that others can read.
chmod -R go-r "${HOME}/.kube" 2>/dev/null || true

kubectl create namespace monitoring --dry-run=client -o yaml | kubectl apply -f -

helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update
helm repo add kiali https://kiali.org/helm-charts --force-update
helm repo update

# Release "prometheus": Prometheus is the Service prometheus-kube-prometheus-prometheus.monitoring:9090,
# Grafana prometheus-grafana.monitoring:80. podMonitorSelector/serviceMonitorSelector pick up objects
# labelled release: prometheus, such as those of istio-prometheus-operator.yaml.
helm upgrade --install prometheus prometheus-community/kube-prometheus-stack \
    --namespace monitoring --wait --timeout 10m

kubectl apply -f "${here}/prometheus-nodeport.yaml"
kubectl apply -f "${here}/grafana-nodeport.yaml"

# Envoy (istio-proxy) and istiod scrape jobs: gma's Istio queries read these series.
kubectl apply -f "${here}/istio-prometheus-operator.yaml"

# The gma dashboard, loaded by Grafana's dashboard sidecar (label grafana_dashboard=1).
kubectl create configmap gma-edge-computing-liqo --namespace monitoring \
    --from-file=edge-computing-liqo.json="${here}/../grafana/edge-computing-liqo.json" \
    --dry-run=client -o yaml | kubectl apply -f -
kubectl label configmap gma-edge-computing-liqo --namespace monitoring grafana_dashboard=1 --overwrite
# Its variant for several edges, with one row per edge (docs/two-edges.md); with one edge it shows one row.
kubectl create configmap gma-edge-computing-liqo-two-edges --namespace monitoring \
    --from-file=edge-computing-liqo-two-edges.json="${here}/../grafana/edge-computing-liqo-two-edges.json" \
    --dry-run=client -o yaml | kubectl apply -f -
kubectl label configmap gma-edge-computing-liqo-two-edges --namespace monitoring grafana_dashboard=1 --overwrite

# Jaeger in istio-system (istiod was installed with global.proxy.tracer=zipkin; the zipkin Service takes
# the spans).
kubectl apply -f "${here}/jaeger.yaml"
kubectl apply -f "${here}/jaeger-nodeport.yaml"

helm upgrade --install kiali-server kiali/kiali-server \
    --namespace istio-system -f "${here}/kiali-values.yaml" --wait --timeout 10m
kubectl apply -f "${here}/kiali-nodeport.yaml"

echo "Prometheus :30000  Grafana :30001 (admin:prom-operator)  Jaeger :30002/jaeger  Kiali :30003"
