import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl
@testable import GMATelemetry

/// Relative comparison: Prometheus returns the fixture's numbers up to floating-point rounding.
func same(_ a: Double?, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * max(1, abs(b))
}

enum TelemetryTestSettings {
    static let ingress = PrometheusTelemetrySettings.Ingress(
        sourceApp: "istio-ingressgateway", namespace: "istio-ingress-edge1", instanceRegex: "10\\.236\\..*")

    static func connection(_ url: URL) -> PrometheusConnection {
        PrometheusConnection(baseURL: url, requestTimeoutSeconds: 10, maxAttempts: 2, retryBackoffSeconds: 0.05)
    }

    /// Liqo naming: `<svc>-cloud` and `<svc>-edge1`, no cluster label.
    static func threeServices(_ url: URL) -> PrometheusTelemetrySettings {
        PrometheusTelemetrySettings(
            connection: connection(url), appNamespace: "app3",
            services: ["s0", "s1", "s2"].map {
                .init(name: $0, cloudWorkload: .init(name: "\($0)-cloud"), edgeWorkload: .init(name: "\($0)-edge1"))
            },
            clusterLabel: "cluster", clusters: .init(cloud: "", edge: ""), ingress: ingress)
    }

    static let tenNames = [
        "frontend", "cart", "cartservice", "catalog", "currency", "checkout", "payment", "email", "shipping", "ad",
    ]

    static func tenServices(_ url: URL) -> PrometheusTelemetrySettings {
        PrometheusTelemetrySettings(
            connection: connection(url), appNamespace: "shop",
            services: tenNames.map { name in
                let kind: PrometheusTelemetrySettings.Workload.Kind = name == "cartservice" ? .statefulSet : .deployment
                return .init(name: name, cloudWorkload: .init(name: name, kind: kind), edgeWorkload: .init(name: name, kind: kind))
            },
            clusterLabel: "cluster", clusters: .init(cloud: "cloud", edge: "edge1"), ingress: ingress)
    }

    static func quiet(_ url: URL) -> PrometheusTelemetrySettings {
        PrometheusTelemetrySettings(
            connection: connection(url), appNamespace: "quiet",
            services: ["q0", "q1"].map {
                .init(name: $0, cloudWorkload: .init(name: "\($0)-cloud"), edgeWorkload: .init(name: "\($0)-edge1"))
            },
            clusters: .init(cloud: "", edge: ""),
            ingress: .init(sourceApp: "istio-ingressgateway", namespace: "istio-ingress-quiet"))
    }
}

@Suite("Telemetry against a real Prometheus")
struct TelemetryPrometheusTests {
    @Test("3 services, Liqo layout, self-call: every signal as encoded")
    func threeServices() async throws {
        try await PrometheusFixture.with(openMetrics: Scenarios.openMetrics()) { url in
            let telemetry = try PrometheusTelemetry(settings: TelemetryTestSettings.threeServices(url))
            let s = try await telemetry.snapshot(at: Scenarios.endDate)

            #expect(s.isDelayKnown && s.isDelayQuantileKnown && s.hasUserTraffic && s.isCallGraphKnown, "\(s.reasons)")
            #expect(same(s.userRequestsPerSecond, 10))
            #expect(same(s.userDelaySeconds, 0.045), "\(String(describing: s.userDelaySeconds))")
            #expect(same(s.userDelayQuantileSeconds, 0.075), "\(String(describing: s.userDelayQuantileSeconds))")

            let lambda = ["s0": 10.0, "s1": 6.25, "s2": 5]
            let bytes = ["s0": 2000.0, "s1": 500, "s2": 1500]
            for (name, value) in lambda {
                #expect(same(s.service(named: name)?.requestsPerSecond, value), "λ \(name)")
                #expect(same(s.service(named: name)?.responseBytes, bytes[name]!), "L \(name)")
            }
            let fm: [(String, String, Double)] = [
                ("user", "s0", 1), ("s0", "s1", 0.5), ("s0", "s2", 0.25), ("s1", "s1", 0.2), ("s1", "s2", 0.4),
            ]
            for (from, to, value) in fm {
                #expect(same(s.callsPerRequest(from: from, to: to), value), "Fm \(from)→\(to)")
            }
            #expect(s.callsPerRequest.count == fm.count)
            #expect(s.callsPerRequest(from: "s2", to: "s0") == 0)
            #expect(s.callsPerRequest(from: "s0", to: "s0") == 0)
            #expect(same(s.callRate(from: "s1", to: "s1"), 1.25))

            // The istio-proxy container and the s0-cloud-extra Deployment are not s0's.
            let s0 = try #require(s.service(named: "s0"))
            #expect(same(s0.cpuUsageCores.cloud, 0.75) && same(s0.memoryUsageBytes.cloud, 250e6))
            #expect(same(s0.cpuUsageCores.edge, 0.5) && same(s0.memoryUsageBytes.edge, 120e6))
            #expect(same(s.service(named: "s1")?.cpuUsageCores.cloud, 0.125))
            #expect(same(s.service(named: "s2")?.memoryUsageBytes.cloud, 200e6))
            // No pod at the edge: unknown, with a reason.
            #expect(s.service(named: "s1")?.cpuUsageCores.edge == nil)
            #expect(s.reasons.contains { $0.signal == .cpuUsage && $0.subject == "s1@edge" && $0.problem == .noSeries })
            #expect(s.reasons.allSatisfy { [.cpuUsage, .memoryUsage].contains($0.signal) }, "\(s.reasons)")

            // --at: the same instant gives the same snapshot; another instant inside the data the same rates.
            let again = try await telemetry.snapshot(at: Scenarios.endDate.addingTimeInterval(-300))
            #expect(same(again.userDelayQuantileSeconds, 0.075) && same(again.userRequestsPerSecond, 10))
        }
    }

    @Test("10 services, two clusters, self-call and cycle: every signal as encoded")
    func tenServices() async throws {
        try await PrometheusFixture.with(openMetrics: Scenarios.openMetrics()) { url in
            let telemetry = try PrometheusTelemetry(settings: TelemetryTestSettings.tenServices(url))
            let s = try await telemetry.snapshot(at: Scenarios.endDate)

            #expect(s.isCallGraphKnown, "\(s.unknownCallers) \(s.reasons)")
            // Only this edge's gateway (pod CIDR) counts for the user.
            #expect(same(s.userRequestsPerSecond, 8))
            #expect(same(s.userDelaySeconds, 0.1225), "\(String(describing: s.userDelaySeconds))")
            // Buckets summed across destinations (docs/differences.md D19), not the reference's 0.14625.
            #expect(same(s.userDelayQuantileSeconds, 0.3, tolerance: 1e-9), "\(String(describing: s.userDelayQuantileSeconds))")

            let lambda: [String: Double] = [
                "frontend": 8, "cart": 6, "cartservice": 3, "catalog": 20, "currency": 4, "checkout": 1.5, "payment": 1,
                "email": 1, "shipping": 0.75, "ad": 3,
            ]
            let bytes: [String: Double] = [
                "frontend": 8000, "cart": 300, "cartservice": 100, "catalog": 1200, "currency": 50, "checkout": 700,
                "payment": 80, "email": 40, "shipping": 60, "ad": 400,
            ]
            for name in TelemetryTestSettings.tenNames {
                #expect(same(s.service(named: name)?.requestsPerSecond, lambda[name]!), "λ \(name)")
                #expect(same(s.service(named: name)?.responseBytes, bytes[name]!), "L \(name)")
            }
            let fm: [(String, String, Double)] = [
                ("user", "frontend", 0.75), ("user", "cart", 0.25),
                ("frontend", "catalog", 2), ("frontend", "currency", 0.5), ("frontend", "cart", 0.5),
                ("frontend", "ad", 0.25), ("frontend", "checkout", 0.125), ("cart", "cartservice", 0.5),
                ("catalog", "catalog", 0.2), ("checkout", "payment", 2.0 / 3), ("checkout", "email", 2.0 / 3),
                ("checkout", "shipping", 0.5), ("payment", "checkout", 0.5),
            ]
            for (from, to, value) in fm {
                #expect(same(s.callsPerRequest(from: from, to: to), value), "Fm \(from)→\(to)")
            }
            #expect(s.callsPerRequest.count == fm.count, "\(s.callsPerRequest)")

            // Exact pod ownership: cart-redis is not cart's; cartservice is a StatefulSet; clusters split areas.
            let cpuCloud: [String: Double] = [
                "frontend": 1, "cart": 0.25, "cartservice": 0.75, "catalog": 1.5, "currency": 0.0625, "checkout": 0.125,
                "payment": 0.03125, "email": 0.03125, "shipping": 0.03125, "ad": 0.25,
            ]
            for (name, value) in cpuCloud {
                #expect(same(s.service(named: name)?.cpuUsageCores.cloud, value), "cpu \(name)")
            }
            #expect(same(s.service(named: "cart")?.memoryUsageBytes.cloud, 32e6))
            #expect(same(s.service(named: "cartservice")?.memoryUsageBytes.cloud, 96e6))
            #expect(same(s.service(named: "frontend")?.cpuUsageCores.edge, 0.25))
            #expect(same(s.service(named: "catalog")?.memoryUsageBytes.edge, 100e6))
            #expect(s.service(named: "cart")?.cpuUsageCores.edge == nil)

            // The PlacementProblem gets the measured fields; configuration-derived ones stay.
            let template = PlacementProblem(
                action: .offload,
                services: TelemetryTestSettings.tenNames.map { name in
                    Service(
                        name: name, cpuRequestCores: PerArea(cloud: 0.5, edge: 0.5),
                        memoryRequestBytes: PerArea(cloud: 1e9, edge: 1e9), cpuUsageCores: PerArea(cloud: 0, edge: 0),
                        memoryUsageBytes: PerArea(cloud: 0, edge: 0), responseBytes: 0,
                        atEdge: name == "frontend" || name == "catalog")
                },
                calls: [], userRequestsPerSecond: 0,
                network: Network(rttSeconds: 0.08, cloudToEdgeBitsPerSecond: 1e9), prices: Prices(
                    edge: AreaPrices(cpuCoreHour: 0.028, memoryGBHour: 0.014),
                    cloud: AreaPrices(cpuCoreHour: 0.0208, memoryGBHour: 0.0104), networkGB: 0.02),
                target: Target(delayReductionSeconds: 0.05))
            let problem = try s.placementProblem(from: template)
            #expect(problem.userRequestsPerSecond == s.userRequestsPerSecond)
            #expect(problem.calls.count == fm.count)
            #expect(problem.calls.contains(Call(from: "catalog", to: "catalog", perRequest: 0.2)))
            let cart = try #require(problem.services.first { $0.name == "cart" })
            #expect(cart.cpuUsageCores == PerArea(cloud: 0.25, edge: 0) && cart.responseBytes == 300)
            #expect(cart.cpuRequestCores == PerArea(cloud: 0.5, edge: 0.5))

            // If cart were at the edge, its unknown edge usage would block the problem.
            var atEdge = template
            atEdge.services[1].atEdge = true
            #expect(throws: TelemetryIncompleteError.self) { try s.placementProblem(from: atEdge) }
        }
    }

    @Test("No traffic, NaN and empty answers are unknown with reasons, never zero")
    func unknownData() async throws {
        try await PrometheusFixture.with(openMetrics: Scenarios.openMetrics()) { url in
            // Flat counters: rates 0, means and quantiles NaN.
            let quiet = try await PrometheusTelemetry(settings: TelemetryTestSettings.quiet(url)).snapshot(at: Scenarios.endDate)
            #expect(quiet.userRequestsPerSecond == nil && !quiet.hasUserTraffic)
            #expect(quiet.userDelaySeconds == nil && quiet.userDelayQuantileSeconds == nil)
            #expect(quiet.reasons.contains { $0.signal == .userRequestRate && $0.problem == .noTraffic })
            #expect(quiet.reasons.contains { $0.signal == .meanDelay && $0.problem == .noTraffic })
            #expect(quiet.reasons.contains { $0.signal == .delayQuantile && $0.problem == .noTraffic })
            #expect(quiet.reasons.contains { $0.signal == .responseSize && $0.subject == "q0" && $0.problem == .noTraffic })
            #expect(quiet.service(named: "q0")?.responseBytes == nil)
            // A measured zero rate is a fact; the Fm rows behind it are not.
            #expect(quiet.service(named: "q0")?.requestsPerSecond == 0)
            #expect(quiet.unknownCallers == ["user", "q0", "q1"])
            #expect(quiet.callsPerRequest(from: "q0", to: "q1") == nil)
            #expect(same(quiet.service(named: "q1")?.cpuUsageCores.cloud, 0.125))
            #expect(throws: TelemetryIncompleteError.self) {
                try quiet.placementProblem(from: PlacementProblem(
                    action: .offload, services: [], calls: [], userRequestsPerSecond: 0,
                    network: Network(rttSeconds: 0, cloudToEdgeBitsPerSecond: 1),
                    prices: Prices(edge: .init(cpuCoreHour: 0, memoryGBHour: 0), cloud: .init(cpuCoreHour: 0, memoryGBHour: 0), networkGB: 0),
                    target: Target()))
            }

            // Two hours after the data: every series is stale, every answer empty.
            let telemetry = try PrometheusTelemetry(settings: TelemetryTestSettings.threeServices(url))
            let stale = try await telemetry.snapshot(at: Scenarios.endDate.addingTimeInterval(7200))
            #expect(stale.userRequestsPerSecond == nil && stale.userDelaySeconds == nil && stale.userDelayQuantileSeconds == nil)
            #expect(stale.services.allSatisfy { $0.requestsPerSecond == nil && $0.cpuUsageCores.cloud == nil })
            for signal: TelemetrySnapshot.Reason.Signal in [.userRequestRate, .meanDelay, .delayQuantile] {
                #expect(stale.reasons.contains { $0.signal == signal && $0.problem == .emptyResult }, "\(signal)")
            }
            #expect(stale.reasons.allSatisfy { !$0.query.isEmpty || $0.problem == .noWorkload })
        }
    }
}
