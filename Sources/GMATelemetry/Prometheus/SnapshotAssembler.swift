import Foundation
import GMAControl
import GMAOptimizer

/// Turns the answers (or failures) of the snapshot's queries into a `TelemetrySnapshot`.
/// Pure: no I/O, so every unknown-data rule is testable without Prometheus.
struct SnapshotAssembler {
    typealias Answer = Result<PrometheusResult, PrometheusError>
    typealias Reason = TelemetrySnapshot.Reason

    let settings: PrometheusTelemetrySettings
    let queries: TelemetryQueries
    private(set) var reasons: [Reason] = []

    init(settings: PrometheusTelemetrySettings, queries: TelemetryQueries) {
        self.settings = settings
        self.queries = queries
    }

    struct Answers {
        var cpu: [TelemetryArea: Answer] = [:]
        var memory: [TelemetryArea: Answer] = [:]
        var ingressRequestRate: Answer
        var serviceRequestRate: Answer
        var callRate: Answer
        var responseSize: Answer
        var meanDelay: Answer
        var delayQuantile: Answer
    }

    mutating func assemble(_ answers: Answers, evaluatedAt: Date?, takenAt: Date) -> TelemetrySnapshot {
        reasons = []
        let names = settings.services.map(\.name)
        // The helpers run in this order so the reasons come out in the order of the snapshot's signals.
        let user = userTraffic(answers.ingressRequestRate)
        let serviceRates = perService(answers.serviceRequestRate, .serviceRequestRate, queries.serviceRequestRate) {
            _ in .noSeries
        }
        let responseSizes = perService(answers.responseSize, .responseSize, queries.responseSize) { value in
            // 0/0: no response in the window.
            value.isNaN ? .noTraffic : .notFinite(value)
        }
        let calls = callMatrix(answers.callRate)
        let callRates = callRateList(userCalls: user.calls, calls: calls, names: names)
        let rows = callFrequencies(user: user, calls: calls, serviceRates: serviceRates, names: names)
        let services = serviceRows(answers, names: names, rates: serviceRates, responseSizes: responseSizes)

        return TelemetrySnapshot(
            evaluatedAt: evaluatedAt, takenAt: takenAt, delayQuantile: settings.delayQuantile,
            userDelaySeconds: single(answers.meanDelay, .meanDelay, queries.meanDelay).map { $0 / 1000 },
            userDelayQuantileSeconds: single(answers.delayQuantile, .delayQuantile, queries.delayQuantile).map { $0 / 1000 },
            userRequestsPerSecond: user.rate, services: services, callRates: callRates,
            callsPerRequest: rows.frequencies, unknownCallers: rows.unknownCallers, reasons: reasons)
    }

    // MARK: The snapshot's parts

    typealias CallMatrix = (read: Bool, rates: [String: [String: Double]], brokenCallers: Set<String>)

    /// λ_user and the user row: they share one query, so they always agree.
    private mutating func userTraffic(_ answer: Answer) -> (rate: Double?, calls: [String: Double]) {
        let ingress = perDestination(answer, .userRequestRate, queries.ingressRequestRate)
        if let ingress, ingress.bad.isEmpty {
            let total = ingress.values.values.reduce(0, +)
            if ingress.values.isEmpty {
                note(.userRequestRate, nil, queries.ingressRequestRate, .emptyResult)
            } else if total > 0 {
                return (total, ingress.values.filter { $0.value > 0 })
            } else {
                note(.userRequestRate, nil, queries.ingressRequestRate, .noTraffic)
            }
        } else if let ingress {
            for (name, value) in ingress.bad.sorted(by: { $0.key < $1.key }) {
                note(.userRequestRate, name, queries.ingressRequestRate, .notFinite(value))
            }
        }
        return (nil, [:])
    }

    /// The measured call rates: the user's first (by callee), then the services' in app order.
    private func callRateList(userCalls: [String: Double], calls: CallMatrix, names: [String])
        -> [TelemetrySnapshot.CallRate]
    {
        var callRates = userCalls.sorted { $0.key < $1.key }.map {
            TelemetrySnapshot.CallRate(from: TelemetrySnapshot.userName, to: $0.key, callsPerSecond: $0.value)
        }
        for from in names {
            for to in names {
                if let rate = calls.rates[from]?[to] {
                    callRates.append(.init(from: from, to: to, callsPerSecond: rate))
                }
            }
        }
        return callRates
    }

    /// Fm rows: a caller's row is known when its own rate is known and positive and its calls were read.
    private mutating func callFrequencies(
        user: (rate: Double?, calls: [String: Double]), calls: CallMatrix, serviceRates: [String: Double], names: [String]
    ) -> (frequencies: [TelemetrySnapshot.CallFrequency], unknownCallers: [String]) {
        let userName = TelemetrySnapshot.userName
        var frequencies: [TelemetrySnapshot.CallFrequency] = []
        var unknownCallers: [String] = []
        if let userRate = user.rate {
            for (to, rate) in user.calls.sorted(by: { $0.key < $1.key }) {
                frequencies.append(.init(from: userName, to: to, perRequest: rate / userRate))
            }
        } else {
            unknownCallers.append(userName)
        }
        for from in names {
            guard calls.read, !calls.brokenCallers.contains(from), let lambda = serviceRates[from], lambda > 0 else {
                unknownCallers.append(from)
                if calls.read, serviceRates[from] == 0 {
                    note(.callsPerRequest, from, queries.serviceRequestRate, .noTraffic)
                }
                continue
            }
            for to in names {
                if let rate = calls.rates[from]?[to] {
                    frequencies.append(.init(from: from, to: to, perRequest: rate / lambda))
                }
            }
        }
        frequencies.sort { ($0.from == userName ? 0 : 1, $0.from) < ($1.from == userName ? 0 : 1, $1.from) }
        return (frequencies, unknownCallers)
    }

    /// Per service, in app order: its rate, response size and usage per area.
    private mutating func serviceRows(
        _ answers: Answers, names: [String], rates: [String: Double], responseSizes: [String: Double]
    ) -> [TelemetrySnapshot.Service] {
        var cpu: [TelemetryArea: [String: Double]] = [:]
        var memory: [TelemetryArea: [String: Double]] = [:]
        for area in TelemetryArea.allCases {
            cpu[area] = usage(answers.cpu[area], queries.cpu[area], area, .cpuUsage)
            memory[area] = usage(answers.memory[area], queries.memory[area], area, .memoryUsage)
        }
        return names.map { name in
            TelemetrySnapshot.Service(
                name: name,
                requestsPerSecond: rates[name],
                responseBytes: responseSizes[name],
                cpuUsageCores: PerArea(cloud: cpu[.cloud]?[name], edge: cpu[.edge]?[name]),
                memoryUsageBytes: PerArea(cloud: memory[.cloud]?[name], edge: memory[.edge]?[name]))
        }
    }

    // MARK: Mapping helpers

    private mutating func note(_ signal: Reason.Signal, _ subject: String?, _ query: String, _ problem: Reason.Problem) {
        reasons.append(Reason(signal: signal, subject: subject, query: query, problem: problem))
    }

    private mutating func samples(_ answer: Answer, _ signal: Reason.Signal, _ query: String, subject: String? = nil)
        -> [PrometheusSample]?
    {
        switch answer {
        case .success(let result): return result.samples
        case .failure(let error):
            note(signal, subject, query, .queryFailed(error))
            return nil
        }
    }

    /// Values by destination label, restricted to configured services (exact names).
    private mutating func perDestination(_ answer: Answer, _ signal: Reason.Signal, _ query: String)
        -> (values: [String: Double], bad: [String: Double])?
    {
        guard let samples = samples(answer, signal, query) else { return nil }
        let known = Set(settings.services.map(\.name))
        var values: [String: Double] = [:]
        var bad: [String: Double] = [:]
        for sample in samples {
            guard let name = sample.labels[settings.destinationAppLabel], known.contains(name) else { continue }
            if sample.value.isFinite, sample.value >= 0 {
                values[name, default: 0] += sample.value
            } else {
                bad[name] = sample.value
            }
        }
        return (values, bad)
    }

    /// One value per service or nil with a reason; `nonFinite` says what a NaN/Inf means for this signal.
    private mutating func perService(
        _ answer: Answer, _ signal: Reason.Signal, _ query: String, nonFinite: (Double) -> Reason.Problem
    ) -> [String: Double] {
        guard let mapped = perDestination(answer, signal, query) else { return [:] }
        var out: [String: Double] = [:]
        for name in settings.services.map(\.name) {
            if let bad = mapped.bad[name] {
                note(signal, name, query, nonFinite(bad))
            } else if let value = mapped.values[name] {
                out[name] = value
            } else {
                note(signal, name, query, .noSeries)
            }
        }
        return out
    }

    private mutating func callMatrix(_ answer: Answer) -> CallMatrix {
        guard let samples = samples(answer, .callRate, queries.callRate) else { return (false, [:], []) }
        let known = Set(settings.services.map(\.name))
        var rates: [String: [String: Double]] = [:]
        var broken = Set<String>()
        for sample in samples {
            guard let from = sample.labels[settings.sourceAppLabel], let to = sample.labels[settings.destinationAppLabel],
                known.contains(from), known.contains(to)
            else { continue }
            if sample.value.isFinite, sample.value >= 0 {
                if sample.value > 0 { rates[from, default: [:]][to, default: 0] += sample.value }
            } else {
                broken.insert(from)
                note(.callRate, "\(from)→\(to)", queries.callRate, .notFinite(sample.value))
            }
        }
        return (true, rates, broken)
    }

    /// Per-service sums over the pods each workload owns in one area.
    private mutating func usage(_ answer: Answer?, _ query: String?, _ area: TelemetryArea, _ signal: Reason.Signal)
        -> [String: Double]
    {
        let services = settings.services
        guard let query, let answer else {
            for service in services { note(signal, "\(service.name)@\(area.rawValue)", "", .noWorkload) }
            return [:]
        }
        guard let samples = samples(answer, signal, query, subject: area.rawValue) else { return [:] }
        var sums: [String: Double] = [:]
        var broken: [String: Reason.Problem] = [:]
        for sample in samples {
            guard let pod = sample.labels["pod"] else { continue }
            let owners = services.filter { svc in
                svc.workload(in: area).map { $0.kind.owns(pod: pod, workload: $0.name) } ?? false
            }.map(\.name)
            if owners.count > 1 {
                for owner in owners { broken[owner] = .ambiguous("pod \(pod) fits workloads of \(owners.joined(separator: ", "))") }
            } else if let owner = owners.first {
                if sample.value.isFinite, sample.value >= 0 {
                    sums[owner, default: 0] += sample.value
                } else {
                    broken[owner] = .notFinite(sample.value)
                }
            }
        }
        var out: [String: Double] = [:]
        for service in services {
            let subject = "\(service.name)@\(area.rawValue)"
            if service.workload(in: area) == nil {
                note(signal, subject, query, .noWorkload)
            } else if let problem = broken[service.name] {
                note(signal, subject, query, problem)
            } else if let sum = sums[service.name] {
                out[service.name] = sum
            } else {
                note(signal, subject, query, samples.isEmpty ? .emptyResult : .noSeries)
            }
        }
        return out
    }

    /// An app-wide value from a query that yields at most one series.
    private mutating func single(_ answer: Answer, _ signal: Reason.Signal, _ query: String) -> Double? {
        guard let samples = samples(answer, signal, query) else { return nil }
        guard let sample = samples.first else {
            note(signal, nil, query, .emptyResult)
            return nil
        }
        guard samples.count == 1 else {
            note(signal, nil, query, .ambiguous("\(samples.count) series"))
            return nil
        }
        // NaN here is 0/0 (mean) or an empty histogram (quantile): no requests in the window.
        if sample.value.isNaN {
            note(signal, nil, query, .noTraffic)
            return nil
        }
        guard sample.value.isFinite, sample.value >= 0 else {
            note(signal, nil, query, .notFinite(sample.value))
            return nil
        }
        return sample.value
    }
}
