/// Small dense linear solves for cyclic parts of a call graph.
enum DenseSystem {
    /// Solves `A x = b` for a Z-matrix `A` (row-major, `size × size`) by elimination without pivoting.
    ///
    /// A Z-matrix is a nonsingular M-matrix exactly when every pivot of this elimination is positive, which is
    /// the condition for the call counts of a cycle to converge; then `x ≥ 0` for `b ≥ 0`. Returns nil otherwise.
    static func solveMMatrix(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var a = a
        var x = b
        let minimumPivot = 1e-12
        for p in 0..<n {
            let pivot = a[p * n + p]
            guard pivot > minimumPivot, pivot.isFinite else { return nil }
            for r in (p + 1)..<n {
                let factor = a[r * n + p] / pivot
                if factor == 0 { continue }
                for c in p..<n { a[r * n + c] -= factor * a[p * n + c] }
                x[r] -= factor * x[p]
            }
        }
        for p in stride(from: n - 1, through: 0, by: -1) {
            var s = x[p]
            for c in (p + 1)..<n { s -= a[p * n + c] * x[c] }
            x[p] = s / a[p * n + p]
            guard x[p].isFinite else { return nil }
        }
        return x
    }
}
