import ArgumentParser
import Foundation
import GMAConfig
import GMAOptimizer

extension PlacementAction: ExpressibleByArgument {}

struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a random gma/v1 problem drawn like the reference simulators.",
        discussion: """
            Barabási–Albert call graph with Pareto fan-in, the simulators' ranges for usage, response sizes and \
            internal delays (rescaled to 0.05 s in total), target = cloud-only delay − 0.1 s. The same seed gives \
            the same file on every platform. --action unoffload starts from the greedy's offload placement with \
            the rate cut to a fifth and an allowed delay of 0.1 s.

              gma generate --services 200 --seed 7 > app.json
              gma generate --services 2000 --rtt 40ms --bandwidth 10Gbps --output big.json
              gma generate --services 100 --edges 3 > three-edges.json      (gma/v2)
            """
    )

    @Option(name: .long, help: "Number of services (the user is not counted).")
    var services: Int

    @Option(name: .long, help: "Seed of the random stream.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "offload (cold start) or unoffload (warm start).")
    var action: PlacementAction = .offload

    @Option(name: .long, help: "Edge→cloud round-trip time, e.g. 80ms.", transform: DurationText.seconds)
    var rtt: Double = 0.08

    @Option(name: .long, help: "Cloud→edge capacity, e.g. 1Gbps, 500Mbps.", transform: Generate.bitRate)
    var bandwidth: Double = 1e9

    @Option(name: .long, help: "User requests per second.")
    var rate: Double = 50

    @Option(name: .long, help: "Edge clusters; more than one writes a gma/v2 problem (rate and RTT spread per edge).")
    var edges: Int = 1

    @Option(name: .shortAndLong, help: "Write the problem to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard services >= 1 else { throw ValidationError("--services must be at least 1") }
        // A million services is a 660 MB file: far beyond what gma reads back (--max-input-size), and memory grows
        // with the count, so larger values are refused rather than attempted.
        guard services <= 1_000_000 else { throw ValidationError("--services must be at most 1000000") }
        guard rtt >= 0, rtt.isFinite else { throw ValidationError("--rtt must be ≥ 0") }
        guard bandwidth > 0, bandwidth.isFinite else { throw ValidationError("--bandwidth must be positive") }
        guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be ≥ 0") }
        guard (1...64).contains(edges) else { throw ValidationError("--edges must be between 1 and 64") }
        guard edges == 1 || action == .offload else { throw ValidationError("--edges above 1 draws offload problems only") }
    }

    static func bitRate(_ text: String) throws -> Double {
        do { return try UnitParser.bitsPerSecond(text) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        try await reportingUserErrors {
            var generator = AppGenerator(services: services, seed: seed)
            generator.action = action
            generator.rttSeconds = rtt
            generator.bitsPerSecond = bandwidth
            generator.requestsPerSecond = rate
            // The options may leave the problem format's limits (a rate above 1e9): say so rather than write a
            // file that gma would refuse to read (docs/problem-format.md, "Limits").
            let data: Data
            if edges > 1 {
                let problem = MultiEdgeGenerator(app: generator, edges: edges).problem()
                let issues = problem.issues()
                if !issues.isEmpty { throw ProblemError.invalid(source: "generated problem", issues: issues) }
                data = try problem.encoded()
            } else {
                data = try generator.problem().validated(source: "generated problem").problem.encoded()
            }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: data + Data("\n".utf8)) else {
                    throw UserFacingError("\(output): cannot write the file")
                }
            } else {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
    }
}
