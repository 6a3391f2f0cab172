import Foundation

/// What `spec.edge-area` with `spec.network` (one edge), or `spec.edge-areas` (K edges), yields before the
/// manifests are read (docs/config.md §4, "Several edge areas").
struct EdgeAreasSection {
    /// One entry's area block and link.
    typealias Settings = (area: AreaSettings, network: NetworkSettings)

    /// `spec.edge-areas` was used: `edge-yamls` may then map edge names to manifest lists.
    var isList: Bool
    /// Each entry's name, nil where it is missing, invalid or a repeat (each already reported).
    var names: [String?]
    /// How each entry is written in messages about its keys (`edge-area`, `edge-areas[1]`).
    var configKeys: [String]
    /// Each entry's settings; nil when any entry failed (its errors are in the log).
    var settings: [Settings]?

    /// Every entry has a usable name: only then is a key of an `edge-yamls` mapping checked against them.
    var namesAreComplete: Bool { !names.isEmpty && names.allSatisfy { $0 != nil } }

    /// How an edge is named in messages: its name, or its block while the name is unusable.
    func label(_ edge: Int) -> String { names[edge] ?? configKeys[edge] }

    /// The cloud and every edge, as the name collision check compares them.
    func collisionAreas(cloud: AreaSettings, edges: [Settings]) -> [CollisionArea] {
        [CollisionArea(label: "cloud", configKey: "cloud-area", settings: cloud)]
            + edges.indices.map { CollisionArea(label: label($0), configKey: configKeys[$0], settings: edges[$0].area) }
    }

    /// The edges with their manifests (`manifests[service][edge]`).
    func configs(_ edges: [Settings], manifests: [[ServiceManifests]]) -> [EdgeAreaConfig] {
        edges.indices.map { e in
            EdgeAreaConfig(
                name: label(e), area: edges[e].area, network: edges[e].network, manifests: manifests.map { $0[e] })
        }
    }

    /// How an edge's manifests are named in messages about them.
    func manifestAreaKey(_ edge: Int) -> String? {
        guard isList else { return nil }
        return names[edge].map { "edge area \"\($0)\"" } ?? "spec.edge-areas[\(edge)]"
    }
}

extension ConfigReader {
    // MARK: spec.edge-area + spec.network, or spec.edge-areas

    func readEdgeAreas(_ spec: YAMLField) -> EdgeAreasSection {
        let list = spec["edge-areas"]
        let sbmp = spec["optimizer"]["sbmp"]
        guard list.isPresent else {
            let area = readArea(spec["edge-area"], .edge)
            let network = readNetwork(spec["network"], sbmp: sbmp)
            let settings = area.flatMap { area in network.map { [(area, $0)] } }
            return EdgeAreasSection(isList: false, names: ["edge"], configKeys: ["edge-area"], settings: settings)
        }
        if spec["edge-area"].isPresent {
            spec["edge-area"].error(
                "a file has spec.edge-area (one edge) or spec.edge-areas (a list of edges), not both; move this block into spec.edge-areas")
        }
        if spec["network"].isPresent {
            spec["network"].error(
                "with spec.edge-areas every edge has its own link: move these keys into each entry's network")
        }
        // The RTT multiplier is per link: the reference's single-edge fallback key has no edge to apply to.
        let legacy = sbmp["edge-cloud-rtt-multiplier"]
        if legacy.isPresent {
            legacy.warning("ignored with spec.edge-areas: each edge's network.edge-cloud-rtt-multiplier applies")
        }
        var section = EdgeAreasSection(isList: true, names: [], configKeys: [], settings: nil)
        guard let entries = list.list() else { return section }
        if entries.isEmpty { list.error("lists no edge; give at least one entry, or use spec.edge-area") }
        var settings: [EdgeAreasSection.Settings] = []
        var failed = entries.isEmpty
        for (index, entry) in entries.enumerated() {
            section.configKeys.append("edge-areas[\(index)]")
            section.names.append(readEdgeName(entry, earlier: section.names))
            guard entry.expectMapping() else {
                failed = true
                continue
            }
            // Named as written even when the name is rejected, so that its other errors still say which entry.
            let named = entry["name"].node?.scalar.map { entry.named($0.string) } ?? entry
            let area = readArea(named, .edge, extraKeys: ["name", "network"])
            let network = readNetwork(named["network"], sbmp: nil)
            if let area, let network { settings.append((area, network)) } else { failed = true }
        }
        if !failed {
            checkDistinctIngresses(entries, settings.map(\.area))
            section.settings = settings
        }
        return section
    }

    /// The entry's `name`, nil (and reported) unless it is a DNS-1123 label not used by an earlier entry.
    private func readEdgeName(_ entry: YAMLField, earlier: [String?]) -> String? {
        guard entry.node?.mapping != nil, let name = entry["name"].string() else { return nil }
        if !KubernetesNames.isLabel(name) {
            entry["name"].error(
                "\"\(name)\" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)")
            return nil
        }
        if let first = earlier.firstIndex(of: name) {
            entry["name"].error("\"\(name)\" is already spec.edge-areas[\(first)]")
            return nil
        }
        return name
    }

    /// Two edges under one `cluster` value must differ in their ingress namespace and pod CIDR, or one
    /// selector would count a user request at both (docs/config.md §4).
    private func checkDistinctIngresses(_ entries: [YAMLField], _ areas: [AreaSettings]) {
        for later in areas.indices {
            let field = entries[later]["name"].node?.scalar.map { entries[later].named($0.string) } ?? entries[later]
            for earlier in 0..<later where areas[earlier].cluster == areas[later].cluster {
                let cluster = areas[later].cluster.isEmpty ? "no cluster value" : "cluster \"\(areas[later].cluster)\""
                let other = "spec.edge-areas[\(earlier)] (same \(cluster))"
                if let namespace = areas[later].ingressNamespace, namespace == areas[earlier].ingressNamespace {
                    field["istio"]["istio-ingress-namespace"].error(
                        "\"\(namespace)\" is also the ingress namespace of \(other): both edges would count the same requests; give each edge its own ingress gateway namespace")
                }
                if let cidr = areas[later].podCIDRRegex, cidr == areas[earlier].podCIDRRegex {
                    field["pod-cidr-regex"].error(
                        "'\(cidr)' is also the pod CIDR of \(other); each edge's regex must match only its own pods")
                }
            }
        }
    }

    // MARK: spec.app.services[].instances.edge-yamls

    /// The manifest list of each edge (in edge order; nil where it is missing or wrong, already reported).
    ///
    /// A plain list is the one-edge form; with `spec.edge-areas` a mapping gives each edge's list under its name.
    func edgeManifestLists(_ field: YAMLField, edges: EdgeAreasSection) -> [YAMLField?] {
        let count = max(edges.names.count, 1)
        guard let mapping = field.node?.mapping else {
            if field.node?.sequence != nil, count > 1 {
                field.error(
                    "with \(count) edges, give each edge's manifest list under its name (\(edges.names.compactMap { $0 }.map { "\($0): […]" }.joined(separator: ", ")))")
                return Array(repeating: nil, count: count)
            }
            // A list for one edge; anything else is reported by the list reader.
            return [field] + Array(repeating: nil, count: count - 1)
        }
        guard edges.isList else {
            field.error("a mapping from edge names needs spec.edge-areas; with spec.edge-area, list the manifest files")
            return [nil]
        }
        if edges.namesAreComplete {
            let known = edges.names.compactMap { $0 }
            for (key, _) in mapping {
                guard let text = key.string, !known.contains(text) else { continue }
                field[text].error(
                    "\"\(text)\" is not an edge of spec.edge-areas (edges: \(known.joined(separator: ", ")))")
            }
        }
        return edges.names.map { name in
            guard let name else { return nil }
            guard field[name].isPresent else {
                field.error("no entry for edge \"\(name)\"")
                return nil
            }
            return field[name]
        }
    }
}
