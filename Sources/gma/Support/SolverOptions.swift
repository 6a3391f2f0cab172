import ArgumentParser
import GMAOptimizer

extension SolverKind: ExpressibleByArgument {}

/// Options shared by every command that solves a placement.
struct SolverOptions: ParsableArguments {
    @Option(name: .long, help: "Solver: auto (ILP within the budget, greedy fallback), ilp or greedy.")
    var solver: SolverKind = .auto

    @Option(name: .long, help: "Wall-clock budget of one solve, e.g. 2s, 500ms.", transform: DurationText.seconds)
    var timeLimit: Double = 2

    @Option(name: .long, help: "Relative optimality gap at which the ILP may stop (0 = prove optimality).")
    var gap: Double = 0

    @Option(name: .long, help: "Above this many services, auto runs the greedy only.")
    var maxIlpServices: Int = 1000

    func validate() throws {
        guard timeLimit > 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be positive") }
        guard gap >= 0, gap.isFinite else { throw ValidationError("--gap must be ≥ 0") }
        guard maxIlpServices >= 0 else { throw ValidationError("--max-ilp-services must be ≥ 0") }
    }

    var solveOptions: SolveOptions {
        SolveOptions(timeLimitSeconds: timeLimit, relativeGap: gap, maxILPServices: maxIlpServices)
    }
}

/// Durations on the command line: a number with an optional unit (ms, s, m, h); a bare number is seconds.
enum DurationText {
    static func seconds(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), value.isFinite { return value * factor }
        }
        if let value = Double(trimmed), value.isFinite { return value }
        throw ValidationError("'\(text)' is not a duration (examples: 2s, 500ms, 1.5)")
    }
}
