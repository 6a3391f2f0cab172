/// A mixed-integer linear program in sparse form, built in Swift and handed to GLPK as plain arrays.
struct MILPModel: Sendable {
    enum ColumnKind: Int32, Sendable {
        case continuous = 0
        case integer = 1
        case binary = 2
    }

    enum RowKind: Int32, Sendable {
        case upper = 0
        case lower = 1
        case fixed = 2
        case range = 3
    }

    struct Term: Sendable {
        var column: Int
        var coefficient: Double
    }

    private(set) var columnKind: [ColumnKind] = []
    private(set) var columnLower: [Double] = []
    private(set) var columnUpper: [Double] = []
    private(set) var objective: [Double] = []
    private(set) var columnNames: [String] = []
    var objectiveConstant = 0.0

    private(set) var rowKind: [RowKind] = []
    private(set) var rowLower: [Double] = []
    private(set) var rowUpper: [Double] = []
    private(set) var rowNames: [String] = []
    private(set) var entryRow: [Int32] = []
    private(set) var entryColumn: [Int32] = []
    private(set) var entryValue: [Double] = []

    /// The first row whose bounds were not numbers the program can hold, found while building (reported by
    /// `numericProblem`, so a solve refuses the program instead of trapping).
    private(set) var malformedRow: String?

    var columnCount: Int { columnKind.count }
    var rowCount: Int { rowKind.count }

    mutating func addColumn(
        _ name: String, kind: ColumnKind, lower: Double = 0, upper: Double = .infinity, cost: Double = 0
    ) -> Int {
        columnKind.append(kind)
        columnLower.append(lower)
        columnUpper.append(kind == .binary ? min(upper, 1) : upper)
        objective.append(cost)
        columnNames.append(name)
        return columnKind.count - 1
    }

    mutating func setCost(_ column: Int, _ cost: Double) {
        objective[column] = cost
    }

    mutating func setBounds(_ column: Int, lower: Double, upper: Double) {
        columnLower[column] = lower
        columnUpper[column] = upper
    }

    /// Adds `lower ≤ Σ terms ≤ upper` (either side may be infinite, not both). Terms on the same column are merged.
    /// Bounds that are NaN, both infinite or crossed infinities come from numbers beyond the model's range; the
    /// row is kept as an empty range so the arrays stay aligned, and the program is marked unusable.
    mutating func addRow(_ name: String, _ terms: [Term], lower: Double = -.infinity, upper: Double = .infinity) {
        var merged: [Int: Double] = [:]
        var order: [Int] = []
        for t in terms where t.coefficient != 0 {
            if merged[t.column] == nil { order.append(t.column) }
            merged[t.column, default: 0] += t.coefficient
        }
        let row = Int32(rowKind.count)
        for c in order where merged[c] != 0 {
            entryRow.append(row)
            entryColumn.append(Int32(c))
            entryValue.append(merged[c]!)
        }
        switch (lower.isFinite, upper.isFinite) {
        case (true, true): rowKind.append(lower == upper ? .fixed : .range)
        case (true, false) where upper == .infinity: rowKind.append(.lower)
        case (false, true) where lower == -.infinity: rowKind.append(.upper)
        default:
            if malformedRow == nil { malformedRow = "row \(name) has bounds \(lower)…\(upper)" }
            rowKind.append(.range)
            rowLower.append(1)
            rowUpper.append(0)
            rowNames.append(name)
            return
        }
        rowLower.append(lower.isFinite ? lower : 0)
        rowUpper.append(upper.isFinite ? upper : 0)
        rowNames.append(name)
    }

    /// Appends a coefficient without any check. Only for tests of the C guard, which must survive
    /// what GLPK calls a fatal error (an index out of range).
    mutating func appendUncheckedEntry(row: Int32, column: Int32, value: Double) {
        entryRow.append(row)
        entryColumn.append(column)
        entryValue.append(value)
    }

    /// The objective at a point.
    func objectiveValue(_ x: [Double]) -> Double {
        var total = objectiveConstant
        for j in 0..<columnCount { total += objective[j] * x[j] }
        return total
    }

    /// Whether a point satisfies every bound, row and integrality within `tolerance` (scaled by the row's size).
    func isFeasible(_ x: [Double], tolerance: Double = 1e-7) -> Bool {
        guard x.count == columnCount else { return false }
        for j in 0..<columnCount {
            if x[j] < columnLower[j] - tolerance || x[j] > columnUpper[j] + tolerance { return false }
            if columnKind[j] != .continuous, abs(x[j] - x[j].rounded()) > tolerance { return false }
        }
        var activity = [Double](repeating: 0, count: rowCount)
        var scale = [Double](repeating: 1, count: rowCount)
        for k in entryValue.indices {
            let r = Int(entryRow[k])
            activity[r] += entryValue[k] * x[Int(entryColumn[k])]
            scale[r] = max(scale[r], abs(entryValue[k] * x[Int(entryColumn[k])]))
        }
        for r in 0..<rowCount {
            let slack = tolerance * scale[r]
            switch rowKind[r] {
            case .upper: if activity[r] > rowUpper[r] + slack { return false }
            case .lower: if activity[r] < rowLower[r] - slack { return false }
            case .fixed, .range:
                if activity[r] < rowLower[r] - slack || activity[r] > rowUpper[r] + slack { return false }
            }
        }
        return true
    }

    /// GLPK's working range for the numbers of a program (docs/problem-format.md, "Limits"). Its tolerances are
    /// near 1e-7 after scaling, so a bound or coefficient far above 1e12 has no meaningful last digits, and scaling
    /// numbers below 1e-30 can leave the normal doubles. Real problems use 1e-11…1e3.
    static let workingRange = 1e-30...1e12

    /// Rejects what GLPK would abort on or could not solve reliably, so the C guard stays a backstop and the
    /// caller falls back to the greedy: non-finite numbers, empty ranges, numbers outside `workingRange`.
    func numericProblem() -> String? {
        if let malformedRow { return malformedRow }
        for j in 0..<columnCount {
            if !objective[j].isFinite { return "objective of \(columnNames[j]) is \(objective[j])" }
            if !columnLower[j].isFinite || columnLower[j].isNaN || columnUpper[j].isNaN {
                return "bounds of \(columnNames[j]) are [\(columnLower[j]), \(columnUpper[j])]"
            }
            if columnUpper[j] < columnLower[j] { return "empty bounds on \(columnNames[j])" }
        }
        for r in 0..<rowCount where !rowLower[r].isFinite || !rowUpper[r].isFinite {
            return "row \(rowNames[r]) has bound \(rowLower[r])…\(rowUpper[r])"
        }
        for k in entryValue.indices where !entryValue[k].isFinite {
            return "coefficient \(entryValue[k]) in row \(rowNames[Int(entryRow[k])])"
        }
        if !objectiveConstant.isFinite { return "objective constant is \(objectiveConstant)" }
        return outOfRange()
    }

    /// The first number outside `workingRange` (zero and infinite bounds are not numbers GLPK computes with).
    private func outOfRange() -> String? {
        func outside(_ value: Double) -> Bool { value != 0 && value.isFinite && !Self.workingRange.contains(abs(value)) }
        let (low, high) = (ProblemLimits.text(Self.workingRange.lowerBound), ProblemLimits.text(Self.workingRange.upperBound))
        let range = "outside GLPK's working range \(low)…\(high)"
        for k in entryValue.indices where outside(entryValue[k]) {
            return "coefficient \(entryValue[k]) of \(columnNames[Int(entryColumn[k])]) in row \(rowNames[Int(entryRow[k])]) is \(range)"
        }
        for r in 0..<rowCount where outside(rowLower[r]) || outside(rowUpper[r]) {
            return "bounds \(rowLower[r])…\(rowUpper[r]) of row \(rowNames[r]) are \(range)"
        }
        for j in 0..<columnCount where outside(columnLower[j]) || outside(columnUpper[j]) || outside(objective[j]) {
            return "bounds [\(columnLower[j]), \(columnUpper[j])] or cost \(objective[j]) of \(columnNames[j]) are \(range)"
        }
        return nil
    }
}
