import Foundation
import Yams

/// Reads a service's manifests of one area (docs/config.md §7; docs/differences.md D3, D7, D10).
///
/// Every document of every file is looked at: exactly one Deployment or StatefulSet and exactly one
/// HorizontalPodAutoscaler are expected; other kinds (Service, ConfigMap, …) are ignored.
struct ManifestParser {
    let log: IssueLog
    let namespace: String
    let readFile: (String) -> String?

    /// `files` are absolute; `configField` is the config's list of paths (for errors about the whole set).
    /// `areaKey` names the area in messages when it is one of several edges (`edge area "edge2"`).
    func parse(
        service: String, area: ClusterArea, areaKey: String? = nil, files: [String], configField: YAMLField
    ) -> ServiceManifests? {
        let areaKey = areaKey ?? area.configKey
        var workload: (kind: WorkloadKind, name: String, cpu: Double, memory: Double, labels: [String: String])?
        var workloadField: YAMLField?
        var hpa: HPASettings?
        var hpaTarget: (name: String, field: YAMLField)?
        let errorsBefore = log.issues.count

        for file in files {
            guard let text = readFile(file) else {
                // Ask the file system why (missing, a directory, too large, not UTF-8).
                let reason: String
                do {
                    _ = try InputFile.readText(file)
                    reason = file
                } catch {
                    reason = error.description
                }
                configField.error("cannot read manifest file \(reason)")
                continue
            }
            for (index, document) in YAMLDocuments.compose(text, file: file, log: log).enumerated() {
                let root = YAMLField(root: document, file: file, log: log, path: "")
                guard document.mapping != nil else { continue }
                let kind = root["kind"].string(required: false) ?? ""
                let label = "document \(index + 1) (\(kind.isEmpty ? "no kind" : kind))"
                switch kind {
                case "Deployment", "StatefulSet":
                    if workloadField != nil {
                        root["kind"].error(
                            "a second workload for service '\(service)' in the \(areaKey); one Deployment or StatefulSet per service and area is supported")
                        continue
                    }
                    workloadField = root
                    checkNamespace(root, label: label)
                    let name = root["metadata"]["name"].string() ?? ""
                    if name.isEmpty, root["metadata"]["name"].isPresent {
                        // Empty, it became `kubectl scale deployment/` (docs/reliability.md).
                        root["metadata"]["name"].error("the workload name is empty")
                    } else if !name.isEmpty, !KubernetesNames.isSubdomain(name) {
                        root["metadata"]["name"].error("'\(name)' is not a valid workload name (DNS-1123 subdomain)")
                    }
                    let (cpu, memory, labels) = podTemplate(root["spec"]["template"], service: service)
                    workload = (kind == "Deployment" ? .deployment : .statefulSet, name, cpu, memory, labels)
                case "DaemonSet":
                    root["kind"].error("a DaemonSet cannot be scaled; use a Deployment or StatefulSet")
                case "HorizontalPodAutoscaler":
                    if hpa != nil {
                        root["kind"].error(
                            "a second HorizontalPodAutoscaler for service '\(service)' in the \(areaKey); one per service and area is supported")
                        continue
                    }
                    checkNamespace(root, label: label)
                    hpa = parseHPA(root)
                    if let target = root["spec"]["scaleTargetRef"]["name"].string(required: false) {
                        hpaTarget = (target, root["spec"]["scaleTargetRef"]["name"])
                    }
                default:
                    continue
                }
            }
        }
        func newErrors() -> Bool { log.issues[errorsBefore...].contains { $0.severity == .error } }
        let fileErrors = newErrors()
        if workload == nil, !files.isEmpty, !fileErrors {
            configField.error("no Deployment or StatefulSet for service '\(service)' in the \(areaKey) manifests")
        }
        if hpa == nil, !files.isEmpty, !fileErrors {
            configField.error("no HorizontalPodAutoscaler for service '\(service)' in the \(areaKey) manifests")
        }
        if let workload, let hpaTarget, hpaTarget.name != workload.name {
            hpaTarget.field.error("the HPA targets '\(hpaTarget.name)', but the workload is '\(workload.name)'")
        }
        guard let workload, let hpa, !newErrors() else { return nil }
        return ServiceManifests(
            files: files, workloadKind: workload.kind, workloadName: workload.name, cpuRequestCores: workload.cpu,
            memoryRequestBytes: workload.memory, podLabels: workload.labels, hpa: hpa)
    }

    /// A namespace in the manifest must be the app's: gma runs `kubectl -n <namespace> apply -f`.
    private func checkNamespace(_ root: YAMLField, label: String) {
        let field = root["metadata"]["namespace"]
        if let value = field.string(required: false), value != namespace {
            field.error("namespace '\(value)' differs from the app namespace '\(namespace)' (spec.app.namespace)")
        }
    }

    /// Requests summed over the containers (not initContainers), and the pod labels.
    private func podTemplate(_ template: YAMLField, service: String) -> (Double, Double, [String: String]) {
        var cpu = 0.0
        var memory = 0.0
        var missingCPU: [YAMLField] = []
        for container in template["spec"]["containers"].list() ?? [] {
            let requests = container["resources"]["requests"]
            if let value = requests["cpu"].quantity(required: false) {
                cpu += value
            } else if requests["cpu"].isAbsent {
                missingCPU.append(container)
            }
            memory += requests["memory"].quantity(required: false) ?? 0
        }
        for container in missingCPU {
            container.warning("no resources.requests.cpu: the cost model counts 0 cores for it")
        }
        var labels: [String: String] = [:]
        let labelsField = template["metadata"]["labels"]
        if let mapping = labelsField.node?.mapping {
            for (key, value) in mapping {
                if let k = key.string, let v = value.string { labels[k] = v }
            }
        }
        if labels["app"] != service {
            let found = labels["app"].map { "'\($0)'" } ?? "missing"
            labelsField.warning(
                "the pod label 'app' should equal the service name '\(service)' (found \(found)); Istio metrics are matched by it")
        }
        return (cpu, memory, labels)
    }

    /// autoscaling/v2 (`metrics[]` of type Resource, name cpu) or autoscaling/v1 (`targetCPUUtilizationPercentage`).
    private func parseHPA(_ root: YAMLField) -> HPASettings? {
        let spec = root["spec"]
        let name = root["metadata"]["name"].string()
        if name == "" {
            root["metadata"]["name"].error("the HPA name is empty")
        } else if let name, !KubernetesNames.isSubdomain(name) {
            root["metadata"]["name"].error("'\(name)' is not a valid HPA name (DNS-1123 subdomain)")
        }
        let minReplicas = spec["minReplicas"].int(required: false) ?? 1
        let maxReplicas = spec["maxReplicas"].int()
        if let maxReplicas, maxReplicas < minReplicas || maxReplicas < 1 {
            spec["maxReplicas"].error("maxReplicas \(maxReplicas) must be at least 1 and at least minReplicas \(minReplicas)")
        }
        if minReplicas < 0 { spec["minReplicas"].error("minReplicas cannot be negative") }
        var percent: Double?
        if let v1 = spec["targetCPUUtilizationPercentage"].double(required: false) {
            percent = v1
        } else {
            for metric in spec["metrics"].list(required: false) ?? [] {
                let resource = metric["resource"]
                guard metric["type"].string(required: false) == "Resource",
                    resource["name"].string(required: false) == "cpu"
                else { continue }
                percent = resource["target"]["averageUtilization"].double(required: false)
                    ?? resource["targetAverageUtilization"].double(required: false)
                break
            }
        }
        if let percent, percent <= 0 {
            spec.error("the CPU target utilisation must be positive, found \(percent)")
        }
        if percent == nil {
            spec.warning("no CPU averageUtilization target; the model assumes 60 %")
        }
        guard let name, let maxReplicas else { return nil }
        return HPASettings(
            name: name, minReplicas: minReplicas, maxReplicas: maxReplicas, cpuThreshold: (percent ?? 60) / 100)
    }
}
