import Foundation

/// An app as Istio and cAdvisor would report it: calls between workloads at constant rates, the edge
/// ingress' delay histograms, and pods with constant CPU and memory. `write(into:)` emits the series;
/// the tests state the expected telemetry by hand, from the same numbers.
struct MeshScenario {
    /// Where a series was scraped. nil cluster value: the series has no `cluster` label (Liqo layout).
    enum Area { case cloud, edge }

    struct Call {
        var from: String  // a service, "user" for this edge's ingress, or any other source_app
        var to: String
        var rate: Double
        /// Cluster of the callee's pod, which reports reporter=destination.
        var calleeArea: Area = .cloud
        var responseCode = "200"
        /// For a call from an ingress: its pod's `instance` (defaults to this edge's).
        var ingressInstance: String? = nil
    }

    /// User delay as the ingress sees it, per destination.
    struct DelayHistogram {
        var to: String
        var cumulative: [Double]  // rates per `bounds`
        var sumRate: Double  // milliseconds per second
        var responseCode = "200"
        var ingressInstance: String? = nil
    }

    struct Pod {
        var area: Area
        var name: String
        var container: String
        var cpu: Double
        var memory: Double
        var namespace: String? = nil
    }

    static let bounds: [Double] = [10, 25, 50, 100, 250, 500, 1000]

    var appNamespace: String
    var ingressNamespace = "istio-ingress-edge1"
    var ingressApp = "istio-ingressgateway"
    var ingressInstance = "10.236.0.5:15020"
    /// Values of the `cluster` label; nil: no such label.
    var cloudCluster: String?
    var edgeCluster: String?
    var calls: [Call] = []
    var delays: [DelayHistogram] = []
    /// Bytes of one successful response, per service.
    var responseBytes: [String: Double] = [:]
    var pods: [Pod] = []

    func write(into w: inout OpenMetricsWriter) {
        func cluster(_ area: Area) -> [String: String] {
            let value = area == .cloud ? cloudCluster : edgeCluster
            return value.map { ["cluster": $0] } ?? [:]
        }
        for call in calls {
            let source = call.from == "user" ? ingressApp : call.from
            var base = ["source_app": source, "destination_app": call.to, "response_code": call.responseCode]
            base["destination_service_namespace"] = appNamespace
            if call.from == "user" || call.ingressInstance != nil {
                // The gateway's own view: reporter=source, scraped in the edge cluster from the gateway pod.
                var labels = base.merging(cluster(.edge)) { $1 }
                labels["reporter"] = "source"
                labels["namespace"] = ingressNamespace
                labels["instance"] = call.ingressInstance ?? ingressInstance
                w.counter("istio_requests", labels, rate: call.rate)
            }
            var labels = base.merging(cluster(call.calleeArea)) { $1 }
            labels["reporter"] = "destination"
            labels["namespace"] = appNamespace
            labels["instance"] = call.calleeArea == .cloud ? "10.234.1.10:15020" : "10.236.1.10:15020"
            w.counter("istio_requests", labels, rate: call.rate)
            if call.responseCode == "200", let size = responseBytes[call.to] {
                let bounds: [Double] = [100, 1000, 10000, 1e9]
                w.histogram(
                    "istio_response_bytes", labels, bounds: bounds,
                    cumulative: bounds.map { size <= $0 ? call.rate : 0 }, sumRate: call.rate * size)
            }
        }
        for delay in delays {
            var labels = [
                "source_app": ingressApp, "destination_app": delay.to, "response_code": delay.responseCode,
                "reporter": "source", "namespace": ingressNamespace, "instance": delay.ingressInstance ?? ingressInstance,
            ]
            labels.merge(cluster(.edge)) { $1 }
            w.histogram(
                "istio_request_duration_milliseconds", labels, bounds: Self.bounds, cumulative: delay.cumulative,
                sumRate: delay.sumRate)
        }
        for pod in pods {
            var labels = ["namespace": pod.namespace ?? appNamespace, "pod": pod.name, "container": pod.container]
            labels.merge(cluster(pod.area)) { $1 }
            w.counter("container_cpu_usage_seconds", labels, rate: pod.cpu)
            w.gauge("container_memory_usage_bytes", labels, value: pod.memory)
        }
    }
}
