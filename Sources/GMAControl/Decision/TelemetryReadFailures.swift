/// The failed Prometheus queries of a snapshot, one line per query family (cpu, memory, delay…) however many
/// services or areas it failed for, naming the family rather than printing its whole PromQL.
enum TelemetryReadFailures {
    static func lines(_ snapshot: TelemetrySnapshot) -> [String] {
        var seen: [TelemetrySnapshot.Reason.Signal] = []
        var lines: [String] = []
        for reason in snapshot.reasons {
            guard case .queryFailed(let error) = reason.problem, !seen.contains(reason.signal) else { continue }
            seen.append(reason.signal)
            lines.append("Prometheus query \(reason.signal.rawValue) failed: \(withoutPromQL(error))")
        }
        return lines
    }

    /// The error's text without the trailing ` [query: …]`, which repeats the whole PromQL.
    static func withoutPromQL(_ error: PrometheusError) -> String {
        let text = error.description
        guard let query = error.query, text.hasSuffix(" [query: \(query)]") else { return text }
        return String(text.dropLast(" [query: \(query)]".count))
    }
}
