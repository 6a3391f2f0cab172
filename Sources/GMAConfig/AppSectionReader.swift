import Foundation

/// What `spec.app` yields: the services, and every named object they own per area for the collision check.
struct AppSection {
    var namespace: String
    /// `edge` is edge 0's copy.
    var services: [ServiceConfig]
    /// Each service's copy at every edge (`[service][edge]`).
    var edgeManifests: [[ServiceManifests]]
    var objects: [AreaObject]
}

extension ConfigReader {
    // MARK: spec.app

    func readApp(_ a: YAMLField, edges: EdgeAreasSection) -> AppSection? {
        guard a.expectMapping() else { return nil }
        a.warnUnknownKeys(["namespace", "explicit-service-id", "services"])
        let namespace = a["namespace"].string()
        if let namespace, !KubernetesNames.isLabel(namespace) {
            a["namespace"].error("'\(namespace)' is not a valid Kubernetes namespace name (DNS-1123 label)")
        }
        let explicitIDs = a["explicit-service-id"].bool(required: false) ?? false
        let entries = a["services"].list() ?? []
        if a["services"].isPresent, entries.isEmpty { a["services"].error("the app has no services") }

        let named = serviceNamesAndIDs(entries, explicitIDs: explicitIDs)
        let parser = ManifestParser(log: log, namespace: namespace ?? "", readFile: readFile)
        var section = AppSection(namespace: namespace ?? "", services: [], edgeManifests: [], objects: [])
        for (id, name, entry) in named {
            let instances = entry["instances"]
            guard instances.expectMapping() else { continue }
            instances.warnUnknownKeys(["cloud-yamls", "edge-yamls"])
            // Area 0 is the cloud, area e + 1 is edge e (the numbering of the collision check).
            let lists = [instances["cloud-yamls"]] + edgeManifestLists(instances["edge-yamls"], edges: edges)
            var manifests: [ServiceManifests?] = []
            for (areaIndex, listField) in lists.enumerated() {
                let area: ClusterArea = areaIndex == 0 ? .cloud : .edge
                guard let listField, let files = manifestFiles(listField) else {
                    manifests.append(nil)
                    continue
                }
                let parsed = parser.parse(
                    service: name, area: area, areaKey: areaIndex == 0 ? nil : edges.manifestAreaKey(areaIndex - 1),
                    files: files, configField: listField)
                manifests.append(parsed)
                guard let parsed else { continue }
                section.objects += [
                    AreaObject(
                        service: name, areaIndex: areaIndex, kind: .workload,
                        resource: parsed.workloadKind.kubectlResource, name: parsed.workloadName, field: listField),
                    AreaObject(
                        service: name, areaIndex: areaIndex, kind: .hpa, resource: "hpa", name: parsed.hpa.name,
                        field: listField),
                ]
            }
            let complete = manifests.compactMap { $0 }
            guard complete.count == manifests.count, complete.count >= 2 else { continue }
            let serviceID = explicitIDs ? id : section.services.count
            section.services.append(ServiceConfig(id: serviceID, name: name, cloud: complete[0], edge: complete[1]))
            section.edgeManifests.append(Array(complete.dropFirst()))
        }
        guard namespace != nil else { return nil }
        return section
    }

    /// The absolute paths of one area's manifest list; nil (reported) when it is absent, not a list or empty.
    private func manifestFiles(_ field: YAMLField) -> [String]? {
        let list = field.list() ?? []
        if field.isPresent, list.isEmpty { field.error("no manifest files listed") }
        guard !list.isEmpty else { return nil }
        return list.compactMap { $0.string() }.map(paths.resolve)
    }

    /// First pass over `services[]`: names and ids, so that id errors show before manifest errors.
    /// Sorted by id.
    private func serviceNamesAndIDs(_ entries: [YAMLField], explicitIDs: Bool) -> [(id: Int, name: String, field: YAMLField)] {
        var named: [(id: Int, name: String, field: YAMLField)] = []
        var seenNames: [String: YAMLField] = [:]
        var seenIDs: [Int: YAMLField] = [:]
        for (index, entry) in entries.enumerated() {
            guard entry.expectMapping() else { continue }
            entry.warnUnknownKeys(["name", "id", "instances"])
            let name = entry["name"].string()
            if let name {
                if !KubernetesNames.isLabelValue(name) {
                    entry["name"].error("'\(name)' is not a valid label value (it must equal the pods' app label)")
                }
                if let first = seenNames[name] {
                    entry["name"].error("duplicate service name '\(name)' (first at line \(first.mark?.line ?? 0))")
                }
                seenNames[name] = seenNames[name] ?? entry["name"]
            }
            var id = index
            if explicitIDs, let value = entry["id"].int() {
                id = value
                if let first = seenIDs[value] {
                    entry["id"].error("duplicate service id \(value) (first at line \(first.mark?.line ?? 0))")
                }
                seenIDs[value] = seenIDs[value] ?? entry["id"]
            }
            if let name { named.append((id, name, entry)) }
        }
        // Ids must be exactly 0…n−1, so that M is n + 1 (the user) whatever the parity of n; the reference
        // derived a wrong M for an odd count.
        if explicitIDs, named.count == entries.count {
            for (id, _, field) in named where id < 0 || id >= entries.count {
                field["id"].error("ids must be 0…\(entries.count - 1) (one per service, no gaps), found \(id)")
            }
        }
        return named.sorted { $0.id < $1.id }
    }

    // MARK: spec.kube (gma extension)

    func readKube(_ k: YAMLField, cloud: AreaSettings?, edge: AreaSettings?) -> KubeSettings? {
        if k.isPresent { k.expectMapping() }
        k.warnUnknownKeys(["kubectl", "kubeconfig", "timeout"])
        var settings = KubeSettings(cloudContext: cloud?.context ?? "", edgeContext: edge?.context ?? "")
        if let path = k["kubectl"].string(required: false) {
            if path.trimmingCharacters(in: .whitespaces).isEmpty {
                k["kubectl"].error("empty; leave the key out to use the kubectl on PATH")
            }
            settings.kubectlPath = path.contains("/") ? paths.resolve(path) : path
        }
        if let path = k["kubeconfig"].string(required: false), !path.isEmpty {
            settings.kubeconfig = paths.resolve(path)
            if !FileManager.default.fileExists(atPath: paths.resolve(path)) {
                k["kubeconfig"].warning("\(paths.resolve(path)) does not exist (yet)")
            }
        }
        if let value = positive(k["timeout"].seconds(required: false), k["timeout"]) {
            settings.timeoutSeconds = value
        }
        return settings
    }
}
