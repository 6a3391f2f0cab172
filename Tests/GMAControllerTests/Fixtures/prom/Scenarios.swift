import Foundation

/// The apps the Prometheus tests backfill. Every number the tests assert is derived by hand from here.
enum Scenarios {
    /// Last sample of the backfill: 2026-01-01T00:00:00Z. Queries use this instant (or a bit before).
    static let end = 1_767_225_600
    static var endDate: Date { Date(timeIntervalSince1970: TimeInterval(end)) }

    /// All scenarios in one file: they live in different namespaces, so one Prometheus serves a test.
    static func openMetrics() -> String {
        var w = OpenMetricsWriter(end: end)
        threeServices.write(into: &w)
        tenServices.write(into: &w)
        quiet.write(into: &w)
        return w.render()
    }

    /// Liqo layout: one Prometheus, no `cluster` label, areas told apart by workload names
    /// (`<svc>-cloud`, `<svc>-edge1`). s1 calls itself.
    ///
    /// λ: s0 10, s1 5 + 1.25 = 6.25, s2 2.5 + 2.5 = 5.
    /// Fm: user→s0 1, s0→s1 0.5, s0→s2 0.25, s1→s1 0.2, s1→s2 0.4.
    /// Delay user→s0: 45 ms mean, p90 75 ms (rank 9 of 10 in (50, 100], 8 below, 2 inside).
    static let threeServices = MeshScenario(
        appNamespace: "app3",
        calls: [
            .init(from: "user", to: "s0", rate: 10),
            // Failed requests never count.
            .init(from: "user", to: "s0", rate: 0.5, responseCode: "500"),
            .init(from: "s0", to: "s1", rate: 5),
            .init(from: "s0", to: "s2", rate: 2.5),
            .init(from: "s1", to: "s1", rate: 1.25),
            .init(from: "s1", to: "s2", rate: 2.5),
        ],
        delays: [
            .init(to: "s0", cumulative: [2, 5, 8, 10, 10, 10, 10], sumRate: 450),
            .init(to: "s0", cumulative: [0, 0, 0, 0, 0, 0, 0.5], sumRate: 400, responseCode: "500"),
        ],
        responseBytes: ["s0": 2000, "s1": 500, "s2": 1500],
        pods: [
            .init(area: .cloud, name: "s0-cloud-7c9d8f-abcde", container: "s0", cpu: 0.25, memory: 100e6),
            .init(area: .cloud, name: "s0-cloud-7c9d8f-abcde", container: "istio-proxy", cpu: 0.125, memory: 50e6),
            .init(area: .cloud, name: "s0-cloud-7c9d8f-fghij", container: "s0", cpu: 0.5, memory: 150e6),
            // Another Deployment whose name starts like s0's: an unanchored `s0-cloud-.*` would take it.
            .init(area: .cloud, name: "s0-cloud-extra-6f7b8c-xyz12", container: "extra", cpu: 3, memory: 1e9),
            .init(area: .cloud, name: "s1-cloud-5b6c7d-kmnpq", container: "s1", cpu: 0.125, memory: 64e6),
            .init(area: .cloud, name: "s2-cloud-8d9f7b-rstvw", container: "s2", cpu: 1, memory: 200e6),
            .init(area: .edge, name: "s0-edge1-55f6c7-bcdfg", container: "s0", cpu: 0.5, memory: 120e6),
            // The same pod name in another namespace is another pod.
            .init(area: .edge, name: "s0-edge1-55f6c7-bcdfg", container: "s0", cpu: 2, memory: 2e9, namespace: "elsewhere"),
        ])

    /// Two clusters labelled `cloud` and `edge1`, workloads named like the services in both. Names that
    /// prefix each other (cart, cartservice, cart-redis). A self-call (catalog) and a cycle
    /// (checkout ⇄ payment). The ingress calls two services with different delay profiles. A second edge's
    /// gateway shares the ingress namespace and is told apart by its pod IP.
    ///
    /// λ: frontend 6 + 2 (other edge) = 8, cart 2 + 4 = 6, cartservice 3, catalog 16 + 4 = 20, currency 4,
    ///    checkout 1 + 0.5 = 1.5, payment 1, email 1, shipping 0.75, ad 2 + 1 (unknown caller) = 3.
    /// λ_user = 6 + 2 = 8 (this edge only).
    /// Fm: user→frontend 0.75, user→cart 0.25; frontend→catalog 2, →currency 0.5, →cart 0.5, →ad 0.25,
    ///     →checkout 0.125; cart→cartservice 0.5; catalog→catalog 0.2; checkout→payment 2/3, →email 2/3,
    ///     →shipping 0.5; payment→checkout 0.5.
    /// Delay: mean (6·30 + 2·400)/8 = 122.5 ms. p90 over the summed buckets: rank 7.2 of 8 falls in
    /// (250, 500] with 7 below and 1 inside → 300 ms. (The reference's weighted mean of per-destination
    /// quantiles would give (6·45 + 2·450)/8 = 146.25 ms, docs/differences.md D19.)
    static let tenServices = MeshScenario(
        appNamespace: "shop",
        cloudCluster: "cloud",
        edgeCluster: "edge1",
        calls: [
            .init(from: "user", to: "frontend", rate: 4, calleeArea: .cloud),
            .init(from: "user", to: "frontend", rate: 2, calleeArea: .edge),
            .init(from: "user", to: "cart", rate: 2),
            // The other edge's gateway: same app label and namespace, another pod CIDR.
            .init(from: "user", to: "frontend", rate: 2, ingressInstance: "10.99.0.3:15020"),
            .init(from: "frontend", to: "catalog", rate: 10, calleeArea: .cloud),
            .init(from: "frontend", to: "catalog", rate: 6, calleeArea: .edge),
            .init(from: "frontend", to: "currency", rate: 4),
            .init(from: "frontend", to: "cart", rate: 4),
            .init(from: "frontend", to: "ad", rate: 2),
            .init(from: "frontend", to: "checkout", rate: 1),
            .init(from: "cart", to: "cartservice", rate: 3),
            .init(from: "catalog", to: "catalog", rate: 4, calleeArea: .edge),
            .init(from: "checkout", to: "payment", rate: 1),
            .init(from: "payment", to: "checkout", rate: 0.5),
            .init(from: "checkout", to: "email", rate: 1),
            .init(from: "checkout", to: "shipping", rate: 0.75),
            .init(from: "unknown", to: "ad", rate: 1),
        ],
        delays: [
            .init(to: "frontend", cumulative: [0, 3, 6, 6, 6, 6, 6], sumRate: 180),
            .init(to: "cart", cumulative: [0, 0, 0, 0, 1, 2, 2], sumRate: 800),
            .init(to: "frontend", cumulative: [0, 0, 0, 0, 0, 0, 2], sumRate: 1800, ingressInstance: "10.99.0.3:15020"),
        ],
        responseBytes: [
            "frontend": 8000, "cart": 300, "cartservice": 100, "catalog": 1200, "currency": 50, "checkout": 700,
            "payment": 80, "email": 40, "shipping": 60, "ad": 400,
        ],
        pods: [
            .init(area: .cloud, name: "frontend-6d7f8c-a1b2c", container: "server", cpu: 0.5, memory: 64e6),
            .init(area: .cloud, name: "frontend-6d7f8c-d3e4f", container: "server", cpu: 0.5, memory: 64e6),
            .init(area: .cloud, name: "frontend-6d7f8c-d3e4f", container: "istio-proxy", cpu: 0.25, memory: 40e6),
            .init(area: .cloud, name: "cart-7b8c9d-g5h6j", container: "server", cpu: 0.25, memory: 32e6),
            .init(area: .cloud, name: "cart-redis-5c6d7f-k7m8n", container: "redis", cpu: 0.875, memory: 256e6),
            .init(area: .cloud, name: "cartservice-0", container: "server", cpu: 0.375, memory: 48e6),
            .init(area: .cloud, name: "cartservice-1", container: "server", cpu: 0.375, memory: 48e6),
            .init(area: .cloud, name: "catalog-4f5g6h-n8p9q", container: "server", cpu: 1.5, memory: 128e6),
            .init(area: .cloud, name: "currency-3d4f5g-r2s3t", container: "server", cpu: 0.0625, memory: 16e6),
            .init(area: .cloud, name: "checkout-2c3d4f-v4w5x", container: "server", cpu: 0.125, memory: 24e6),
            .init(area: .cloud, name: "payment-9b8c7d-z6b7c", container: "server", cpu: 0.03125, memory: 8e6),
            .init(area: .cloud, name: "email-8g7h6j-d8f9g", container: "server", cpu: 0.03125, memory: 8e6),
            .init(area: .cloud, name: "shipping-7k6m5n-h2j3k", container: "server", cpu: 0.03125, memory: 8e6),
            .init(area: .cloud, name: "ad-6p5q4r-m4n5p", container: "server", cpu: 0.25, memory: 96e6),
            .init(area: .edge, name: "frontend-8f9g7h-p9q2r", container: "server", cpu: 0.25, memory: 60e6),
            .init(area: .edge, name: "catalog-5g6h7j-s6t7v", container: "server", cpu: 0.75, memory: 100e6),
        ])

    /// Series exist but nothing moves: every rate is 0, so means and quantiles are 0/0 = NaN.
    static let quiet = MeshScenario(
        appNamespace: "quiet",
        ingressNamespace: "istio-ingress-quiet",
        calls: [
            .init(from: "user", to: "q0", rate: 0),
            .init(from: "q0", to: "q1", rate: 0),
        ],
        delays: [.init(to: "q0", cumulative: [0, 0, 0, 0, 0, 0, 0], sumRate: 0)],
        responseBytes: ["q0": 100, "q1": 100],
        pods: [
            .init(area: .cloud, name: "q0-cloud-1a2b3c-d4f5g", container: "q0", cpu: 0.125, memory: 10e6),
            .init(area: .cloud, name: "q1-cloud-2b3c4d-f5g6h", container: "q1", cpu: 0.125, memory: 10e6),
        ])
}
