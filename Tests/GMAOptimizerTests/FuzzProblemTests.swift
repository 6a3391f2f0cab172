import Foundation
import GMATestSupport
import Testing

@testable import GMAOptimizer

/// Issue 8, item 4: mutated `gma/v1` problems decode to a valid problem or to an error that says where.
/// A trap would end the test process, so "the call returned" is checked simply by getting to the next input.
@Suite("Fuzz: gma/v1 problems")
struct FuzzProblemTests {
    static let seed: UInt64 = 0x676D_615F_7631  // "gma_v1"
    static let inputCount = 10_000
    /// Every this-many valid mutated problem is also modelled and solved (greedy, 0.2 s).
    static let solveEvery = 50

    /// Small instances of each kind keep one input cheap; the mutations supply the size when they want it.
    static let seedNames = [
        "offload-small-M06-t00", "offload-small-M10-t01", "unoffload-delay-small-M06-t00",
        "unoffload-lambda-small-M08-t02", "unoffload-delay-small-M12-t00", "offload-M011-t00",
    ]

    @Test("10,000 mutated problems: a problem or an error naming a JSON path")
    func mutatedProblems() throws {
        let texts = Self.seedNames.map { String(decoding: Fixtures.data("instances/\($0).json"), as: UTF8.self) }
        let trees = try texts.map { try #require(FuzzJSON.parse($0), "seed is not JSON") }
        let bytes = ByteMutator(donors: texts.map { Array($0.utf8) })
        let structure = JSONMutator()
        var rng = FuzzRandom(seed: Self.seed)
        var valid = 0
        var solved = 0
        var rejected = 0
        var unlocated: [String] = []

        for index in 0..<Self.inputCount {
            let which = rng.below(trees.count)
            let input: [UInt8]
            switch rng.below(10) {
            case 0..<3:
                input = Array(structure.mutate(trees[which], using: &rng).serialized(pretty: rng.chance(50)).utf8)
            case 3:
                input = Array(structure.mutateLeaves(trees[which], using: &rng).serialized().utf8)
            case 4..<7:
                input = bytes.mutate(Array(texts[which].utf8), using: &rng)
            default:
                let text = structure.mutate(trees[which], using: &rng).serialized(pretty: rng.chance(50))
                input = bytes.mutate(Array(text.utf8), using: &rng)
            }
            do {
                let problem = try PlacementProblem.decode(from: Data(input), source: "fuzz-\(index)")
                valid += 1
                if valid % Self.solveEvery == 0 {
                    let model = try PlacementModel(problem)
                    let solution = PlacementSolver.solve(model, using: .greedy, options: SolveOptions(timeLimitSeconds: 0.2))
                    _ = solution.evaluation.delaySeconds
                    solved += 1
                }
            } catch {
                rejected += 1
                if let problem = Self.unlocated(error), unlocated.count < 10 {
                    unlocated.append("input \(index): \(problem)\n  \(String(decoding: input.prefix(200), as: UTF8.self))")
                }
            }
        }
        #expect(unlocated.isEmpty, "errors without a location:\n\(unlocated.joined(separator: "\n"))")
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(valid > Self.inputCount / 20, "only \(valid) valid problems")
        #expect(rejected > Self.inputCount / 2, "only \(rejected) rejected problems")
        #expect(solved >= valid / Self.solveEvery)
    }

    /// Inputs the fuzzer found whose errors named no place (JSONDecoder on Linux gives no position for
    /// syntax errors; a document of the wrong type had an empty path).
    @Test(
        "regression: located errors for broken syntax and a non-object document",
        arguments: [
            ("{\"apiVersion\": \"gma/v1\",,}", "line 1, column 25"),
            ("{\n  \"apiVersion\":\n  \"gma/v1\" x}", "line 3, column 12"),
            ("{\n  \"kind\": tru\n}", "line 2, column 14"),
            ("{\"services\": [", "line 1, column 15"),
            ("", "line 1, column 1"),
            ("[null]", "$: expected a JSON object"),
            ("\"-Inf\"", "$: expected a JSON object"),
            ("null", "$: expected"),
        ])
    func locatedSyntaxErrors(input: String, location: String) {
        do {
            _ = try PlacementProblem.decode(from: Data(input.utf8), source: "regression")
            Issue.record("\(input) decoded")
        } catch {
            #expect(Self.unlocated(error) == nil, "\(error)")
            #expect(error.description.contains(location), "\(error)")
        }
    }

    /// Why an error fails the contract (an empty description, an issue that names no place), or nil.
    static func unlocated(_ error: ProblemError) -> String? {
        if error.description.isEmpty { return "empty description" }
        for issue in error.issues where issue.message.isEmpty || !names(location: issue) {
            return "issue without a location: \(issue)"
        }
        return nil
    }

    /// A JSON path, or (for syntax errors) the line and column Foundation reports.
    static func names(location issue: ProblemIssue) -> Bool {
        !issue.path.isEmpty || (issue.message.contains("line") && issue.message.contains("column"))
    }
}
