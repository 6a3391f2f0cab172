import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMATwin

/// Issue 8, item 4: mutated twin scenarios load or fail with located errors, and never hang.
@Suite("Fuzz: twin scenarios")
struct FuzzScenarioTests {
    static let seed: UInt64 = 0x676D_612D_7477_696E  // "gma-twin"
    static let inputCount = 10_000

    static let examples = RepositoryFiles.examples.appendingPathComponent("twin")
    /// Problem files of a scenario's `app: {problem: …}` resolve against this directory.
    static let instances = RepositoryFiles.instances

    /// Every kind of load segment, a problem file with replica bounds, network changes and twin settings.
    static let handWritten = """
        name: fuzz-seed
        seed: 3
        duration: 30m
        app:
          problem: offload-small-M06-t00.json
          maxReplicas: 50
        load:
          - sweep: {from: 10, to: 60, step: 10, every: 1m, back: false}
          - hold: {rate: 40, for: 5m}
          - ramp: {from: 40, to: 5, for: 2m}
          - sine: {mean: 30, amplitude: 10, period: 5m, for: 10m}
        network:
          rtt: 40ms
          bandwidth: 50Mbps
          changes:
            - {at: 5m, over: 1m, bandwidth: 20Mbps}
        controller:
          offload: 150ms
          unoffload: 90ms
          offloadQuantile: 400ms
          maxReduction: 50ms
          solver: greedy
        twin:
          tick: 5s
          quantile: 0.9
          hpa: {sync: 15s, podStartup: 20s, tolerance: 0.1, scaleDownStabilization: 60s}
        """

    @Test("10,000 mutated scenarios: a scenario or located errors")
    func mutatedScenarios() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let seeds = try [Self.handWritten] + names.map { try #require(GMAConfiguration.readText(Self.examples.appendingPathComponent($0).path)) }
        for seed in seeds {
            _ = try Scenario.parse(seed, file: "seed.yaml", baseDirectory: Self.instances.path)
        }
        var rng = FuzzRandom(seed: Self.seed)
        let bytes = ByteMutator(donors: seeds.map { Array($0.utf8) })
        let outcome = FuzzOutcome()
        for index in 0..<Self.inputCount {
            let text = FuzzYAMLInput.make(from: rng.chance(40) ? seeds[0] : rng.pick(seeds), bytes: bytes, using: &rng)
            do {
                let scenario = try Scenario.parse(text, file: "fuzz.yaml", baseDirectory: Self.instances.path)
                _ = scenario.load.durationSeconds
                outcome.valid += 1
            } catch {
                outcome.reject(error, input: index, text: text)
            }
        }
        outcome.expectSound(inputs: Self.inputCount)
    }

    /// Scenarios the fuzzer found: a segment that is not a mapping failed with no error at all, and sweeps
    /// whose steps are tiny or lost in rounding looped for ever.
    @Test(
        "regression: bad load segments fail with a located error",
        arguments: [
            ("load:\n  - hold: 5\n", "load[0].hold"),
            ("load:\n  - sweep: [[[1]]]\n", "load[0].sweep"),
            ("load:\n  - sweep: {from: 40, to: 520, step: 0.0000001, every: 1m}\n", "load[0].sweep.step"),
            ("load:\n  - sweep: {from: 0, to: 1e300, step: 1, every: 1m}\n", "load[0].sweep.step"),
            ("load:\n  - sweep: {from: 1e300, to: 1e300, step: 1, every: 1m}\n", "load[0].sweep.step"),
            ("load:\n  - sweep: {from: 1e300, to: 0, step: 1e-300, every: 1m}\n", "load[0].sweep.step"),
        ])
    func badLoadSegments(load: String, keyPath: String) throws {
        let text = "app: mubench\n" + load
        let error = try #require(throws: ConfigError.self) { try Scenario.parse(text) }
        #expect(FuzzOutcome.unlocated(error) == nil, "\(error)")
        #expect(error.errors.contains { $0.keyPath == keyPath && $0.line != nil }, "\(error)")
    }
}
