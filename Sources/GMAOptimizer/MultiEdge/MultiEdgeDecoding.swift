import Foundation

/// Which keys each object of a `gma/v2` problem may hold (docs/problem-format.md §11), checked as for `gma/v1`.
enum MultiEdgeSchema {
    static let appService: JSONShape = .object([
        "name": .value, "cpuRequestCores": ProblemSchema.perArea, "memoryRequestBytes": ProblemSchema.perArea,
        "responseBytes": .value, "internalDelaySeconds": .value, "hpaCpuThreshold": .value,
        "cloudOnlyCpuUsageCores": .value, "cloudOnlyMemoryUsageBytes": .value,
    ])

    static let edgeService: JSONShape = .object([
        "name": .value, "cpuUsageCores": ProblemSchema.perArea, "memoryUsageBytes": ProblemSchema.perArea,
        "atEdge": .value, "locked": .value,
    ])

    static let area: JSONShape = .object([
        "name": .value, "action": .value, "userRequestsPerSecond": .value,
        "network": .object(["rttSeconds": .value, "cloudToEdgeBitsPerSecond": .value, "edgeToCloudBitsPerSecond": .value]),
        "prices": .object(["cpuCoreHour": .value, "memoryGBHour": .value, "networkGB": .value]),
        "target": .object(["delayReductionSeconds": .value, "maxDelayIncreaseSeconds": .value]),
        "services": .array(edgeService),
    ])

    static let problem: JSONShape = .object([
        "apiVersion": .value,
        "kind": .value,
        "metadata": .object(["name": .value, "source": .value]),
        "services": .array(appService),
        "ingress": .object([
            "cpuRequestCores": ProblemSchema.perArea, "memoryRequestBytes": ProblemSchema.perArea,
            "countsOneCloudReplica": .value,
        ]),
        "calls": .array(.object(["from": .value, "to": .value, "perRequest": .value])),
        "cloud": .object(["prices": ProblemSchema.areaPrices]),
        "areas": .array(area),
    ])
}

extension MultiEdgeProblem {
    /// Reads a `gma/v2` problem, or a `gma/v1` one as K = 1 (docs/problem-format.md §11), and validates it.
    /// Every error names `source` and the JSON path in the file as written.
    public static func decode(from data: Data, source: String = "problem") throws(ProblemError) -> MultiEdgeProblem {
        struct Header: Decodable { var apiVersion: String? }
        let version = (try? JSONDecoder().decode(Header.self, from: data))?.apiVersion
        if version == PlacementProblem.apiVersion {
            return MultiEdgeProblem(singleEdge: try PlacementProblem.decode(from: data, source: source))
        }
        let keyIssues = JSONKeyCheck.issues(in: data, shape: MultiEdgeSchema.problem)
        if !keyIssues.isEmpty { throw .invalid(source: source, issues: keyIssues) }
        let problem: MultiEdgeProblem
        do {
            problem = try JSONDecoder().decode(MultiEdgeProblem.self, from: data)
        } catch let error as DecodingError {
            var issue = ProblemIssue(decodingError: error)
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let syntax = PlacementProblem.jsonSyntaxError(in: data)
            {
                issue.message = "not valid JSON: \(syntax)"
            }
            throw .malformed(source: source, issue: issue)
        } catch {
            throw .malformed(source: source, issue: ProblemIssue(path: "", message: "\(error)"))
        }
        let issues = problem.issues()
        if !issues.isEmpty { throw .invalid(source: source, issues: issues) }
        return problem
    }

    /// Encodes with sorted keys so that emitted problems diff cleanly.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Everything wrong with this problem, each issue at its `gma/v2` path. Each edge is checked as the single-edge
    /// problem of its users (the rules and limits of docs/problem-format.md §6 and §10), its issues mapped back.
    public func issues() -> [ProblemIssue] {
        var found: [ProblemIssue] = []
        if apiVersion != Self.apiVersion {
            found.append(ProblemIssue(path: "apiVersion", message: "expected \"\(Self.apiVersion)\", found \"\(apiVersion)\""))
        }
        if kind != PlacementProblem.kindName {
            found.append(ProblemIssue(path: "kind", message: "expected \"\(PlacementProblem.kindName)\", found \"\(kind)\""))
        }
        if areas.isEmpty { found.append(ProblemIssue(path: "areas", message: "at least one edge area is required")) }
        found += areaIssues()
        found += cloudOnlyIssues()
        var seen = Set(found.map(\.description))
        for e in areas.indices {
            let mapping = MultiEdgeIssuePath(problem: self, area: e)
            for issue in ProblemValidator(problem: edgeProblem(e, includingIngress: true)).issues() {
                let mapped = mapping.map(issue)
                if seen.insert(mapped.description).inserted { found.append(mapped) }
            }
        }
        return found
    }

    private func areaIssues() -> [ProblemIssue] {
        var found: [ProblemIssue] = []
        var names: [String: Int] = [:]
        let known = Set(services.map(\.name))
        for (e, area) in areas.enumerated() {
            let path = "areas[\(e)]"
            if area.name.isEmpty || area.name == "cloud" {
                found.append(ProblemIssue(path: "\(path).name", message: "must be non-empty and not \"cloud\""))
            } else if let first = names[area.name] {
                found.append(ProblemIssue(path: "\(path).name", message: "duplicate area name \"\(area.name)\" (first at areas[\(first)])"))
            } else {
                names[area.name] = e
            }
            if area.action == .hold, area.target.maxDelayIncreaseSeconds == nil {
                found.append(ProblemIssue(path: "\(path).target.maxDelayIncreaseSeconds", message: "required when action is hold"))
            }
            var listed: [String: Int] = [:]
            for (j, s) in area.services.enumerated() {
                if !known.contains(s.name) {
                    found.append(ProblemIssue(path: "\(path).services[\(j)].name", message: "unknown service \"\(s.name)\""))
                } else if let first = listed[s.name] {
                    found.append(
                        ProblemIssue(
                            path: "\(path).services[\(j)].name",
                            message: "service \"\(s.name)\" listed twice (first at \(path).services[\(first)])"))
                } else {
                    listed[s.name] = j
                }
            }
        }
        return found
    }

    private func cloudOnlyIssues() -> [ProblemIssue] {
        var found: [ProblemIssue] = []
        func check(_ value: Double?, _ path: String, atMost limit: Double) {
            guard let value else { return }
            if !value.isFinite || value < 0 || value > limit {
                found.append(
                    ProblemIssue(path: path, message: "must be a finite number between 0 and \(ProblemLimits.text(limit)), found \(value)"))
            }
        }
        for (i, s) in services.enumerated() {
            check(s.cloudOnlyCpuUsageCores, "services[\(i)].cloudOnlyCpuUsageCores", atMost: ProblemLimits.cpuUsageCores)
            check(s.cloudOnlyMemoryUsageBytes, "services[\(i)].cloudOnlyMemoryUsageBytes", atMost: ProblemLimits.memoryBytes)
        }
        return found
    }
}

/// Maps a path of an edge's single-edge problem (`MultiEdgeProblem.edgeProblem`) back to the `gma/v2` file.
struct MultiEdgeIssuePath {
    let area: Int
    let action: MultiEdgeProblem.EdgeAction
    /// Per service index: its entry in the area's `services`, if listed.
    let entry: [Int: Int]

    init(problem: MultiEdgeProblem, area e: Int) {
        area = e
        action = problem.areas[e].action
        var byName: [String: Int] = [:]
        for (j, s) in problem.areas[e].services.enumerated() where byName[s.name] == nil { byName[s.name] = j }
        var entry: [Int: Int] = [:]
        for (i, s) in problem.services.enumerated() { entry[i] = byName[s.name] }
        self.entry = entry
    }

    func map(_ issue: ProblemIssue) -> ProblemIssue {
        ProblemIssue(path: map(path: issue.path), message: issue.message)
    }

    private func map(path: String) -> String {
        let a = "areas[\(area)]"
        let edgeKeys = ["cpuUsageCores", "memoryUsageBytes", "atEdge", "locked"]
        if path.hasPrefix("services["), let close = path.firstIndex(of: "]"),
            let i = Int(path[path.index(path.startIndex, offsetBy: 9)..<close])
        {
            let rest = path[path.index(after: close)...]
            if edgeKeys.contains(where: { rest.hasPrefix(".\($0)") }) {
                return entry[i].map { "\(a).services[\($0)]\(rest)" } ?? "\(a).services"
            }
            return path
        }
        if path == "target.delayReductionSeconds", action == .hold { return "\(a).target.maxDelayIncreaseSeconds" }
        for key in ["userRequestsPerSecond", "network", "target", "action"] where path.hasPrefix(key) {
            return "\(a).\(path)"
        }
        if path.hasPrefix("prices.edge.") { return "\(a).prices.\(path.dropFirst("prices.edge.".count))" }
        if path == "prices.networkGB" { return "\(a).prices.networkGB" }
        if path.hasPrefix("prices.cloud.") { return "cloud.prices.\(path.dropFirst("prices.cloud.".count))" }
        return path
    }
}

extension MultiEdgeProblem {
    /// Whether `data` declares `"apiVersion": "gma/v2"` (a reader picks its decoder with it).
    public static func isVersion2(_ data: Data) -> Bool {
        struct Header: Decodable { var apiVersion: String? }
        return (try? JSONDecoder().decode(Header.self, from: data))?.apiVersion == apiVersion
    }
}
