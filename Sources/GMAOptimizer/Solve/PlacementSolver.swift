/// Entry point of every placement solve: picks the solver, bounds it by the budget, falls back to the greedy.
public enum PlacementSolver {
    public static func solve(_ model: PlacementModel, using kind: SolverKind, options: SolveOptions) -> PlacementSolution {
        // The exact solver arrives with the ILP issue; until then every kind runs the greedy.
        GreedyPlacer(model: model, options: options).solve()
    }
}
