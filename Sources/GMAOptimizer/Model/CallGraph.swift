/// The call graph in index form: services `0..<n`, the user (edge ingress) is node `n`.
///
/// Expected invocations per user request are found by propagation in callers-first order over the
/// strongly connected components; a component with a cycle (mutual calls, a self-call) is solved as a
/// small dense linear system. Acyclic graphs therefore cost O(calls) per evaluation.
struct CallGraph: Sendable {
    struct Edge: Sendable {
        var from: Int
        var to: Int
        var rate: Double
    }

    /// A strongly connected component with the calls inside it in local indices.
    struct Component: Sendable {
        var members: [Int]
        var internalCalls: [(from: Int, to: Int, rate: Double)]
        var isCyclic: Bool { members.count > 1 || !internalCalls.isEmpty }
    }

    let serviceCount: Int
    var user: Int { serviceCount }
    /// Calls between different nodes, in input order (self-calls are in `selfRate`).
    let calls: [Edge]
    /// CSR of the calls by callee: `incoming[incomingStart[b]..<incomingStart[b+1]]` are indices into `calls`.
    let incomingStart: [Int]
    let incoming: [Int]
    /// CSR of the calls by caller.
    let outgoingStart: [Int]
    let outgoing: [Int]
    let selfRate: [Double]
    /// Components of the services (the user excluded), callers first.
    let components: [Component]
    let isAcyclic: Bool

    init(serviceCount n: Int, calls input: [Edge]) {
        serviceCount = n
        var selfRate = [Double](repeating: 0, count: n + 1)
        var calls: [Edge] = []
        for e in input {
            if e.from == e.to { selfRate[e.to] += e.rate } else { calls.append(e) }
        }
        self.calls = calls
        self.selfRate = selfRate
        (incomingStart, incoming) = Self.csr(nodes: n + 1, calls.indices.map { calls[$0].to })
        (outgoingStart, outgoing) = Self.csr(nodes: n + 1, calls.indices.map { calls[$0].from })
        components = Self.components(n: n, calls: calls, selfRate: selfRate, outStart: outgoingStart, out: outgoing)
        isAcyclic = components.allSatisfy { !$0.isCyclic }
    }

    init(problem: PlacementProblem) {
        var index: [String: Int] = [PlacementProblem.userName: problem.services.count]
        for (i, s) in problem.services.enumerated() { index[s.name] = i }
        let edges = problem.calls.compactMap { c -> Edge? in
            guard let a = index[c.from], let b = index[c.to] else { return nil }
            return Edge(from: a, to: b, rate: c.perRequest)
        }
        self.init(serviceCount: problem.services.count, calls: edges)
    }

    private static func csr(nodes: Int, _ keys: [Int]) -> ([Int], [Int]) {
        var start = [Int](repeating: 0, count: nodes + 1)
        for k in keys { start[k + 1] += 1 }
        for i in 0..<nodes { start[i + 1] += start[i] }
        var fill = start
        var items = [Int](repeating: 0, count: keys.count)
        for (i, k) in keys.enumerated() {
            items[fill[k]] = i
            fill[k] += 1
        }
        return (start, items)
    }

    /// Tarjan's algorithm without recursion (graphs of thousands of services would overflow the stack).
    private static func components(
        n: Int, calls: [Edge], selfRate: [Double], outStart: [Int], out: [Int]
    ) -> [Component] {
        var index = [Int](repeating: -1, count: n)
        var low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = []
        var next = 0
        var found: [[Int]] = []
        // One work stack for every root: an allocation per root costs milliseconds at tens of thousands.
        var work: [(node: Int, edge: Int)] = []
        for root in 0..<n where index[root] < 0 {
            work.append((root, outStart[root]))
            index[root] = next
            low[root] = next
            next += 1
            stack.append(root)
            onStack[root] = true
            while let (v, e) = work.last {
                if e < outStart[v + 1] {
                    work[work.count - 1].edge += 1
                    let w = calls[out[e]].to
                    if index[w] < 0 {
                        index[w] = next
                        low[w] = next
                        next += 1
                        stack.append(w)
                        onStack[w] = true
                        work.append((w, outStart[w]))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                if low[v] == index[v] {
                    var members: [Int] = []
                    while true {
                        let w = stack.removeLast()
                        onStack[w] = false
                        members.append(w)
                        if w == v { break }
                    }
                    found.append(members.sorted())
                }
            }
        }
        // Tarjan emits sinks first; callers must come first.
        // Local indices through one shared array (reset after each component), not a dictionary per component.
        var local = [Int](repeating: -1, count: n)
        return found.reversed().map { members in
            if members.count == 1 {
                let m = members[0]
                return Component(members: members, internalCalls: selfRate[m] != 0 ? [(0, 0, selfRate[m])] : [])
            }
            for (i, m) in members.enumerated() { local[m] = i }
            var internalCalls: [(from: Int, to: Int, rate: Double)] = []
            for (i, m) in members.enumerated() {
                if selfRate[m] != 0 { internalCalls.append((i, i, selfRate[m])) }
                for k in outStart[m]..<outStart[m + 1] where local[calls[out[k]].to] >= 0 {
                    internalCalls.append((i, local[calls[out[k]].to], calls[out[k]].rate))
                }
            }
            for m in members { local[m] = -1 }
            return Component(members: members, internalCalls: internalCalls)
        }
    }
}

extension CallGraph {
    /// Invocations per user request of every edge copy (`edgeN`) and cloud copy (`cloudN`), docs/model.md §3.
    /// `atEdge[user]` must be true. Returns false if a cyclic component has no physical solution.
    @discardableResult
    func invocations(atEdge: [Bool], cloudN: inout [Double], edgeN: inout [Double]) -> Bool {
        let u = user
        edgeN[u] = 1
        cloudN[u] = 0
        var ok = true
        for component in components {
            if !component.isCyclic {
                let b = component.members[0]
                var fromEdge = 0.0
                var fromCloud = 0.0
                for k in incomingStart[b]..<incomingStart[b + 1] {
                    let call = calls[incoming[k]]
                    fromEdge += call.rate * edgeN[call.from]
                    fromCloud += call.rate * cloudN[call.from]
                }
                // An edge copy calls the callee's edge copy if present, else its cloud copy (docs/model.md §2).
                if atEdge[b] {
                    edgeN[b] = fromEdge
                    cloudN[b] = fromCloud
                } else {
                    edgeN[b] = 0
                    cloudN[b] = fromCloud + fromEdge
                }
            } else {
                ok = solveCyclic(component, atEdge: atEdge, cloudN: &cloudN, edgeN: &edgeN) && ok
            }
        }
        return ok
    }

    private func solveCyclic(
        _ component: Component, atEdge: [Bool], cloudN: inout [Double], edgeN: inout [Double]
    ) -> Bool {
        let members = component.members
        let k = members.count
        var inside = Set(members)
        inside.reserveCapacity(k)
        // Edge copies: only members at the edge exist; inputs from edge copies outside the component.
        var matrix = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for (i, b) in members.enumerated() {
            matrix[i * k + i] = 1
            guard atEdge[b] else { continue }
            for e in incomingStart[b]..<incomingStart[b + 1] {
                let call = calls[incoming[e]]
                if !inside.contains(call.from) { rhs[i] += call.rate * edgeN[call.from] }
            }
        }
        for c in component.internalCalls where atEdge[members[c.from]] && atEdge[members[c.to]] {
            matrix[c.to * k + c.from] -= c.rate
        }
        guard let edgeSolution = DenseSystem.solveMMatrix(matrix, rhs, size: k) else { return false }
        for (i, b) in members.enumerated() { edgeN[b] = atEdge[b] ? edgeSolution[i] : 0 }

        // Cloud copies: every member, fed by cloud callers and by edge callers of members not at the edge.
        matrix = [Double](repeating: 0, count: k * k)
        rhs = [Double](repeating: 0, count: k)
        for (i, b) in members.enumerated() {
            matrix[i * k + i] = 1
            for e in incomingStart[b]..<incomingStart[b + 1] {
                let call = calls[incoming[e]]
                let external = !inside.contains(call.from)
                if external { rhs[i] += call.rate * cloudN[call.from] }
                // edgeN is final here (zero for copies that do not exist), inside the component too.
                if !atEdge[b] { rhs[i] += call.rate * edgeN[call.from] }
            }
        }
        for c in component.internalCalls {
            matrix[c.to * k + c.from] -= c.rate
        }
        guard let cloudSolution = DenseSystem.solveMMatrix(matrix, rhs, size: k) else { return false }
        for (i, b) in members.enumerated() { cloudN[b] = cloudSolution[i] }
        return true
    }

    /// Why the expected invocations of `problem` (this graph's problem) cannot be used, naming services: a cycle
    /// whose call counts diverge, or a service invoked more often per user request than `ProblemLimits` allows.
    func invocationIssue(of problem: PlacementProblem) -> ProblemIssue? {
        let n = serviceCount
        var cloudN = [Double](repeating: 0, count: n + 1)
        var edgeN = [Double](repeating: 0, count: n + 1)
        var atEdge = [Bool](repeating: false, count: n + 1)
        atEdge[n] = true
        for component in components where component.isCyclic {
            if !solveCyclic(component, atEdge: atEdge, cloudN: &cloudN, edgeN: &edgeN) {
                let names = component.members.map { problem.services[$0].name }.joined(separator: ", ")
                return ProblemIssue(
                    path: "calls",
                    message: "the calls among \(names) form a cycle whose expected call counts diverge "
                        + "(the cycle's gain must be below 1)")
            }
        }
        // With every service in the cloud, cloudN is each service's total, the same under any placement.
        invocations(atEdge: atEdge, cloudN: &cloudN, edgeN: &edgeN)
        let limit = ProblemLimits.invocationsPerRequest
        guard let i = (0..<n).first(where: { !(cloudN[$0] <= limit) }) else { return nil }
        return ProblemIssue(
            path: "services[\(i)]",
            message: "\(problem.services[i].name) is invoked \(ProblemLimits.text(cloudN[i])) times per user request (the "
                + "product of the calls' perRequest along its callers); at most \(ProblemLimits.text(limit)) is supported")
    }
}
