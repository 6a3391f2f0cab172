import Foundation
import GMAControl
import GMAOptimizer

/// `TelemetrySource` on the twin: what Prometheus would answer, i.e. window averages of the world's ticks
/// with sampling noise. The noise comes from the world's seeded stream, so a run replays exactly.
///
/// With several edges it is one edge's Prometheus view (docs/twin.md §6): that edge's users (rate, delay, the
/// calls they make), its own copies' usage, and the shared cloud's whole usage, which no label splits by edge.
public struct TwinTelemetry: TelemetrySource {
    public let world: TwinWorld
    /// Which edge of the world (0 for a single-edge twin).
    public let edge: Int

    public init(world: TwinWorld, edge: Int = 0) {
        self.world = world
        self.edge = edge
    }

    private var recorder: TimelineRecorder { world.recorders[edge] }

    public func snapshot(at time: Date?) async throws -> TelemetrySnapshot {
        world.catchUp()
        let settings = world.settings
        let now = world.elapsed
        var window = recorder.samples(after: now - settings.telemetryWindowSeconds, upTo: now)
        if window.isEmpty, let last = recorder.lastSample { window = [last] }
        let lambda = window.reduce(0) { $0 + $1.userRequestsPerSecond } / Double(max(window.count, 1))
        let takenAt = world.clock.now()

        guard lambda > 0 else { return idleSnapshot(at: time, takenAt: takenAt) }
        let truth = WindowTruth(
            window: window, lambda: lambda, serviceCount: world.serviceNames.count,
            deployedAtEdge: recorder.lastSample?.deployedAtEdge ?? [])
        return world.withNoise(edge: edge) { random in
            var sampler = NoisySampler(random: random, windowSeconds: settings.telemetryWindowSeconds)
            defer { random = sampler.random }
            return measuredSnapshot(truth, sampler: &sampler, at: time, takenAt: takenAt)
        }
    }

    /// No users in the window: nothing is known, and the reasons say there was no traffic.
    private func idleSnapshot(at time: Date?, takenAt: Date) -> TelemetrySnapshot {
        let names = world.serviceNames
        let reasons = [TelemetrySnapshot.Reason.Signal.userRequestRate, .meanDelay, .delayQuantile].map {
            TelemetrySnapshot.Reason(signal: $0, subject: nil, query: "twin", problem: .noTraffic)
        }
        return TelemetrySnapshot(
            evaluatedAt: time, takenAt: takenAt, delayQuantile: world.settings.delayQuantile, userDelaySeconds: nil,
            userDelayQuantileSeconds: nil, userRequestsPerSecond: nil,
            services: names.map { TelemetrySnapshot.Service(name: $0) }, callRates: [], callsPerRequest: [],
            unknownCallers: [TelemetrySnapshot.userName] + names, reasons: reasons)
    }

    /// The window's truth with noise drawn in a fixed order (user rate, delays, services, calls), so a seed
    /// replays the same snapshot.
    private func measuredSnapshot(
        _ truth: WindowTruth, sampler: inout NoisySampler, at time: Date?, takenAt: Date
    ) -> TelemetrySnapshot {
        let settings = world.settings
        let requests = truth.lambda * settings.telemetryWindowSeconds
        let delaySpread = settings.delayNoise + settings.processingVariation / requests.squareRoot()
        let measuredLambda = sampler.counted(truth.lambda)
        let measuredMean = sampler.measured(truth.meanDelay, delaySpread)
        let measuredQuantile = max(sampler.measured(truth.quantileDelay, delaySpread), measuredMean)
        var rate: [String: Double] = [TelemetrySnapshot.userName: measuredLambda]
        let services = measuredServices(truth, sampler: &sampler, rates: &rate)
        let calls = measuredCalls(truth, sampler: &sampler, callerRates: rate)
        let unknown = ([TelemetrySnapshot.userName] + world.serviceNames).filter { (rate[$0] ?? 0) <= 0 }
        return TelemetrySnapshot(
            evaluatedAt: time, takenAt: takenAt, delayQuantile: settings.delayQuantile,
            userDelaySeconds: measuredMean, userDelayQuantileSeconds: measuredQuantile,
            userRequestsPerSecond: measuredLambda, services: services, callRates: calls.rates,
            callsPerRequest: calls.frequencies, unknownCallers: unknown, reasons: [])
    }

    /// Per service, in app order; `rates` gains each service's measured request rate.
    private func measuredServices(
        _ truth: WindowTruth, sampler: inout NoisySampler, rates: inout [String: Double]
    ) -> [TelemetrySnapshot.Service] {
        let noise = world.settings.usageNoise
        let problem = world.app.problem
        var services: [TelemetrySnapshot.Service] = []
        for (i, name) in world.serviceNames.enumerated() {
            let calls = sampler.counted(truth.lambda * (truth.callsCloud[i] + truth.callsEdge[i]))
            rates[name] = calls
            let atEdge = truth.atEdge.contains(name)
            let cpuCloud = sampler.measured(truth.cpuCloud[i], noise)
            let cpuEdge = atEdge ? sampler.measured(truth.cpuEdge[i], noise) : nil
            let memoryCloud = sampler.measured(truth.memoryCloud[i], noise)
            let memoryEdge = atEdge ? sampler.measured(truth.memoryEdge[i], noise) : nil
            services.append(
                TelemetrySnapshot.Service(
                    name: name, requestsPerSecond: calls,
                    responseBytes: calls > 0 ? problem.services[i].responseBytes : nil,
                    cpuUsageCores: PerArea(cloud: cpuCloud, edge: cpuEdge),
                    memoryUsageBytes: PerArea(cloud: memoryCloud, edge: memoryEdge)))
        }
        return services
    }

    /// The call graph's measured rates, and per request of the caller where the caller's rate is known.
    private func measuredCalls(
        _ truth: WindowTruth, sampler: inout NoisySampler, callerRates: [String: Double]
    ) -> (rates: [TelemetrySnapshot.CallRate], frequencies: [TelemetrySnapshot.CallFrequency]) {
        let names = world.serviceNames
        let totalCalls = world.currentTotalCalls
        var callRates: [TelemetrySnapshot.CallRate] = []
        var frequencies: [TelemetrySnapshot.CallFrequency] = []
        for call in world.app.problem.calls {
            let callerCalls =
                call.from == TelemetrySnapshot.userName
                ? 1 : names.firstIndex(of: call.from).map { totalCalls[$0] } ?? 0
            let value = sampler.counted(truth.lambda * callerCalls * call.perRequest)
            guard value > 0 else { continue }
            callRates.append(TelemetrySnapshot.CallRate(from: call.from, to: call.to, callsPerSecond: value))
            if let callerRate = callerRates[call.from], callerRate > 0 {
                frequencies.append(
                    TelemetrySnapshot.CallFrequency(from: call.from, to: call.to, perRequest: value / callerRate))
            }
        }
        return (callRates, frequencies)
    }
}

/// The window's ticks averaged as Prometheus would: per-tick means, and delays weighted by requests.
private struct WindowTruth {
    let lambda: Double
    let meanDelay: Double
    let quantileDelay: Double
    let callsCloud: [Double]
    let callsEdge: [Double]
    let cpuCloud: [Double]
    let cpuEdge: [Double]
    let memoryCloud: [Double]
    let memoryEdge: [Double]
    /// Services with an edge copy deployed now or serving in the window's last tick: their edge usage is seen.
    let atEdge: Set<String>

    init(window: [TimelineSample], lambda: Double, serviceCount n: Int, deployedAtEdge: [String]) {
        self.lambda = lambda
        // Request-weighted, as rate(sum)/rate(count) weighs each request once.
        let weight = window.reduce(0) { $0 + $1.userRequestsPerSecond }
        meanDelay = window.reduce(0) { $0 + $1.delaySeconds * $1.userRequestsPerSecond } / weight
        quantileDelay = window.reduce(0) { $0 + $1.delayQuantileSeconds * $1.userRequestsPerSecond } / weight
        let count = Double(max(window.count, 1))
        func average(_ key: (TimelineSample) -> [Double]) -> [Double] {
            var sums = [Double](repeating: 0, count: n)
            for sample in window {
                let values = key(sample)
                for i in 0..<n { sums[i] += values[i] }
            }
            return sums.map { $0 / count }
        }
        callsCloud = average(\.callsCloud)
        callsEdge = average(\.callsEdge)
        cpuCloud = average(\.cpuCloud)
        cpuEdge = average(\.cpuEdge)
        memoryCloud = average(\.memoryCloud)
        memoryEdge = average(\.memoryEdge)
        atEdge = Set(deployedAtEdge).union(window.last?.servingAtEdge ?? [])
    }
}

/// Sampling noise on the world's stream: counts spread like Poisson, gauges by a relative spread.
private struct NoisySampler {
    var random: TwinRandom
    let windowSeconds: Double

    /// A rate is a count over the window: Poisson spread.
    mutating func counted(_ rate: Double) -> Double {
        guard rate > 0 else { return 0 }
        return max(rate * (1 + random.normal() / (rate * windowSeconds).squareRoot()), 0)
    }

    mutating func measured(_ value: Double, _ spread: Double) -> Double {
        max(value * (1 + spread * random.normal()), 0)
    }
}
