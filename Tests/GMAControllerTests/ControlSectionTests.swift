import Foundation
import Testing

@testable import GMAConfig

/// `spec.control` (docs/controller.md §8.4): every key read as written, defaults for the rest, bad values named.
@Suite struct ControlSectionTests {
    static func read(_ yaml: String) -> (policy: ControlPolicy, issues: [ConfigIssue]) {
        let log = IssueLog()
        let root = YAMLDocuments.compose(yaml, file: "GMAConfig.yaml", log: log).first
        let policy = root.map { ControlSection.read(YAMLField(root: $0, file: "GMAConfig.yaml", log: log)["spec"]["control"]) }
        return (policy ?? ControlPolicy(), log.issues)
    }

    @Test func everyKeyIsRead() {
        let (policy, issues) = Self.read("""
            spec:
              control:
                fast-reaction: false
                fast-factor: 3
                fast-confirm: 20s
                fast-when-explained: false
                ramp-projection: false
                lead-rises: false
                staged-unoffload: false
                steady-unoffload: false
                traffic-confidence: 3
                ready-wait: 2m
                consolidation: {enabled: false, dwell: 30m, margin: 10ms, min-saving: 0.2, early: false, early-load-fall: 0.5}
            """)
        #expect(issues.isEmpty, "\(issues)")
        var expected = ControlPolicy()
        expected.fastReaction = false
        expected.fastFactor = 3
        expected.fastConfirmSeconds = 20
        expected.fastWhenExplained = false
        expected.projectRamps = false
        expected.leadRises = false
        expected.stagedUnoffload = false
        expected.steadyUnoffload = false
        expected.trafficConfidence = 3
        expected.readyWaitSeconds = 120
        expected.consolidation.enabled = false
        expected.consolidation.dwellSeconds = 1800
        expected.consolidation.marginSeconds = 0.010
        expected.consolidation.minimumSaving = 0.2
        expected.consolidation.early = false
        expected.consolidation.earlyLoadFall = 0.5
        #expect(policy == expected)
    }

    @Test func absentIsTheDefaultAndReferenceTurnsEverythingOff() {
        #expect(Self.read("spec: {}\n").policy == ControlPolicy())
        #expect(Self.read("spec:\n  control: {policy: reference}\n").policy == .reference)
    }

    @Test func badValuesAreNamedWithTheirKey() {
        let (_, issues) = Self.read(
            "spec:\n  control:\n    fast-factor: 0.5\n    traffic-confidence: -1\n    consolidation: {min-saving: 2, early-load-fall: 1}\n    policy: fast\n")
        let paths = issues.filter { $0.severity == .error }.map(\.keyPath)
        #expect(paths.contains { $0.hasSuffix("fast-factor") } && paths.contains { $0.hasSuffix("min-saving") }
            && paths.contains { $0.hasSuffix("policy") } && paths.contains { $0.hasSuffix("early-load-fall") }
            && paths.contains { $0.hasSuffix("traffic-confidence") }, "\(issues)")
    }

    @Test func theAssembledSettingsFollowTheFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gma-control-\(UUID().uuidString).yaml").path
        try "spec:\n  control: {policy: reference}\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(ControlSection.policy(configFile: file) == .reference)
        #expect(ControlSection.policy(configFile: file + ".missing") == ControlPolicy())
    }
}
