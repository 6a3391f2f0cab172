import Foundation
import Testing

@testable import GMAConfig
@testable import GMARuntime

/// spec.telemetry's bounds on one Prometheus answer (gma extensions, docs/config.md): defaults, values, errors,
/// and that they reach the client gma builds.
@Suite("Config: Prometheus answer bounds")
struct ConfigPrometheusBoundsTests {
    static func load(_ extra: String) throws -> GMAConfiguration {
        let manifests = fixturesDirectory.appendingPathComponent("app3/manifests").path
        let text = try String(contentsOfFile: app3ConfigPath, encoding: .utf8)
            .replacingOccurrences(of: "manifests/", with: manifests + "/")
            .replacingOccurrences(of: "    query-period: 2m\n", with: "    query-period: 2m\n" + extra)
        return try GMAConfiguration.parse(yaml: text, file: "/virtual/GMAConfig.yaml", baseDirectory: "/virtual")
    }

    @Test func defaultsBoundEveryAnswer() throws {
        let config = try Self.load("")
        #expect(config.telemetry.bounds == PrometheusBounds())
        let connection = try ControllerAssembly.telemetrySettings(from: config).connection
        #expect(connection.requestTimeoutSeconds == 10)
        #expect(connection.maxAnswerBytes == 8 * 1_048_576)
        #expect(connection.maxSeries == 10_000)
    }

    @Test func configuredBoundsReachTheClient() throws {
        let config = try Self.load(
            "    prometheus-timeout: 2500ms\n    prometheus-max-answer-bytes: 2Mi\n    prometheus-max-series: 500\n")
        let connection = try ControllerAssembly.telemetrySettings(from: config).connection
        #expect(connection.requestTimeoutSeconds == 2.5)
        #expect(connection.maxAnswerBytes == 2 * 1_048_576)
        #expect(connection.maxSeries == 500)
    }

    @Test func nonsensicalBoundsNameTheirKeys() throws {
        let error = try #require(throws: ConfigError.self) {
            try Self.load("    prometheus-timeout: 0s\n    prometheus-max-answer-bytes: 10\n    prometheus-max-series: -1\n")
        }
        #expect(Set(error.errors.map(\.keyPath)) == [
            "spec.telemetry.prometheus-timeout", "spec.telemetry.prometheus-max-answer-bytes",
            "spec.telemetry.prometheus-max-series",
        ], "\(error)")
    }
}
