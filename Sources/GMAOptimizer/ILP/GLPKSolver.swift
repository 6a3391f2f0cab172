import CGLPKGuard
import Foundation
import Dispatch

/// How one GLPK branch-and-bound run ended.
struct MILPOutcome: Sendable {
    enum Status: Sendable, Equatable {
        case optimal
        /// An integer solution exists; optimality not proven (time limit, gap, deadline).
        case feasible
        case infeasible
        /// No integer solution known (budget ran out before the first one).
        case unknown
        /// GLPK reported an error (bad numbers, internal failure); `message` has its text.
        case error
    }

    var status: Status
    var objective: Double
    var bound: Double?
    var solution: [Double]
    var nodes: Int
    var deadlineHit: Bool
    var message: String
}

struct MILPSettings: Sendable {
    /// Absolute deadline on `gma_monotonic_seconds()`'s clock.
    var deadline: Double
    var relativeGap: Double = 0
    /// GLPK's MIP presolver; off lets an incumbent be offered.
    var presolve = false
    var incumbent: [Double]?
    /// GLPK's branching rule (0: default), backtracking rule (0: default) and cut families (bit set).
    var branching: Int32 = 0
    var backtracking: Int32 = 0
    var cuts: Int32 = 0
}

/// The one owner of GLPK in gma. GLPK keeps per-thread global state and is not thread-safe, so every run
/// (create → solve → delete, all inside one C call behind a setjmp guard) happens on this serial queue.
enum GLPKSolver {
    private static let queue = DispatchQueue(label: "gma.glpk")

    static func now() -> Double { gma_monotonic_seconds() }

    static func solve(_ model: MILPModel, settings: MILPSettings) -> MILPOutcome {
        if let problem = model.numericProblem() {
            return MILPOutcome(
                status: .error, objective: 0, bound: nil, solution: [], nodes: 0, deadlineHit: false,
                message: "refused to pass to GLPK: \(problem)")
        }
        return queue.sync { run(model, settings: settings, lpPath: nil) }
    }

    /// Writes the model in CPLEX LP format. Returns GLPK's message on failure.
    static func writeLP(_ model: MILPModel, to path: String) -> String? {
        if let problem = model.numericProblem() { return problem }
        let outcome = queue.sync {
            run(model, settings: MILPSettings(deadline: 0), lpPath: path)
        }
        return outcome.status == .error ? outcome.message : nil
    }

    private static func run(_ model: MILPModel, settings: MILPSettings, lpPath: String?) -> MILPOutcome {
        let kinds = model.columnKind.map(\.rawValue)
        let rowKinds = model.rowKind.map(\.rawValue)
        var solution = [Double](repeating: 0, count: max(model.columnCount, 1))
        var result = gma_milp_result()
        let remainingMs = (settings.deadline - now()) * 1000
        let limitMs = Int32(max(1, min(remainingMs.rounded(.up), Double(Int32.max))))
        let ret: Int32 = kinds.withUnsafeBufferPointer { kind in
            model.columnLower.withUnsafeBufferPointer { lower in
                model.columnUpper.withUnsafeBufferPointer { upper in
                    model.objective.withUnsafeBufferPointer { objective in
                        rowKinds.withUnsafeBufferPointer { rowKind in
                            model.rowLower.withUnsafeBufferPointer { rowLower in
                                model.rowUpper.withUnsafeBufferPointer { rowUpper in
                                    model.entryRow.withUnsafeBufferPointer { ri in
                                        model.entryColumn.withUnsafeBufferPointer { ci in
                                            model.entryValue.withUnsafeBufferPointer { v in
                                                solution.withUnsafeMutableBufferPointer { out in
                                                    withIncumbent(settings.incumbent) { incumbent in
                                                        withOptionalCString(lpPath) { path in
                                                            var m = gma_milp(
                                                                rows: Int32(model.rowCount), cols: Int32(model.columnCount),
                                                                col_kind: kind.baseAddress, col_lower: lower.baseAddress,
                                                                col_upper: upper.baseAddress, objective: objective.baseAddress,
                                                                objective_constant: model.objectiveConstant,
                                                                row_kind: rowKind.baseAddress, row_lower: rowLower.baseAddress,
                                                                row_upper: rowUpper.baseAddress,
                                                                nonzeros: Int32(model.entryValue.count),
                                                                row_index: ri.baseAddress, col_index: ci.baseAddress,
                                                                value: v.baseAddress, time_limit_ms: limitMs,
                                                                deadline: settings.deadline, mip_gap: settings.relativeGap,
                                                                presolve: settings.presolve ? 1 : 0,
                                                                incumbent: incumbent, lp_path: path,
                                                                branching: settings.branching,
                                                                backtracking: settings.backtracking, cuts: settings.cuts,
                                                                col_names: nil, row_names: nil)
                                                            result.solution = out.baseAddress
                                                            guard lpPath != nil else { return gma_milp_solve(&m, &result) }
                                                            return withCStrings(model.columnNames) { columns in
                                                                withCStrings(model.rowNames) { rows in
                                                                    m.col_names = columns
                                                                    m.row_names = rows
                                                                    return gma_milp_solve(&m, &result)
                                                                }
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let status: MILPOutcome.Status
        switch (ret, result.status) {
        case (-1, _), (-2, _): status = .error
        case (_, 5): status = .optimal  // GLP_OPT
        case (_, 2): status = .feasible  // GLP_FEAS
        case (_, 4): status = .infeasible  // GLP_NOFEAS
        default: status = ret == 0 || ret == 9 || ret == 14 || ret == 13 ? .unknown : (ret == 10 ? .infeasible : .unknown)
        }
        let hasSolution = status == .optimal || status == .feasible
        return MILPOutcome(
            status: status,
            objective: result.objective,
            bound: result.bound.isFinite ? result.bound : nil,
            solution: hasSolution ? Array(solution.prefix(model.columnCount)) : [],
            nodes: Int(result.nodes),
            deadlineHit: result.deadline_hit != 0,
            message: ret == -1 || ret == -2 ? message.trimmingCharacters(in: .whitespacesAndNewlines) : message)
    }

    private static func withIncumbent<R>(_ incumbent: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let incumbent else { return body(nil) }
        return incumbent.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Names for the LP file, valid during `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }
}
