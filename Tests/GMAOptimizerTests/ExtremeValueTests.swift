import Foundation
import GMATestSupport
import Testing

@testable import GMAOptimizer

/// Issue 14, "The solver": finite numbers that passed validation reached a precondition in `MILPModel` and
/// trapped the process (exit 132). Now a value the model cannot represent is rejected with its JSON path, and a
/// numeric failure left over is a solver error with the greedy's answer. A trap ends the test process, so "the
/// call returned" is checked by getting to the next line.
@Suite("Extreme values: rejected with a path or solved, never a trap")
struct ExtremeValueTests {
    static func fixture(_ name: String) throws -> PlacementProblem { try Fixtures.problem(name) }

    static func decodeIssues(_ problem: PlacementProblem) throws -> [ProblemIssue] {
        let data = try problem.encoded()
        do {
            _ = try PlacementProblem.decode(from: data, source: "extreme.json")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("the issue's inputs are rejected naming their JSON path")
    func issueInputsAreRejected() throws {
        var fast = try Self.fixture("offload-small-M06-t00")
        fast.userRequestsPerSecond = 1e308
        #expect(try Self.decodeIssues(fast).map(\.path) == ["userRequestsPerSecond"])
        var slow = try Self.fixture("offload-small-M06-t00")
        slow.network.cloudToEdgeBitsPerSecond = 1e-300
        let issues = try Self.decodeIssues(slow)
        #expect(issues.map(\.path) == ["network.cloudToEdgeBitsPerSecond"])
        #expect(issues.first?.message == "must be between 1 and 1e+15, found 1e-300", "\(issues)")
    }

    /// Every hop below may call the next 1e6 times (within the per-call limit), but two hops make 1e12
    /// invocations of s2 per request: s2 is named (the first over the limit), with its count.
    @Test func invocationsBeyondTheLimitNameTheService() throws {
        var problem = try Self.fixture("offload-small-M06-t00")
        problem.calls = [
            Call(from: "user", to: "s0", perRequest: 1), Call(from: "s0", to: "s1", perRequest: 1e6),
            Call(from: "s1", to: "s2", perRequest: 1e6), Call(from: "s2", to: "s3", perRequest: 1e6),
        ]
        let issues = try Self.decodeIssues(problem)
        #expect(issues.count == 1)
        #expect(issues.first?.path == "services[2]", "\(issues)")
        #expect(issues.first?.message.hasPrefix("s2 is invoked 1e+12 times per user request") == true, "\(issues)")
    }

    /// A row whose bound is not a number used to be `preconditionFailure("row … has no bound")`.
    @Test func rowWithoutANumericBoundIsAnErrorNotATrap() {
        var program = MILPModel()
        let x = program.addColumn("x", kind: .continuous, lower: 0, upper: 1)
        program.addRow("nan_row", [.init(column: x, coefficient: 1)], lower: .nan)
        program.addRow("free_row", [.init(column: x, coefficient: 1)], lower: -.infinity, upper: .infinity)
        #expect(program.numericProblem() == "row nan_row has bounds nan…inf")
        let outcome = GLPKSolver.solve(program, settings: MILPSettings(deadline: GLPKSolver.now() + 1))
        #expect(outcome.status == .error)
        #expect(outcome.message.contains("nan_row"))
    }

    /// Numbers the program can hold but GLPK cannot solve with reliably are refused the same way.
    @Test func numbersBeyondGLPKsRangeAreRefused() {
        var program = MILPModel()
        let x = program.addColumn("x", kind: .binary)
        let y = program.addColumn("y", kind: .continuous, lower: 0, upper: 1)
        program.addRow("fine", [.init(column: x, coefficient: 1e-11), .init(column: y, coefficient: 333)], upper: 1)
        #expect(program.numericProblem() == nil)
        program.addRow("huge", [.init(column: x, coefficient: 1), .init(column: y, coefficient: 3e13)], upper: 1)
        #expect(
            program.numericProblem()
                == "coefficient 30000000000000.0 of y in row huge is outside GLPK's working range 1e-30…1e+12")
    }

    /// The issue's problem, modelled without validation: the formulation's tangent has a NaN intercept. The solve
    /// now ends in the greedy's answer with the reason, instead of exit 132.
    @Test(arguments: [("userRequestsPerSecond", 1e308), ("cloudToEdgeBitsPerSecond", 1e-300)])
    func unrepresentableProgramFallsBackToTheGreedy(field: String, value: Double) throws {
        var problem = try Self.fixture("offload-small-M06-t00")
        if field == "userRequestsPerSecond" { problem.userRequestsPerSecond = value }
        else { problem.network.cloudToEdgeBitsPerSecond = value }
        let model = PlacementModel(validated: problem)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 5))
        #expect(solution.solver == "greedy")
        #expect(solution.status == .fallback || solution.status == .infeasible)
        #expect(solution.note?.contains("refused to pass to GLPK") == true, "\(solution.note ?? "no note")")
    }

    /// Fields a random case may set, by JSON path.
    static func numericFields(of problem: PlacementProblem) -> [(path: String, set: (inout PlacementProblem, Double) -> Void)] {
        var fields: [(String, (inout PlacementProblem, Double) -> Void)] = [
            ("userRequestsPerSecond", { $0.userRequestsPerSecond = $1 }),
            ("network.rttSeconds", { $0.network.rttSeconds = $1 }),
            ("network.cloudToEdgeBitsPerSecond", { $0.network.cloudToEdgeBitsPerSecond = $1 }),
            ("network.edgeToCloudBitsPerSecond", { $0.network.edgeToCloudBitsPerSecond = $1 }),
            ("prices.edge.cpuCoreHour", { $0.prices.edge.cpuCoreHour = $1 }),
            ("prices.cloud.memoryGBHour", { $0.prices.cloud.memoryGBHour = $1 }),
            ("prices.networkGB", { $0.prices.networkGB = $1 }),
            ("target", { $0.target = $0.action == .offload ? Target(delayReductionSeconds: $1) : Target(maxDelayIncreaseSeconds: $1) }),
            ("ingress.cpuRequestCores.cloud", { $0.ingress?.cpuRequestCores.cloud = $1 }),
        ]
        for i in problem.services.indices {
            let p = "services[\(i)]"
            fields += [
                ("\(p).cpuRequestCores.cloud", { $0.services[i].cpuRequestCores.cloud = $1 }),
                ("\(p).cpuRequestCores.edge", { $0.services[i].cpuRequestCores.edge = $1 }),
                ("\(p).memoryRequestBytes.edge", { $0.services[i].memoryRequestBytes.edge = $1 }),
                ("\(p).cpuUsageCores.cloud", { $0.services[i].cpuUsageCores.cloud = $1 }),
                ("\(p).memoryUsageBytes.cloud", { $0.services[i].memoryUsageBytes.cloud = $1 }),
                ("\(p).responseBytes", { $0.services[i].responseBytes = $1 }),
                ("\(p).internalDelaySeconds", { $0.services[i].internalDelaySeconds = $1 }),
                ("\(p).hpaCpuThreshold", { $0.services[i].hpaCpuThreshold = $1 }),
            ]
        }
        for i in problem.calls.indices {
            fields.append(("calls[\(i)].perRequest", { $0.calls[i].perRequest = $1 }))
        }
        return fields
    }

    /// A magnitude from the whole double range, often a notable one; mostly positive, like the fields.
    static func extremeValue(_ rng: inout FuzzRandom) -> Double {
        let notable: [Double] = [
            1e308, .greatestFiniteMagnitude, 1e-300, 5e-324, .leastNormalMagnitude, 0, 1e-15, 1e-9, 1e-6, 1e-3, 1,
            1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 1e200,
        ]
        let magnitude =
            rng.chance(50)
            ? rng.pick(notable) : Double(rng.between(1, 9)) * pow(10, Double(rng.between(-320, 305)))
        return rng.chance(10) ? -magnitude : magnitude
    }

    @Test("300 random extreme-value problems: each rejected with a path, or solved with finite figures")
    func randomExtremeProblems() throws {
        let bases = try ["offload-small-M06-t00", "unoffload-delay-small-M06-t00"].map(Self.fixture)
        var rng = FuzzRandom(seed: 0x6578_7472_656D_65)  // "extreme"
        var rejected = 0
        var solved = 0
        for index in 0..<300 {
            var problem = bases[index % bases.count]
            let fields = Self.numericFields(of: problem)
            var changed: [String] = []
            for _ in 0..<rng.between(1, 3) {
                let field = rng.pick(fields)
                let value = Self.extremeValue(&rng)
                field.set(&problem, value)
                changed.append("\(field.path) = \(value)")
            }
            let issues = try Self.decodeIssues(problem)
            if !issues.isEmpty {
                rejected += 1
                #expect(issues.allSatisfy { !$0.path.isEmpty }, "case \(index) \(changed): \(issues)")
                continue
            }
            let model = try PlacementModel(problem)
            let solution = PlacementSolver.solve(model, using: .auto, options: SolveOptions(timeLimitSeconds: 0.05))
            let figures = solution.evaluation
            #expect(
                figures.cost.total.isFinite && figures.delaySeconds.isFinite && figures.rho.isFinite,
                "case \(index) \(changed): cost \(figures.cost.total), delay \(figures.delaySeconds)")
            if solution.status == .optimal || solution.status == .feasible || solution.status == .fallback {
                #expect(solution.feasible, "case \(index) \(changed): \(solution.status) placement misses the target")
            }
            solved += 1
        }
        // Both outcomes must be exercised, or the property proves little.
        #expect(rejected >= 30, "only \(rejected) rejected")
        #expect(solved >= 30, "only \(solved) solved")
    }
}
