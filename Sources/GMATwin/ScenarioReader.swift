import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer
import Yams

/// Reads the keys of a scenario; collects every problem before failing.
struct ScenarioReader {
    let file: String
    let log: IssueLog
    let paths: PathResolver

    func read(_ root: YAMLField) -> Scenario? {
        guard root.expectMapping() else { return nil }
        root.warnUnknownKeys(["name", "seed", "duration", "app", "load", "network", "controller", "twin", "mismatch", "edges"])
        let name = root["name"].string(required: false) ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let app = readApp(root["app"])
        let multiEdge = root["edges"].isPresent
        let load = multiEdge ? nil : readLoad(root["load"])
        var twin = readTwin(root["twin"])
        twin.mismatch = readMismatch(root["mismatch"])
        if let seed = root["seed"].int(required: false) { twin.seed = UInt64(bitPattern: Int64(seed)) }
        let controller = readController(root["controller"])
        let duration = root["duration"].seconds(required: false)
        guard let app else { return nil }
        if multiEdge {
            return readMultiEdge(root, name: name, app: app, twin: twin, controller: controller, duration: duration)
        }
        let network = readNetwork(root["network"], default: app.problem.network)
        guard let load, let network, let controller else { return nil }
        if load.durationSeconds <= 0 && duration == nil { root["load"].error("the load lasts no time; give a duration") }
        var scenario = Scenario(
            name: name, app: app, load: load, network: network, band: controller.band, timing: controller.timing,
            solver: controller.solver, twin: twin, durationSeconds: duration)
        scenario.policy = controller.policy
        return scenario
    }

    private func readApp(_ field: YAMLField) -> TwinApp? {
        if let mapping = field.node?.mapping, mapping["problem"] != nil {
            field.warnUnknownKeys(["problem", "maxReplicas"])
            guard let path = field["problem"].string() else { return nil }
            let resolved = paths.resolve(path)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                field["problem"].error("cannot read \(resolved)")
                return nil
            }
            do {
                let problem = try PlacementProblem.decode(from: data, source: path)
                let maxReplicas = field["maxReplicas"].int(required: false) ?? 100
                return try TwinApp(problem: problem, bounds: ReplicaBounds(min: 1, max: maxReplicas))
            } catch {
                field["problem"].error(error.description)
                return nil
            }
        }
        guard let name = field.string() else { return nil }
        guard let app = BundledApps.app(named: name) else {
            field.error("unknown app '\(name)' (bundled: \(BundledApps.names.joined(separator: ", ")); or {problem: FILE.json})")
            return nil
        }
        return app
    }

    func readLoad(_ field: YAMLField) -> LoadProfile? {
        guard let items = field.list() else { return nil }
        var segments: [LoadProfile.Segment] = []
        var ok = true
        for item in items {
            guard item.expectMapping(), let kind = item.node?.mapping?.keys.first?.string else {
                ok = false
                continue
            }
            if item.node?.mapping?.count != 1 { item.error("one segment per list item (sweep, hold, ramp, sine or csv)") }
            let body = item[kind]
            // `hold: 5` failed without a word: keys under a non-mapping are silenced (found by fuzzing, issue 8).
            if ["sweep", "hold", "ramp", "sine"].contains(kind), !body.expectMapping() {
                ok = false
                continue
            }
            switch kind {
            case "sweep":
                body.warnUnknownKeys(["from", "to", "step", "every", "back"])
                guard let from = rate(body["from"]), let to = rate(body["to"]), let step = rate(body["step"]),
                    let every = body["every"].seconds()
                else { ok = false; continue }
                if step <= 0 { body["step"].error("must be > 0") }
                // Every step is a segment: a tiny step, or one lost in the rounding of large rates (1e300 + 1),
                // made the sweep loop for ever (found by fuzzing, issue 8).
                let top = max(abs(from), abs(to))
                if step > 0, abs(to - from) / step > Self.maxSweepSteps || top + step == top {
                    body["step"].error(
                        "a sweep from \(fmt(from)) to \(fmt(to)) in steps of \(fmt(step)) is too long (at most \(fmt(Self.maxSweepSteps)) steps)")
                    ok = false
                    continue
                }
                segments += LoadProfile.sweep(
                    from: from, to: to, step: max(step, 1e-9), every: every, returning: body["back"].bool(required: false) ?? true)
            case "hold":
                body.warnUnknownKeys(["rate", "for"])
                guard let r = rate(body["rate"]), let d = body["for"].seconds() else { ok = false; continue }
                segments.append(.hold(rate: r, seconds: d))
            case "ramp":
                body.warnUnknownKeys(["from", "to", "for"])
                guard let a = rate(body["from"]), let b = rate(body["to"]), let d = body["for"].seconds() else {
                    ok = false; continue
                }
                segments.append(.ramp(from: a, to: b, seconds: d))
            case "sine":
                body.warnUnknownKeys(["mean", "amplitude", "period", "for", "phase"])
                guard let m = rate(body["mean"]), let a = body["amplitude"].double(), let p = body["period"].seconds(),
                    let d = body["for"].seconds()
                else { ok = false; continue }
                let phase = body["phase"].double(required: false) ?? 0
                if !phase.isFinite { body["phase"].error("must be a number of periods (1/3: a third of the period later)") }
                segments.append(.sine(mean: m, amplitude: a, periodSeconds: p, seconds: d, phase: phase.isFinite ? phase : 0))
            case "csv":
                guard let path = body.string() else { ok = false; continue }
                guard let points = readCSV(paths.resolve(path), field: body) else { ok = false; continue }
                segments += LoadProfile.trace(points)
            default:
                item.error("unknown load segment '\(kind)' (sweep, hold, ramp, sine or csv)")
                ok = false
            }
        }
        return ok ? LoadProfile(segments: segments) : nil
    }

    static let maxSweepSteps = 100_000.0

    private func rate(_ field: YAMLField) -> Double? {
        guard let value = field.double() else { return nil }
        if value < 0 { field.error("a request rate cannot be negative") }
        return value
    }

    /// `time,rate` lines; time in seconds or as a duration (`90s`, `2m`); a header line is skipped.
    private func readCSV(_ path: String, field: YAMLField) -> [(time: Double, rate: Double)]? {
        guard let text = ScenarioFiles.readText(path) else {
            field.error("cannot read \(path)")
            return nil
        }
        var points: [(time: Double, rate: Double)] = []
        // Empty lines are kept so that the line numbers of the messages are the file's.
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).enumerated() {
            let cells = line.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) || cells[0].hasPrefix("#") { continue }
            guard cells.count >= 2, let t = try? UnitParser.seconds(cells[0]), let r = Double(cells[1]), r >= 0 else {
                if number == 0 { continue }
                field.error("\(path):\(number + 1): expected 'time,rate', found '\(line)'")
                return nil
            }
            points.append((t, r))
        }
        if points.isEmpty { field.error("\(path): no time,rate lines") }
        return points.isEmpty ? nil : points
    }

    func readNetwork(_ field: YAMLField, default net: Network) -> NetworkProfile? {
        guard field.isPresent else {
            return NetworkProfile(rttSeconds: net.rttSeconds, bandwidthBitsPerSecond: net.cloudToEdgeBitsPerSecond)
        }
        guard field.expectMapping() else { return nil }
        field.warnUnknownKeys(["rtt", "bandwidth", "changes"])
        let rtt = field["rtt"].seconds(required: false) ?? net.rttSeconds
        let bandwidth = field["bandwidth"].bitsPerSecond(required: false) ?? net.cloudToEdgeBitsPerSecond
        if bandwidth <= 0 { field["bandwidth"].error("must be > 0") }
        var changes: [NetworkProfile.Change] = []
        for change in field["changes"].list(required: false) ?? [] {
            guard change.expectMapping() else { continue }
            change.warnUnknownKeys(["at", "over", "rtt", "bandwidth"])
            guard let at = change["at"].seconds() else { continue }
            let newBandwidth = change["bandwidth"].bitsPerSecond(required: false)
            if let newBandwidth, newBandwidth <= 0 { change["bandwidth"].error("must be > 0") }
            let newRTT = change["rtt"].seconds(required: false)
            if newRTT == nil && newBandwidth == nil { change.error("a change needs rtt or bandwidth") }
            changes.append(
                NetworkProfile.Change(
                    atSeconds: at, overSeconds: change["over"].seconds(required: false) ?? 0, rttSeconds: newRTT,
                    bandwidthBitsPerSecond: newBandwidth))
        }
        return NetworkProfile(rttSeconds: rtt, bandwidthBitsPerSecond: bandwidth, changes: changes)
    }

    func readController(_ field: YAMLField) -> (band: DelayBand, timing: LoopTiming, solver: SolverKind, policy: ControlPolicy)? {
        if field.isPresent && !field.expectMapping() { return nil }
        field.warnUnknownKeys([
            "offload", "unoffload", "offloadQuantile", "unoffloadQuantile", "syncPeriod", "stabilizationWindow", "solver",
            "maxReduction", "maxIncrease", "policy", "consolidationDwell", "fastFactor",
        ])
        let offload = field["offload"].seconds(required: false) ?? 0.120
        let unoffload = field["unoffload"].seconds(required: false) ?? 0.080
        if unoffload >= offload { field["unoffload"].error("must be below the offload threshold") }
        let band = DelayBand(
            offloadSeconds: offload, unoffloadSeconds: unoffload,
            offloadQuantileSeconds: field["offloadQuantile"].seconds(required: false),
            unoffloadQuantileSeconds: field["unoffloadQuantile"].seconds(required: false),
            maxReductionSeconds: field["maxReduction"].seconds(required: false),
            maxIncreaseSeconds: field["maxIncrease"].seconds(required: false))
        let timing = LoopTiming(
            syncPeriodSeconds: field["syncPeriod"].seconds(required: false) ?? 30,
            stabilizationWindowSeconds: field["stabilizationWindow"].seconds(required: false) ?? 120)
        var solver = SolverKind.auto
        if let text = field["solver"].string(required: false) {
            if let kind = SolverKind(rawValue: text) { solver = kind } else { field["solver"].error("expected auto, ilp or greedy") }
        }
        var policy = ControlPolicy()
        if let text = field["policy"].string(required: false) {
            switch text {
            case "gma": break
            case "reference": policy = .reference
            default: field["policy"].error("expected gma or reference")
            }
        }
        if let dwell = positive(field["consolidationDwell"]) { policy.consolidation.dwellSeconds = dwell }
        if let factor = field["fastFactor"].double(required: false) {
            if factor > 1 && factor.isFinite { policy.fastFactor = factor } else { field["fastFactor"].error("must be > 1") }
        }
        return (band, timing, solver, policy)
    }

    private func readTwin(_ field: YAMLField) -> TwinSettings {
        var t = TwinSettings()
        guard field.isPresent, field.expectMapping() else { return t }
        field.warnUnknownKeys([
            "tick", "rollout", "removal", "window", "delayNoise", "usageNoise", "variation", "quantile", "cpuLimit",
            "timeout", "hpa",
        ])
        t.tickSeconds = positive(field["tick"]) ?? t.tickSeconds
        t.rolloutSeconds = field["rollout"].seconds(required: false) ?? t.rolloutSeconds
        t.removalSeconds = field["removal"].seconds(required: false) ?? t.removalSeconds
        t.telemetryWindowSeconds = positive(field["window"]) ?? t.telemetryWindowSeconds
        t.delayNoise = field["delayNoise"].double(required: false) ?? t.delayNoise
        t.usageNoise = field["usageNoise"].double(required: false) ?? t.usageNoise
        t.processingVariation = field["variation"].double(required: false) ?? t.processingVariation
        t.timeoutSeconds = positive(field["timeout"]) ?? t.timeoutSeconds
        if let limit = field["cpuLimit"].double(required: false) {
            if limit >= 1 && limit.isFinite { t.cpuLimitFactor = limit } else { field["cpuLimit"].error("must be ≥ 1 (the limit over the request)") }
        }
        if let q = field["quantile"].double(required: false) {
            if q > 0 && q < 1 { t.delayQuantile = q } else { field["quantile"].error("must be in (0, 1)") }
        }
        let hpa = field["hpa"]
        if hpa.isPresent, hpa.expectMapping() {
            hpa.warnUnknownKeys(["sync", "podStartup", "tolerance", "scaleDownStabilization"])
            t.hpa.syncSeconds = positive(hpa["sync"]) ?? t.hpa.syncSeconds
            t.hpa.podStartupSeconds = hpa["podStartup"].seconds(required: false) ?? t.hpa.podStartupSeconds
            t.hpa.tolerance = hpa["tolerance"].double(required: false) ?? t.hpa.tolerance
            t.hpa.scaleDownStabilizationSeconds =
                hpa["scaleDownStabilization"].seconds(required: false) ?? t.hpa.scaleDownStabilizationSeconds
        }
        return t
    }

    /// `mismatch: {rtt: 1.2, bandwidth: 1, serviceTime: 0.3}`: the twin's truth against the controller's
    /// figures (docs/twin.md §2); absent keys keep the small defaults.
    private func readMismatch(_ field: YAMLField) -> TwinMismatch {
        var m = TwinMismatch()
        guard field.isPresent, field.expectMapping() else { return m }
        field.warnUnknownKeys(["rtt", "bandwidth", "serviceTime"])
        if let rtt = field["rtt"].double(required: false) {
            if rtt > 0 && rtt.isFinite { m.rttFactor = rtt } else { field["rtt"].error("must be a factor > 0 (1.2: 20 % higher)") }
        }
        if let bandwidth = field["bandwidth"].double(required: false) {
            if bandwidth > 0 && bandwidth.isFinite { m.bandwidthFactor = bandwidth } else { field["bandwidth"].error("must be a factor > 0") }
        }
        if let spread = field["serviceTime"].double(required: false) {
            if spread >= 0 && spread < 1 { m.serviceTimeSpread = spread } else { field["serviceTime"].error("must be in [0, 1) (0.3: ±30 %)") }
        }
        return m
    }

    func positive(_ field: YAMLField) -> Double? {
        guard let value = field.seconds(required: false) else { return nil }
        if value <= 0 { field.error("must be > 0") }
        return value > 0 ? value : nil
    }
}
