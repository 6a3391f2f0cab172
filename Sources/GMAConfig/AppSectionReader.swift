import Foundation

/// What `spec.app` yields: the services, and every named object they own per area for the collision check.
struct AppSection {
    var namespace: String
    var services: [ServiceConfig]
    var objects: [AreaObject]
}

extension ConfigReader {
    // MARK: spec.app

    func readApp(_ a: YAMLField) -> AppSection? {
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
        var services: [ServiceConfig] = []
        var objects: [AreaObject] = []
        for (id, name, entry) in named {
            let instances = entry["instances"]
            guard instances.expectMapping() else { continue }
            instances.warnUnknownKeys(["cloud-yamls", "edge-yamls"])
            var manifests: [ClusterArea: ServiceManifests] = [:]
            for area in [ClusterArea.cloud, .edge] {
                let key = area == .cloud ? "cloud-yamls" : "edge-yamls"
                let list = instances[key].list() ?? []
                if instances[key].isPresent, list.isEmpty { instances[key].error("no manifest files listed") }
                let files = list.compactMap { $0.string() }.map(paths.resolve)
                guard let parsed = parser.parse(service: name, area: area, files: files, configField: instances[key])
                else { continue }
                manifests[area] = parsed
                objects += [
                    AreaObject(
                        service: name, area: area, kind: .workload, resource: parsed.workloadKind.kubectlResource,
                        name: parsed.workloadName, field: instances[key]),
                    AreaObject(
                        service: name, area: area, kind: .hpa, resource: "hpa", name: parsed.hpa.name,
                        field: instances[key]),
                ]
            }
            if let cloud = manifests[.cloud], let edge = manifests[.edge] {
                services.append(ServiceConfig(id: explicitIDs ? id : services.count, name: name, cloud: cloud, edge: edge))
            }
        }
        guard let namespace else { return nil }
        return AppSection(namespace: namespace, services: services, objects: objects)
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
