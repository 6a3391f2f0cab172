import Foundation
import GMAControl
import GMAOptimizer

/// The apps `gma simulate` ships with, so that a scenario needs no problem file.
public enum BundledApps {
    public static let names = ["mubench", "online-boutique"]

    public static func app(named name: String) -> TwinApp? {
        switch name {
        case "mubench": mubench
        case "online-boutique", "onlineboutique": onlineBoutique
        default: nil
        }
    }

    /// Reference prices of the bench format (docs/problem-format.md §8).
    static let prices = Prices(
        edge: AreaPrices(cpuCoreHour: 0.028, memoryGBHour: 0.014),
        cloud: AreaPrices(cpuCoreHour: 0.0208, memoryGBHour: 0.0104), networkGB: 0.02)

    struct Spec {
        var name: String
        var cpuRequest: Double
        var memoryRequest: Double
        var responseBytes: Double
        var internalDelay: Double
        var cpuPerCall: Double
        var memoryPerCall: Double
    }

    static func make(
        name: String, specs: [Spec], calls: [(String, String, Double)], rtt: Double, bandwidth: Double, maxReplicas: Int
    ) -> TwinApp {
        let services = specs.map {
            Service(
                name: $0.name, cpuRequestCores: PerArea(cloud: $0.cpuRequest, edge: $0.cpuRequest),
                memoryRequestBytes: PerArea(cloud: $0.memoryRequest, edge: $0.memoryRequest),
                cpuUsageCores: PerArea(cloud: 0, edge: 0), memoryUsageBytes: PerArea(cloud: 0, edge: 0),
                responseBytes: $0.responseBytes, internalDelaySeconds: $0.internalDelay)
        }
        let problem = PlacementProblem(
            metadata: Metadata(name: name, source: "gma simulate bundled app"), action: .offload, services: services,
            calls: calls.map { Call(from: $0.0, to: $0.1, perRequest: $0.2) }, userRequestsPerSecond: 1,
            network: Network(rttSeconds: rtt, cloudToEdgeBitsPerSecond: bandwidth, edgeToCloudBitsPerSecond: bandwidth),
            prices: prices, target: Target(delayReductionSeconds: 0))
        let bounds = PerArea(cloud: ReplicaBounds(min: 1, max: maxReplicas), edge: ReplicaBounds(min: 1, max: maxReplicas))
        return TwinApp(
            name: name, problem: problem, cpuSecondsPerCall: specs.map(\.cpuPerCall),
            memoryByteSecondsPerCall: specs.map(\.memoryPerCall),
            replicaBounds: Array(repeating: bounds, count: specs.count))
    }

    /// A µBench-like tree with the topology of the µBench example (s0 → s1, s2, s3, s9; s1 → s5; s3 → s4, s8;
    /// s5 → s6, s7), 1-core replicas without memory requests, as in its manifests.
    ///
    /// Sizes are calibrated (not measured) on its default network (35 ms RTT, a 20 Mbit/s edge uplink) for the λ
    /// sweep 40 → 520 → 40 with the band [80, 120] ms. In the placement model the load only acts through the link,
    /// as ρ/(λ(1−ρ)), which is flat until ρ nears 1; a step can only push the delay clearly out of the band where
    /// the link is close to full. So s0's response sets cloud-only ρ to 0.76 at 160 req/s (about 100 ms) and 0.94
    /// at 200 req/s (about 165 ms, not saturated), and s5's sets the first offload's ρ so that 280 req/s clearly
    /// needs a second one. The big s1, s2, s3 and s9 responses keep s0's children with it, and the CPU costs make
    /// {s0, s1, s2, s3, s4, s9} the clear first offload and s5 the clear second one.
    /// Everything else is small and flat, so each load step either stays well inside the band or leaves it by
    /// tens of ms: noise on the measured delay cannot start and cancel alarms.
    public static let mubench: TwinApp = {
        // name, response bytes, internal delay (s), core-seconds per call
        let rows: [(String, Double, Double, Double)] = [
            ("s0", 11_800, 0.005, 0.030), ("s1", 166_000, 0.010, 0.020), ("s2", 150_000, 0.0065, 0.060),
            ("s3", 270_000, 0.0045, 0.030), ("s4", 6_500, 0.0075, 0.020), ("s5", 14_300, 0.0105, 0.090),
            ("s6", 2_000, 0.0115, 0.040), ("s7", 8_500, 0.0065, 0.060), ("s8", 2_500, 0.005, 0.055),
            ("s9", 120_000, 0.003, 0.075),
        ]
        let specs = rows.map {
            Spec(name: $0.0, cpuRequest: 1, memoryRequest: 0, responseBytes: $0.1, internalDelay: $0.2,
                 cpuPerCall: $0.3, memoryPerCall: 2e9 * $0.3)
        }
        let calls: [(String, String, Double)] = [
            ("user", "s0", 1.0), ("s0", "s1", 0.47), ("s0", "s2", 0.44), ("s0", "s3", 0.82), ("s0", "s9", 0.55),
            ("s1", "s5", 1.0), ("s3", "s4", 0.88), ("s3", "s8", 0.89), ("s5", "s6", 0.77), ("s5", "s7", 0.36),
        ]
        return make(name: "mubench", specs: specs, calls: calls, rtt: 0.035, bandwidth: 20e6, maxReplicas: 100)
    }()

    /// Online Boutique's ten services with the requests of its manifests and the call graph of its frontend and
    /// checkout flows, weighted by the locust mix (browse-heavy: most requests reach the catalogue and currency).
    public static let onlineBoutique: TwinApp = {
        let mi = 1_048_576.0
        // name, cpu request, memory request, response bytes, internal delay (s), core-seconds per call
        let rows: [(String, Double, Double, Double, Double, Double)] = [
            ("adservice", 0.3, 180 * mi, 1_500, 0.004, 0.004),
            ("cartservice", 0.3, 64 * mi, 2_000, 0.005, 0.006),
            ("checkoutservice", 0.2, 64 * mi, 1_200, 0.008, 0.008),
            ("currencyservice", 0.2, 64 * mi, 300, 0.002, 0.002),
            ("emailservice", 0.2, 64 * mi, 200, 0.006, 0.005),
            ("frontend", 0.2, 64 * mi, 60_000, 0.010, 0.012),
            ("paymentservice", 0.2, 64 * mi, 200, 0.004, 0.003),
            ("productcatalogservice", 0.2, 64 * mi, 4_000, 0.003, 0.003),
            ("recommendationservice", 0.2, 220 * mi, 800, 0.006, 0.007),
            ("shippingservice", 0.2, 64 * mi, 400, 0.003, 0.002),
        ]
        let specs = rows.map {
            Spec(name: $0.0, cpuRequest: $0.1, memoryRequest: $0.2, responseBytes: $0.3, internalDelay: $0.4,
                 cpuPerCall: $0.5, memoryPerCall: 0.5 * $0.2 * $0.5 / 0.1)
        }
        let calls: [(String, String, Double)] = [
            ("user", "frontend", 1.0),
            ("frontend", "adservice", 0.55), ("frontend", "cartservice", 0.9), ("frontend", "checkoutservice", 0.05),
            ("frontend", "currencyservice", 2.6), ("frontend", "productcatalogservice", 1.5),
            ("frontend", "recommendationservice", 0.55), ("frontend", "shippingservice", 0.2),
            ("checkoutservice", "cartservice", 2.0), ("checkoutservice", "currencyservice", 3.0),
            ("checkoutservice", "emailservice", 1.0), ("checkoutservice", "paymentservice", 1.0),
            ("checkoutservice", "productcatalogservice", 2.0), ("checkoutservice", "shippingservice", 2.0),
            ("recommendationservice", "productcatalogservice", 1.0),
        ]
        return make(name: "online-boutique", specs: specs, calls: calls, rtt: 0.03, bandwidth: 1e8, maxReplicas: 50)
    }()
}
