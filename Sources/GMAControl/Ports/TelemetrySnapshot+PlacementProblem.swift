import GMAOptimizer

/// The telemetry-derived fields a `PlacementProblem` needs are unknown: no placement may be computed.
public struct TelemetryIncompleteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per missing value, e.g. `cpuUsageCores.cloud of s3`.
    public var missing: [String]
    /// The snapshot's reasons, for the log.
    public var reasons: [TelemetrySnapshot.Reason]

    public var description: String {
        "telemetry incomplete: " + missing.joined(separator: "; ")
    }
}

extension TelemetrySnapshot {
    /// `template` with its measured fields replaced by this snapshot's (docs/telemetry.md §6): λ, Fm, L, CPU and
    /// memory usage. Everything else (requests, prices, network, target, `atEdge`, `locked`) comes from
    /// the template, i.e. from configuration and the cluster.
    ///
    /// Unknown values are errors, with two exceptions that are facts rather than gaps: a service not at the
    /// edge uses nothing there, and a service nobody calls needs no response size.
    public func placementProblem(from template: PlacementProblem) throws(TelemetryIncompleteError) -> PlacementProblem {
        var missing: [String] = []
        var problem = template
        let names = Set(template.services.map(\.name))

        if let lambda = userRequestsPerSecond, lambda > 0 {
            problem.userRequestsPerSecond = lambda
        } else {
            missing.append("userRequestsPerSecond")
        }

        var calls: [Call] = []
        for caller in [Self.userName] + template.services.map(\.name) {
            let outgoing = callRates.contains { $0.from == caller && names.contains($0.to) && $0.callsPerSecond > 0 }
            if unknownCallers.contains(caller) {
                // A caller that received nothing and called nothing has an empty row whatever Fm would be.
                let idle = caller != Self.userName && service(named: caller)?.requestsPerSecond == 0 && !outgoing
                if !idle { missing.append("calls from \(caller)") }
                continue
            }
            for f in callsPerRequest where f.from == caller && names.contains(f.to) && f.perRequest > 0 {
                calls.append(Call(from: f.from, to: f.to, perRequest: f.perRequest))
            }
        }
        problem.calls = calls
        let callees = Set(calls.map(\.to))

        for index in problem.services.indices {
            let name = problem.services[index].name
            guard let measured = service(named: name) else {
                missing.append("service \(name) is not in the telemetry")
                continue
            }
            let atEdge = problem.services[index].atEdge
            func area(_ value: Double?, _ label: String, edge: Bool) -> Double {
                if let value { return value }
                if edge && !atEdge { return 0 }
                missing.append("\(label) of \(name)")
                return 0
            }
            problem.services[index].cpuUsageCores = PerArea(
                cloud: area(measured.cpuUsageCores.cloud, "cpuUsageCores.cloud", edge: false),
                edge: area(measured.cpuUsageCores.edge, "cpuUsageCores.edge", edge: true))
            problem.services[index].memoryUsageBytes = PerArea(
                cloud: area(measured.memoryUsageBytes.cloud, "memoryUsageBytes.cloud", edge: false),
                edge: area(measured.memoryUsageBytes.edge, "memoryUsageBytes.edge", edge: true))
            if let bytes = measured.responseBytes {
                problem.services[index].responseBytes = bytes
            } else if callees.contains(name) {
                missing.append("responseBytes of \(name)")
            } else {
                problem.services[index].responseBytes = 0
            }
        }

        if !missing.isEmpty { throw TelemetryIncompleteError(missing: missing, reasons: reasons) }
        return problem
    }
}
