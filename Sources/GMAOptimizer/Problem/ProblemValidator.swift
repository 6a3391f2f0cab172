/// Checks everything a decoded problem must satisfy before the model may use it.
/// It collects every issue instead of stopping at the first, so a user fixes a file in one go.
struct ProblemValidator {
    let problem: PlacementProblem
    private(set) var found: [ProblemIssue] = []

    init(problem: PlacementProblem) {
        self.problem = problem
    }

    func issues() -> [ProblemIssue] {
        var v = self
        v.checkHeader()
        let names = v.checkServices()
        v.checkIngress()
        v.checkCalls(serviceIndex: names)
        v.checkScalars()
        if v.found.isEmpty, let invocations = CallGraph(problem: problem).invocationIssue(of: problem) {
            v.found.append(invocations)
        }
        return v.found
    }

    private mutating func report(_ path: String, _ message: String) {
        found.append(ProblemIssue(path: path, message: message))
    }

    private mutating func checkHeader() {
        if problem.apiVersion != PlacementProblem.apiVersion {
            report("apiVersion", "expected \"\(PlacementProblem.apiVersion)\", found \"\(problem.apiVersion)\"")
        }
        if problem.kind != PlacementProblem.kindName {
            report("kind", "expected \"\(PlacementProblem.kindName)\", found \"\(problem.kind)\"")
        }
    }

    /// Returns the index of each valid, unique service name.
    private mutating func checkServices() -> [String: Int] {
        if problem.services.isEmpty { report("services", "at least one service is required") }
        var index: [String: Int] = [:]
        index.reserveCapacity(problem.services.count)
        for (i, s) in problem.services.enumerated() {
            let p = "services[\(i)]"
            if s.name.isEmpty {
                report("\(p).name", "must not be empty")
            } else if s.name == PlacementProblem.userName {
                report("\(p).name", "\"\(PlacementProblem.userName)\" is reserved for the edge ingress")
            } else if let first = index[s.name] {
                report("\(p).name", "duplicate service name \"\(s.name)\" (first at services[\(first)])")
            } else {
                index[s.name] = i
            }
            positive(s.cpuRequestCores.cloud, "\(p).cpuRequestCores.cloud", within: ProblemLimits.cpuRequestCores)
            positive(s.cpuRequestCores.edge, "\(p).cpuRequestCores.edge", within: ProblemLimits.cpuRequestCores)
            nonNegative(s.memoryRequestBytes.cloud, "\(p).memoryRequestBytes.cloud", atMost: ProblemLimits.memoryBytes)
            nonNegative(s.memoryRequestBytes.edge, "\(p).memoryRequestBytes.edge", atMost: ProblemLimits.memoryBytes)
            nonNegative(s.cpuUsageCores.cloud, "\(p).cpuUsageCores.cloud", atMost: ProblemLimits.cpuUsageCores)
            nonNegative(s.cpuUsageCores.edge, "\(p).cpuUsageCores.edge", atMost: ProblemLimits.cpuUsageCores)
            nonNegative(s.memoryUsageBytes.cloud, "\(p).memoryUsageBytes.cloud", atMost: ProblemLimits.memoryBytes)
            nonNegative(s.memoryUsageBytes.edge, "\(p).memoryUsageBytes.edge", atMost: ProblemLimits.memoryBytes)
            nonNegative(s.responseBytes, "\(p).responseBytes", atMost: ProblemLimits.responseBytes)
            nonNegative(s.internalDelaySeconds, "\(p).internalDelaySeconds", atMost: ProblemLimits.seconds)
            positive(s.hpaCpuThreshold, "\(p).hpaCpuThreshold", within: ProblemLimits.hpaCpuThreshold)
        }
        return index
    }

    private mutating func checkIngress() {
        guard let ingress = problem.ingress else { return }
        let cores = ProblemLimits.cpuRequestCores.upperBound
        nonNegative(ingress.cpuRequestCores.cloud, "ingress.cpuRequestCores.cloud", atMost: cores)
        nonNegative(ingress.cpuRequestCores.edge, "ingress.cpuRequestCores.edge", atMost: cores)
        nonNegative(ingress.memoryRequestBytes.cloud, "ingress.memoryRequestBytes.cloud", atMost: ProblemLimits.memoryBytes)
        nonNegative(ingress.memoryRequestBytes.edge, "ingress.memoryRequestBytes.edge", atMost: ProblemLimits.memoryBytes)
    }

    private mutating func checkCalls(serviceIndex: [String: Int]) {
        let user = problem.services.count
        // Calls by (caller, callee) index pair: cheaper than a string key at tens of thousands of calls.
        var seen: [Int: Int] = [:]
        for (i, call) in problem.calls.enumerated() {
            let from = call.from == PlacementProblem.userName ? user : serviceIndex[call.from]
            if from == nil { report("calls[\(i)].from", "unknown service \"\(call.from)\"") }
            let to = call.to == PlacementProblem.userName ? nil : serviceIndex[call.to]
            if call.to == PlacementProblem.userName {
                report("calls[\(i)].to", "the user cannot be called")
            } else if to == nil {
                report("calls[\(i)].to", "unknown service \"\(call.to)\"")
            }
            nonNegative(call.perRequest, "calls[\(i)].perRequest", atMost: ProblemLimits.perRequest)
            guard let from, let to else { continue }
            if let first = seen[from * (user + 1) + to] {
                report("calls[\(i)]", "duplicate call \(call.from) -> \(call.to) (first at calls[\(first)]); give one expected count")
            } else {
                seen[from * (user + 1) + to] = i
            }
        }
    }

    private mutating func checkScalars() {
        nonNegative(problem.userRequestsPerSecond, "userRequestsPerSecond", atMost: ProblemLimits.requestsPerSecond)
        nonNegative(problem.network.rttSeconds, "network.rttSeconds", atMost: ProblemLimits.seconds)
        let bandwidth = ProblemLimits.bitsPerSecond
        positive(problem.network.cloudToEdgeBitsPerSecond, "network.cloudToEdgeBitsPerSecond", within: bandwidth)
        if let b = problem.network.edgeToCloudBitsPerSecond {
            nonNegative(b, "network.edgeToCloudBitsPerSecond", atMost: bandwidth.upperBound)
        }
        let price = ProblemLimits.price
        nonNegative(problem.prices.edge.cpuCoreHour, "prices.edge.cpuCoreHour", atMost: price)
        nonNegative(problem.prices.edge.memoryGBHour, "prices.edge.memoryGBHour", atMost: price)
        nonNegative(problem.prices.cloud.cpuCoreHour, "prices.cloud.cpuCoreHour", atMost: price)
        nonNegative(problem.prices.cloud.memoryGBHour, "prices.cloud.memoryGBHour", atMost: price)
        nonNegative(problem.prices.networkGB, "prices.networkGB", atMost: price)
        // Targets may be negative (the reference derives them from measured delays), but must be numbers.
        switch problem.action {
        case .offload:
            if let t = problem.target.delayReductionSeconds {
                finite(t, "target.delayReductionSeconds", magnitude: ProblemLimits.seconds)
            } else {
                report("target.delayReductionSeconds", "required when action is offload")
            }
        case .unoffload:
            if let t = problem.target.maxDelayIncreaseSeconds {
                finite(t, "target.maxDelayIncreaseSeconds", magnitude: ProblemLimits.seconds)
            } else {
                report("target.maxDelayIncreaseSeconds", "required when action is unoffload")
            }
        }
    }

    // Limits are part of the message: a value beyond them is finite but not representable (`ProblemLimits`).

    private mutating func finite(_ value: Double, _ path: @autoclosure () -> String, magnitude: Double) {
        if !value.isFinite {
            report(path(), "must be a finite number, found \(value)")
        } else if abs(value) > magnitude {
            report(path(), "must be between -\(ProblemLimits.text(magnitude)) and \(ProblemLimits.text(magnitude)), found \(value)")
        }
    }

    private mutating func nonNegative(_ value: Double, _ path: @autoclosure () -> String, atMost largest: Double) {
        if !value.isFinite || value < 0 {
            report(path(), "must be a finite number ≥ 0, found \(value)")
        } else if value > largest {
            report(path(), "must be at most \(ProblemLimits.text(largest)), found \(value)")
        }
    }

    private mutating func positive(_ value: Double, _ path: @autoclosure () -> String, within limits: ClosedRange<Double>) {
        if !value.isFinite || value <= 0 {
            report(path(), "must be a finite number > 0, found \(value)")
        } else if !limits.contains(value) {
            let (low, high) = (ProblemLimits.text(limits.lowerBound), ProblemLimits.text(limits.upperBound))
            report(path(), "must be between \(low) and \(high), found \(value)")
        }
    }
}
