import Foundation
import GMAControl
import GMAOptimizer

/// `TelemetrySource` on the twin: what Prometheus would answer, i.e. window averages of the world's ticks
/// with sampling noise. The noise comes from the world's seeded stream, so a run replays exactly.
public struct TwinTelemetry: TelemetrySource {
    public let world: TwinWorld

    public init(world: TwinWorld) {
        self.world = world
    }

    public func snapshot(at time: Date?) async throws -> TelemetrySnapshot {
        world.catchUp()
        let settings = world.settings
        let now = world.elapsed
        var window = world.recorder.samples(after: now - settings.telemetryWindowSeconds, upTo: now)
        if window.isEmpty, let last = world.recorder.lastSample { window = [last] }
        let count = Double(max(window.count, 1))
        let seconds = settings.telemetryWindowSeconds
        let lambda = window.reduce(0) { $0 + $1.userRequestsPerSecond } / count
        let takenAt = world.clock.now()
        let names = world.serviceNames
        let problem = world.app.problem

        guard lambda > 0 else {
            let reasons = [TelemetrySnapshot.Reason.Signal.userRequestRate, .meanDelay, .delayQuantile].map {
                TelemetrySnapshot.Reason(signal: $0, subject: nil, query: "twin", problem: .noTraffic)
            }
            return TelemetrySnapshot(
                evaluatedAt: time, takenAt: takenAt, delayQuantile: settings.delayQuantile, userDelaySeconds: nil,
                userDelayQuantileSeconds: nil, userRequestsPerSecond: nil,
                services: names.map { TelemetrySnapshot.Service(name: $0) }, callRates: [], callsPerRequest: [],
                unknownCallers: [TelemetrySnapshot.userName] + names, reasons: reasons)
        }

        // Request-weighted, as rate(sum)/rate(count) weighs each request once.
        let weight = window.reduce(0) { $0 + $1.userRequestsPerSecond }
        let mean = window.reduce(0) { $0 + $1.delaySeconds * $1.userRequestsPerSecond } / weight
        let quantile = window.reduce(0) { $0 + $1.delayQuantileSeconds * $1.userRequestsPerSecond } / weight
        let requests = lambda * seconds
        let delaySpread = settings.delayNoise + settings.processingVariation / requests.squareRoot()

        let n = names.count
        func average(_ key: (TimelineSample) -> [Double]) -> [Double] {
            var sums = [Double](repeating: 0, count: n)
            for sample in window {
                let values = key(sample)
                for i in 0..<n { sums[i] += values[i] }
            }
            return sums.map { $0 / count }
        }
        let callsCloud = average(\.callsCloud)
        let callsEdge = average(\.callsEdge)
        let cpuCloud = average(\.cpuCloud)
        let cpuEdge = average(\.cpuEdge)
        let memCloud = average(\.memoryCloud)
        let memEdge = average(\.memoryEdge)
        let deployed = Set(world.recorder.lastSample?.deployedAtEdge ?? [])
        let servingNow = Set(window.last?.servingAtEdge ?? [])

        return world.withNoise { random in
            func counted(_ rate: Double) -> Double {
                // A rate is a count over the window: Poisson spread.
                guard rate > 0 else { return 0 }
                return max(rate * (1 + random.normal() / (rate * seconds).squareRoot()), 0)
            }
            func measured(_ value: Double, _ spread: Double) -> Double { max(value * (1 + spread * random.normal()), 0) }

            let measuredLambda = counted(lambda)
            let measuredMean = measured(mean, delaySpread)
            let measuredQuantile = max(measured(quantile, delaySpread), measuredMean)
            var services: [TelemetrySnapshot.Service] = []
            var rate: [String: Double] = [TelemetrySnapshot.userName: measuredLambda]
            for (i, name) in names.enumerated() {
                let calls = counted(lambda * (callsCloud[i] + callsEdge[i]))
                rate[name] = calls
                let atEdge = deployed.contains(name) || servingNow.contains(name)
                services.append(
                    TelemetrySnapshot.Service(
                        name: name, requestsPerSecond: calls,
                        responseBytes: calls > 0 ? problem.services[i].responseBytes : nil,
                        cpuUsageCores: PerArea(
                            cloud: measured(cpuCloud[i], settings.usageNoise),
                            edge: atEdge ? measured(cpuEdge[i], settings.usageNoise) : nil),
                        memoryUsageBytes: PerArea(
                            cloud: measured(memCloud[i], settings.usageNoise),
                            edge: atEdge ? measured(memEdge[i], settings.usageNoise) : nil)))
            }
            var callRates: [TelemetrySnapshot.CallRate] = []
            var frequencies: [TelemetrySnapshot.CallFrequency] = []
            let totalCalls = world.currentTotalCalls
            for call in problem.calls {
                let callerCalls =
                    call.from == TelemetrySnapshot.userName
                    ? 1 : names.firstIndex(of: call.from).map { totalCalls[$0] } ?? 0
                let value = counted(lambda * callerCalls * call.perRequest)
                guard value > 0 else { continue }
                callRates.append(TelemetrySnapshot.CallRate(from: call.from, to: call.to, callsPerSecond: value))
                if let callerRate = rate[call.from], callerRate > 0 {
                    frequencies.append(
                        TelemetrySnapshot.CallFrequency(from: call.from, to: call.to, perRequest: value / callerRate))
                }
            }
            let unknown = ([TelemetrySnapshot.userName] + names).filter { (rate[$0] ?? 0) <= 0 }
            return TelemetrySnapshot(
                evaluatedAt: time, takenAt: takenAt, delayQuantile: settings.delayQuantile,
                userDelaySeconds: measuredMean, userDelayQuantileSeconds: measuredQuantile,
                userRequestsPerSecond: measuredLambda, services: services, callRates: callRates,
                callsPerRequest: frequencies, unknownCallers: unknown, reasons: [])
        }
    }
}
