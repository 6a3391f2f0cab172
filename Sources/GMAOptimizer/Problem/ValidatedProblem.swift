/// A problem that passed `ProblemValidator`. Only validation makes one, so `PlacementModel(_:)` can skip
/// validating it again: at 30,000 services that is a tenth of a second, which a solve budget counted from the end
/// of parsing would otherwise pay.
public struct ValidatedProblem: Sendable {
    public let problem: PlacementProblem

    fileprivate init(_ problem: PlacementProblem) {
        self.problem = problem
    }
}

extension PlacementProblem {
    /// This problem, validated; every issue found names its JSON path. `source` names the input in errors.
    public func validated(source: String = "problem") throws(ProblemError) -> ValidatedProblem {
        let issues = ProblemValidator(problem: self).issues()
        if !issues.isEmpty { throw .invalid(source: source, issues: issues) }
        return ValidatedProblem(self)
    }
}

extension PlacementModel {
    /// The model of a problem validated already.
    public init(_ validated: ValidatedProblem) {
        self.init(validated: validated.problem)
    }
}
