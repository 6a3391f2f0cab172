import Dispatch
import GMAOptimizer

/// Solves the decider's placement models. The decider receives one and never chooses or starts a solver
/// itself (docs/architecture.md): the built-in one below, a plug-in program (`GMARuntime`), or a test's.
public protocol PlacementSolving: Sendable {
    /// The placement for `model` within `options`' budget.
    func solve(_ model: PlacementModel, options: SolveOptions) async -> PlacementSolution
}

/// The built-in solvers (the MILP on GLPK, the greedy), run on a thread of their own.
///
/// A solve blocks its thread for up to its budget; on Swift's cooperative pool (one thread per core) that
/// would stall every other task meanwhile — the HTTP endpoints, the telemetry queries. GLPK is not
/// thread-safe either, so every solve of the process goes through one serial queue: one owner at a time.
public struct BuiltInSolver: PlacementSolving {
    public let kind: SolverKind

    public init(_ kind: SolverKind) {
        self.kind = kind
    }

    public func solve(_ model: PlacementModel, options: SolveOptions) async -> PlacementSolution {
        let kind = kind
        return await SolverQueue.shared.run { PlacementSolver.solve(model, using: kind, options: options) }
    }
}

/// One serial dispatch queue for blocking solves, outside the cooperative pool.
public struct SolverQueue: Sendable {
    public static let shared = SolverQueue()
    private let queue = DispatchQueue(label: "gma.solver", qos: .userInitiated)

    /// Runs `work` on the queue and resumes the caller with its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
