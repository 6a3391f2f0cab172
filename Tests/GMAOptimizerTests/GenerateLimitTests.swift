import Foundation
import Testing

/// `gma generate` writes only problems gma reads back: options that leave the format's limits are refused
/// (docs/problem-format.md, "Limits"), and the service count is bounded so memory is.
@Suite("Generate: options within the problem format's limits")
struct GenerateLimitTests {
    @Test(.enabled(if: ProblemFileLimitTests.binary != nil))
    func rateBeyondTheLimitIsRefused() throws {
        let result = try ProblemFileLimitTests.gma(["generate", "--services", "5", "--rate", "1e12"])
        #expect(result.status == 2)
        // Usage grows with the rate, so it is over its limit too: one line per value, each naming its path.
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.allSatisfy { $0.contains("generated problem: ") }, "\(result.stderr)")
        #expect(lines.contains("generated problem: userRequestsPerSecond: must be at most 1e+09, found 1000000000000.0"))
    }

    /// A usage error (exit 64), like every option that fails its own check.
    @Test(.enabled(if: ProblemFileLimitTests.binary != nil))
    func serviceCountIsBounded() throws {
        let result = try ProblemFileLimitTests.gma(["generate", "--services", "2000000"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--services must be at most 1000000"), "\(result.stderr)")
    }
}
