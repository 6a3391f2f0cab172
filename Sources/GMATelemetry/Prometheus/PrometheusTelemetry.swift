import Foundation
import GMAControl
import Logging

/// `TelemetrySource` over the Prometheus HTTP API: the queries of `TelemetryQueries`, run concurrently
/// at one instant, mapped by `SnapshotAssembler`.
public struct PrometheusTelemetry: TelemetrySource {
    public let settings: PrometheusTelemetrySettings
    /// The rendered PromQL, for `gma check` and logs.
    public let queries: TelemetryQueries
    private let client: PrometheusClient

    public init(settings: PrometheusTelemetrySettings, logger: Logger = Logger(label: "gma.telemetry"))
        throws(TelemetrySettingsError)
    {
        try settings.validate()
        self.settings = settings
        self.queries = TelemetryQueries(settings)
        self.client = PrometheusClient(settings.connection, logger: logger)
    }

    public func snapshot(at time: Date?) async throws -> TelemetrySnapshot {
        let takenAt = Date()
        let named = queries.named
        let window = settings.queryWindowSeconds
        let answers = await withTaskGroup(of: (String, SnapshotAssembler.Answer).self) { group in
            for (name, promql) in named {
                group.addTask { [client] in (name, await Self.answer(client, promql, at: time, window: window)) }
            }
            var out: [String: SnapshotAssembler.Answer] = [:]
            for await (name, answer) in group { out[name] = answer }
            return out
        }
        try Task.checkCancellation()

        func answer(_ name: String) -> SnapshotAssembler.Answer {
            answers[name] ?? .failure(.transport(query: name, attempts: 0, message: "not run"))
        }
        var collected = SnapshotAssembler.Answers(
            ingressRequestRate: answer("ingressRequestRate"), serviceRequestRate: answer("serviceRequestRate"),
            callRate: answer("callRate"), responseSize: answer("responseSize"), meanDelay: answer("meanDelay"),
            delayQuantile: answer("delayQuantile"))
        for area in TelemetryArea.allCases {
            collected.cpu[area] = answers["cpu.\(area.rawValue)"]
            collected.memory[area] = answers["memory.\(area.rawValue)"]
        }
        var assembler = SnapshotAssembler(settings: settings, queries: queries)
        return assembler.assemble(collected, evaluatedAt: time, takenAt: takenAt)
    }

    /// One query's answer as a value. The catch is untyped on purpose: a typed `do throws(PrometheusError)`
    /// inside a task-group child task is miscompiled by Swift 6.3.1 with optimisation (docs/toolchain.md).
    private static func answer(_ client: PrometheusClient, _ promql: String, at time: Date?, window: Double?) async
        -> SnapshotAssembler.Answer
    {
        do {
            return .success(try await client.query(promql, at: time, window: window))
        } catch let error as PrometheusError {
            return .failure(error)
        } catch {
            return .failure(.transport(query: promql, attempts: 0, message: "\(error)"))
        }
    }
}
