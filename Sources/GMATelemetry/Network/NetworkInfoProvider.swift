import Foundation

/// The network parameters the model uses, with where they came from.
public struct NetworkInfo: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        case configuration, file, probe
    }

    public var rttSeconds: Double
    public var cloudToEdgeBitsPerSecond: Double
    public var edgeToCloudBitsPerSecond: Double
    /// Source of the most recent change.
    public var source: Source
    /// When the most recent change was made; nil for configuration defaults.
    public var updatedAt: Date?

    public init(
        rttSeconds: Double, cloudToEdgeBitsPerSecond: Double, edgeToCloudBitsPerSecond: Double,
        source: Source = .configuration, updatedAt: Date? = nil
    ) {
        self.rttSeconds = rttSeconds
        self.cloudToEdgeBitsPerSecond = cloudToEdgeBitsPerSecond
        self.edgeToCloudBitsPerSecond = edgeToCloudBitsPerSecond
        self.source = source
        self.updatedAt = updatedAt
    }
}

/// Keeps the last known network values: configuration defaults, then `netinfo.yaml`, then probes.
///
/// The file is applied when its contents change (so an unchanged file does not undo a newer probe), and a
/// missing or broken file, or a failed probe, leaves the values as they were (docs/differences.md D20).
public actor NetworkInfoProvider {
    public private(set) var current: NetworkInfo
    private let netinfoPath: String?
    private let probe: (any NetworkProbe)?
    private var appliedFileContents: Data?

    /// What one refresh did.
    public struct Refresh: Sendable, Equatable {
        public var info: NetworkInfo
        public var fileApplied: Bool
        public var probeApplied: Bool
        /// Why the file or the probe was not used; never fatal.
        public var problems: [String]
    }

    public init(initial: NetworkInfo, netinfoPath: String?, probe: (any NetworkProbe)?) {
        self.current = initial
        self.netinfoPath = netinfoPath
        self.probe = probe
    }

    public func refresh(now: Date = Date()) async -> Refresh {
        var problems: [String] = []
        var fileApplied = false
        var probeApplied = false

        if let path = netinfoPath {
            if let data = FileManager.default.contents(atPath: path) {
                if data != appliedFileContents {
                    do {
                        let file = try NetInfoFile.parse(String(decoding: data, as: UTF8.self), path: path)
                        apply(file, now: now)
                        appliedFileContents = data
                        fileApplied = true
                    } catch {
                        problems.append("\(error)")
                    }
                }
            } else {
                problems.append("\(NetInfoFile.LoadError.missing(path: path)); keeping the last known values")
            }
        }

        if let probe {
            do {
                let m = try await probe.measure()
                current = NetworkInfo(
                    rttSeconds: m.rttSeconds, cloudToEdgeBitsPerSecond: m.cloudToEdgeBitsPerSecond,
                    edgeToCloudBitsPerSecond: m.edgeToCloudBitsPerSecond, source: .probe, updatedAt: now)
                probeApplied = true
            } catch {
                problems.append("net probing failed: \(error); keeping the last known values")
            }
        }
        return Refresh(info: current, fileApplied: fileApplied, probeApplied: probeApplied, problems: problems)
    }

    private func apply(_ file: NetInfoFile, now: Date) {
        var next = current
        if let v = file.rttSeconds { next.rttSeconds = v }
        if let v = file.cloudToEdgeBitsPerSecond { next.cloudToEdgeBitsPerSecond = v }
        if let v = file.edgeToCloudBitsPerSecond { next.edgeToCloudBitsPerSecond = v }
        if next != current {
            next.source = .file
            next.updatedAt = now
        }
        current = next
    }
}
