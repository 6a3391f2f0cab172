import Foundation
import Yams

/// The `NetInfo` document of `netinfo.yaml` (docs/config.md §10). Each key is optional; absent ones leave the
/// current values alone. gma only reads this file: measurements stay in memory (docs/differences.md D20).
public struct NetInfoFile: Sendable, Equatable {
    public var rttSeconds: Double?
    public var cloudToEdgeBitsPerSecond: Double?
    public var edgeToCloudBitsPerSecond: Double?

    public init(rttSeconds: Double? = nil, cloudToEdgeBitsPerSecond: Double? = nil, edgeToCloudBitsPerSecond: Double? = nil) {
        self.rttSeconds = rttSeconds
        self.cloudToEdgeBitsPerSecond = cloudToEdgeBitsPerSecond
        self.edgeToCloudBitsPerSecond = edgeToCloudBitsPerSecond
    }

    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(path: String)
        case invalidYAML(path: String, message: String)
        case noNetInfoDocument(path: String)
        case invalidValue(path: String, key: String, value: String)

        public var description: String {
            switch self {
            case .missing(let path): "\(path): no such file"
            case .invalidYAML(let path, let message): "\(path): invalid YAML: \(message)"
            case .noNetInfoDocument(let path): "\(path): no document with kind: NetInfo"
            case .invalidValue(let path, let key, let value): "\(path): spec.\(key) = \(value) is not valid"
            }
        }
    }

    public static func load(path: String) throws(LoadError) -> NetInfoFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missing(path: path) }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// The first document with `kind: NetInfo`, as the reference reads it.
    public static func parse(_ text: String, path: String = "netinfo.yaml") throws(LoadError) -> NetInfoFile {
        let documents: [Any?]
        do {
            documents = Array(try Yams.load_all(yaml: text))
        } catch {
            throw .invalidYAML(path: path, message: "\(error)")
        }
        guard let doc = documents.lazy.compactMap({ $0 as? [String: Any] }).first(where: { $0["kind"] as? String == "NetInfo" })
        else {
            throw .noNetInfoDocument(path: path)
        }
        let spec = doc["spec"] as? [String: Any] ?? [:]
        func value(_ key: String, _ parse: (String) -> Double?) throws(LoadError) -> Double? {
            guard let raw = spec[key] else { return nil }
            let text = "\(raw)"
            guard let parsed = parse(text) else { throw .invalidValue(path: path, key: key, value: text) }
            return parsed
        }
        return NetInfoFile(
            rttSeconds: try value("edge-cloud-rtt", NetworkUnits.seconds),
            cloudToEdgeBitsPerSecond: try value("cloud-edge-bps", NetworkUnits.bitsPerSecond),
            edgeToCloudBitsPerSecond: try value("edge-cloud-bps", NetworkUnits.bitsPerSecond))
    }
}

/// The unit strings of netinfo.yaml (docs/config.md §10), accepting decimals (the reference did not, which
/// is how sub-millisecond RTTs became 0). Rates must be positive.
enum NetworkUnits {
    static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        // Longest suffix first: "ms" must not be read as "m".
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where t.hasSuffix(suffix) {
            return number(String(t.dropLast(suffix.count))).map { $0 * scale }
        }
        return number(t)  // a bare number means seconds
    }

    static func bitsPerSecond(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in [("kbps", 1e3), ("Mbps", 1e6), ("Gbps", 1e9), ("bps", 1.0)] where t.hasSuffix(suffix) {
            return positive(number(String(t.dropLast(suffix.count))).map { $0 * scale })
        }
        return positive(number(t))
    }

    private static func number(_ text: String) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ "0123456789.eE+".contains($0) }), let v = Double(text), v.isFinite, v >= 0
        else { return nil }
        return v
    }

    private static func positive(_ v: Double?) -> Double? { v.flatMap { $0 > 0 ? $0 : nil } }
}
