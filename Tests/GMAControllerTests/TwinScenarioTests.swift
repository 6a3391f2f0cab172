import Foundation
import GMAOptimizer
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAControl
@testable import GMATwin

@Suite("Twin: scenario files")
struct TwinScenarioTests {
    static let full = """
        name: every-key
        seed: 42
        duration: 30m
        app: online-boutique
        load:
          - hold: {rate: 50, for: 10m}
          - ramp: {from: 50, to: 90, for: 5m}
        network:
          rtt: 40ms
          bandwidth: 50Mbps
          changes:
            - {at: 10m, over: 1m, rtt: 80ms}
            - {at: 20m, bandwidth: 25Mbps}
        controller:
          offload: 150ms
          unoffload: 90ms
          offloadQuantile: 300ms
          unoffloadQuantile: 200ms
          maxReduction: 50ms
          maxIncrease: 40ms
          syncPeriod: 20s
          stabilizationWindow: 90s
          solver: greedy
          policy: reference
          consolidationDwell: 20m
        twin:
          tick: 10s
          rollout: 45s
          removal: 15s
          window: 2m
          delayNoise: 0.05
          usageNoise: 0.03
          cpuLimit: 1.5
          variation: 0.3
          quantile: 0.95
          timeout: 5s
          hpa: {sync: 30s, podStartup: 40s, tolerance: 0.2, scaleDownStabilization: 5m}
        mismatch: {rtt: 1.2, bandwidth: 0.8, serviceTime: 0.3}
        """

    @Test func everyKeyIsReadAsWritten() throws {
        let s = try Scenario.parse(Self.full, file: "every-key.yaml")
        #expect(s.name == "every-key")
        #expect(s.app.name == "online-boutique")
        #expect(s.durationSeconds == 1800, "duration overrides the load's 15 min")
        #expect(s.load == LoadProfile(segments: [.hold(rate: 50, seconds: 600), .ramp(from: 50, to: 90, seconds: 300)]))
        #expect(
            s.network
                == NetworkProfile(
                    rttSeconds: 0.040, bandwidthBitsPerSecond: 50e6,
                    changes: [
                        .init(atSeconds: 600, overSeconds: 60, rttSeconds: 0.080),
                        .init(atSeconds: 1200, bandwidthBitsPerSecond: 25e6),
                    ]))
        #expect(
            s.band
                == DelayBand(
                    offloadSeconds: 0.150, unoffloadSeconds: 0.090, offloadQuantileSeconds: 0.300,
                    unoffloadQuantileSeconds: 0.200, maxReductionSeconds: 0.050, maxIncreaseSeconds: 0.040))
        #expect(s.timing == LoopTiming(syncPeriodSeconds: 20, stabilizationWindowSeconds: 90, telemetryWindowSeconds: 120), "the twin's window is the query period")
        #expect(s.solver == .greedy)

        var twin = TwinSettings()
        twin.seed = 42
        twin.tickSeconds = 10
        twin.rolloutSeconds = 45
        twin.removalSeconds = 15
        twin.telemetryWindowSeconds = 120
        twin.delayNoise = 0.05
        twin.usageNoise = 0.03
        twin.cpuLimitFactor = 1.5
        twin.mismatch = TwinMismatch(rttFactor: 1.2, bandwidthFactor: 0.8, serviceTimeSpread: 0.3)
        twin.processingVariation = 0.3
        twin.delayQuantile = 0.95
        twin.timeoutSeconds = 5
        twin.hpa.syncSeconds = 30
        twin.hpa.podStartupSeconds = 40
        twin.hpa.tolerance = 0.2
        twin.hpa.scaleDownStabilizationSeconds = 300
        #expect(s.twin == twin)

        // What the controller is given follows the scenario.
        let settings = s.controllerSettings
        #expect(settings.band == s.band && settings.timing == s.timing && settings.solver == .greedy)
        var reference = ControlPolicy.reference
        reference.consolidation.dwellSeconds = 1200
        #expect(settings.policy == reference, "policy: reference, with the dwell given")
        #expect(settings.template.services.map(\.name) == s.app.serviceNames)
    }

    @Test func defaultsFillWhatIsLeftOut() throws {
        let s = try Scenario.parse("app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\n", file: "/x/minimal.yaml")
        #expect(s.name == "minimal", "the name defaults to the file's")
        #expect(s.band.offloadSeconds == 0.120 && s.band.unoffloadSeconds == 0.080)
        #expect(s.timing == LoopTiming(syncPeriodSeconds: 30, stabilizationWindowSeconds: 120))
        #expect(s.twin == TwinSettings())
        #expect(s.network.rttSeconds == s.app.problem.network.rttSeconds)
        #expect(s.network.bandwidthBitsPerSecond == s.app.problem.network.cloudToEdgeBitsPerSecond)
    }

    @Test func bundledExamplesLoad() throws {
        let directory = RepositoryFiles.examples.appendingPathComponent("twin").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            #expect(throws: Never.self, "\(file)") {
                _ = try Scenario.load(path: (directory as NSString).appendingPathComponent(file))
            }
        }
    }

    /// A broken scenario, the position and key path its error must name, and a word of the message.
    struct Broken: CustomTestStringConvertible, Sendable {
        var label: String
        var text: String
        var position: String
        var keyPath: String
        var says: String
        var testDescription: String { label }
    }

    static let broken: [Broken] = [
        Broken(
            label: "wrong type", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\ncontroller:\n  offload: fast\n",
            position: "broken.yaml:5:12", keyPath: "controller.offload", says: "fast"),
        Broken(
            label: "unknown app", text: "app: mubenchh\nload:\n  - hold: {rate: 80, for: 10m}\n",
            position: "broken.yaml:1:6", keyPath: "app", says: "unknown app 'mubenchh'"),
        Broken(
            label: "negative duration", text: "app: mubench\nduration: -5m\nload:\n  - hold: {rate: 80, for: 10m}\n",
            position: "broken.yaml:2:11", keyPath: "duration", says: "'-5m': a duration cannot be negative"),
        Broken(
            label: "negative hold", text: "app: mubench\nload:\n  - hold: {rate: 80, for: -10m}\n",
            position: "broken.yaml:3:27", keyPath: "load[0].hold.for", says: "'-10m': a duration cannot be negative"),
        Broken(
            label: "unknown key", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\ncontroller:\n  ofload: 150ms\n",
            position: "broken.yaml:5:3", keyPath: "controller.ofload", says: "unknown key"),
        Broken(
            label: "unknown nested key", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\ntwin:\n  hpa: {podStartup: 20s, sync_: 15s}\n",
            position: "broken.yaml:5:26", keyPath: "twin.hpa.sync_", says: "unknown key"),
        Broken(
            label: "unknown segment", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\n  - spike: {rate: 500}\n",
            position: "broken.yaml:4:5", keyPath: "load[1]", says: "unknown load segment 'spike'"),
        Broken(
            label: "band upside down", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\ncontroller: {offload: 80ms, unoffload: 120ms}\n",
            position: "broken.yaml:4:40", keyPath: "controller.unoffload", says: "below the offload threshold"),
        Broken(
            label: "quantile out of range", text: "app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\ntwin: {quantile: 1.5}\n",
            position: "broken.yaml:4:18", keyPath: "twin.quantile", says: "(0, 1)"),
        Broken(
            label: "load not a list", text: "app: mubench\nload: {hold: {rate: 80, for: 10m}}\n",
            position: "broken.yaml:2:7", keyPath: "load", says: "expected"),
    ]

    @Test(arguments: broken) func brokenScenarioNamesPositionAndKeyPath(_ case_: Broken) throws {
        let error = #expect(throws: ConfigError.self) { try Scenario.parse(case_.text, file: "broken.yaml") }
        guard let error else { return }
        let matching = error.errors.filter { $0.keyPath == case_.keyPath }
        #expect(!matching.isEmpty, "no error at \(case_.keyPath): \(error)")
        guard let issue = matching.first else { return }
        #expect(issue.description.hasPrefix(case_.position + ": error: \(case_.keyPath): "), "\(issue)")
        #expect(issue.message.contains(case_.says), "\(issue)")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let text = "app: mubench\nload:\n  - hold: {rate: -1, for: 10m}\ncontroller:\n  offload: fast\n  syncPeriod: soon\n"
        let error = #expect(throws: ConfigError.self) { try Scenario.parse(text, file: "broken.yaml") }
        let paths = Set(error?.errors.map(\.keyPath) ?? [])
        #expect(paths.isSuperset(of: ["load[0].hold.rate", "controller.offload", "controller.syncPeriod"]), "\(paths)")
    }
}
