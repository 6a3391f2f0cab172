import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMATwin

/// Load profiles as a scenario writes them: the rate at chosen instants of each kind of segment.
@Suite("Twin: load profiles")
struct TwinLoadProfileTests {
    /// A scenario around `load` (the rest is the defaults).
    static func scenario(load: String, file: String = "load.yaml", baseDirectory: String = ".") throws -> Scenario {
        try Scenario.parse("app: mubench\nload:\n\(load)", file: file, baseDirectory: baseDirectory)
    }

    static func expectRates(_ profile: LoadProfile, _ expected: [(time: Double, rate: Double)]) {
        for (t, rate) in expected {
            let got = profile.rate(at: t)
            #expect(abs(got - rate) < 1e-9, "rate at \(t) s: \(got), expected \(rate)")
        }
    }

    @Test func holdIsConstantAndLastsItsDuration() throws {
        let s = try Self.scenario(load: "  - hold: {rate: 75, for: 2m}\n  - hold: {rate: 30, for: 30s}")
        #expect(s.load.durationSeconds == 150)
        #expect(s.durationSeconds == 150, "the duration defaults to the load's")
        Self.expectRates(s.load, [(0, 75), (60, 75), (119.9, 75), (120, 30), (149, 30), (500, 30)])
        #expect(s.load.stepTimes == [120])
    }

    @Test func sweepWithBackClimbsAndReturnsHoldingThePeakOnce() throws {
        let s = try Self.scenario(load: "  - sweep: {from: 40, to: 120, step: 40, every: 1m, back: true}")
        // 40, 80, 120, 80, 40: five steps of a minute.
        #expect(s.load.durationSeconds == 300)
        Self.expectRates(s.load, [(0, 40), (59, 40), (60, 80), (150, 120), (185, 80), (240, 40), (299, 40), (1000, 40)])
        #expect(s.load.stepTimes == [60, 120, 180, 240])
    }

    @Test func sweepWithoutBackStopsAtThePeak() throws {
        let s = try Self.scenario(load: "  - sweep: {from: 40, to: 120, step: 40, every: 1m, back: false}")
        #expect(s.load.durationSeconds == 180)
        Self.expectRates(s.load, [(30, 40), (90, 80), (150, 120), (400, 120)])
    }

    @Test func sweepDownwardsSteps() throws {
        let s = try Self.scenario(load: "  - sweep: {from: 300, to: 100, step: 100, every: 10s, back: false}")
        Self.expectRates(s.load, [(0, 300), (10, 200), (25, 100)])
    }

    @Test func rampIsLinear() throws {
        let s = try Self.scenario(load: "  - hold: {rate: 100, for: 60s}\n  - ramp: {from: 100, to: 200, for: 100s}")
        Self.expectRates(s.load, [(60, 100), (85, 125), (110, 150), (159, 199), (160, 200), (1000, 200)])
        #expect(s.load.stepTimes.isEmpty, "a ramp that starts at the held rate is no step")
    }

    @Test func loadChangesCountJumpsRampsAndSineHalfPeriods() throws {
        let steps = try Self.scenario(load: "  - sweep: {from: 40, to: 120, step: 40, every: 1m, back: true}")
        #expect(steps.load.changeCount == 4, "four jumps")
        // A flash crowd: a ramp up and a ramp down, no jump; a 5 % drift is no change.
        let crowd = try Self.scenario(load: """
              - hold: {rate: 80, for: 60s}
              - ramp: {from: 80, to: 1300, for: 60s}
              - ramp: {from: 1300, to: 80, for: 60s}
              - ramp: {from: 80, to: 84, for: 60s}
            """)
        #expect(crowd.load.changeCount == 2)
        // Two periods of a sine: two rises and two falls; a 5 % ripple counts none.
        let sine = try Self.scenario(load: "  - sine: {mean: 150, amplitude: 110, period: 60m, for: 120m}")
        #expect(sine.load.changeCount == 4)
        let ripple = try Self.scenario(load: "  - sine: {mean: 150, amplitude: 7, period: 60m, for: 120m}")
        #expect(ripple.load.changeCount == 0)
    }

    @Test func sineStartsAtTheMeanAndRises() throws {
        let s = try Self.scenario(load: "  - sine: {mean: 100, amplitude: 50, period: 400s, for: 800s}")
        Self.expectRates(s.load, [(0, 100), (100, 150), (200, 100), (300, 50), (500, 150), (700, 50)])
    }

    @Test func sineNeverReportsANegativeRate() throws {
        let s = try Self.scenario(load: "  - sine: {mean: 10, amplitude: 50, period: 400s, for: 400s}")
        #expect(s.load.rate(at: 300) == 0)
    }

    @Test func csvTraceIsJoinedLinearlyAndHoldsItsFirstAndLastRates() throws {
        let directory = try TemporaryDirectory()
        try directory.write("trace.csv", "time,rate\n30,10\n90,70\n\n# a comment\n2m30s,70\n3m,40\n")
        let s = try Self.scenario(load: "  - csv: trace.csv", baseDirectory: directory.path)
        #expect(s.load.durationSeconds == 180)
        Self.expectRates(s.load, [(0, 10), (29, 10), (60, 40), (90, 70), (120, 70), (165, 55), (180, 40), (900, 40)])
    }

    @Test func badCSVLineIsReportedWithItsFileAndLine() throws {
        let directory = try TemporaryDirectory()
        // Line 4 is bad; the empty line 3 still counts.
        try directory.write("trace.csv", "time,rate\n0,10\n\n60,lots\n")
        let csv = (directory.path as NSString).appendingPathComponent("trace.csv")
        let error = #expect(throws: ConfigError.self) {
            try Self.scenario(load: "  - csv: trace.csv", file: "crowd.yaml", baseDirectory: directory.path)
        }
        let text = error?.description ?? ""
        #expect(text.contains("\(csv):4:"), "\(text)")
        #expect(text.contains("60,lots"), "\(text)")
        #expect(text.contains("crowd.yaml:3:"), "the scenario's position too: \(text)")
    }

    @Test func missingCSVIsReported() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: ConfigError.self) {
            try Self.scenario(load: "  - csv: nowhere.csv", baseDirectory: directory.path)
        }
        #expect(error?.description.contains("nowhere.csv") == true, "\(String(describing: error))")
    }

    @Test func negativeRateIsRejected() throws {
        let error = #expect(throws: ConfigError.self) {
            try Self.scenario(load: "  - hold: {rate: -5, for: 1m}")
        }
        #expect(error?.description.contains("load[0].hold.rate") == true, "\(String(describing: error))")
    }
}
