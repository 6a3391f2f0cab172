import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer

/// The `edges:` list of a multi-edge scenario (docs/twin.md §6): each edge's name, load, link and share.
extension ScenarioReader {
    typealias ControllerPart = (band: DelayBand, timing: LoopTiming, solver: SolverKind, policy: ControlPolicy)

    func readMultiEdge(
        _ root: YAMLField, name: String, app: TwinApp, twin: TwinSettings, controller: ControllerPart?, duration: Double?
    ) -> Scenario? {
        // Each edge has its own users and link: a top-level one would be ambiguous, not a default.
        for key in ["load", "network"] where root[key].isPresent {
            root[key].error("a scenario with edges gives each edge its own \(key); move it under edges")
        }
        guard let edges = readEdges(root["edges"], default: app.problem.network), let controller else { return nil }
        let longest = edges.map(\.load.durationSeconds).max() ?? 0
        if longest <= 0 && duration == nil { root["edges"].error("every edge's load lasts no time; give a duration") }
        var scenario = Scenario(
            name: name, app: app, load: edges[0].load, network: edges[0].network, band: controller.band,
            timing: controller.timing, solver: controller.solver, twin: twin, durationSeconds: duration ?? longest)
        scenario.policy = controller.policy
        scenario.edges = edges
        return scenario
    }

    private func readEdges(_ field: YAMLField, default net: Network) -> [ScenarioEdge]? {
        guard let items = field.list() else { return nil }
        if items.isEmpty { field.error("at least one edge") }
        var edges: [ScenarioEdge] = []
        var ok = !items.isEmpty
        var seen: Set<String> = []
        for item in items {
            guard item.expectMapping() else {
                ok = false
                continue
            }
            item.warnUnknownKeys(["name", "load", "network", "share"])
            let name = item["name"].string()
            if let name {
                if name.isEmpty { item["name"].error("must not be empty") }
                if !seen.insert(name).inserted { item["name"].error("edge '\(name)' is listed twice") }
            }
            let load = readLoad(item["load"])
            let network = readNetwork(item["network"], default: net)
            var share: Double?
            if let value = item["share"].double(required: false) {
                if value > 0 && value <= 1 { share = value } else { item["share"].error("must be in (0, 1] (the edge's share of the cloud usage)") }
            }
            guard let name, let load, let network else {
                ok = false
                continue
            }
            edges.append(ScenarioEdge(name: name, load: load, network: network, share: share))
        }
        return ok ? edges : nil
    }
}
