import Foundation

/// Why an input file (config, manifest) could not be read; the message names the file.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

/// Reads the text files a user hands gma, with a size cap.
///
/// YAML parsing can take 60 times the file's size in memory (a 16 MiB list of numbers took 900 MB), so a file is
/// refused before it is parsed when it is larger than any real config or manifest could be
/// (docs/reliability.md).
public enum InputFile {
    /// 4 MiB by default: a config is a few KB and a manifest rarely over 100 KB. A 4 MiB list of numbers
    /// takes about 250 MB to parse, a 16 MiB one 900 MB (docs/reliability.md).
    public static let defaultMaximumBytes = 4 << 20

    /// The environment variable that raises or lowers the cap: bytes, or a quantity such as `32Mi`.
    public static let limitVariable = "GMA_MAX_INPUT_BYTES"

    /// The cap in force: `$GMA_MAX_INPUT_BYTES` when it is a positive size, else the default.
    public static var maximumBytes: Int {
        limit(from: ProcessInfo.processInfo.environment[limitVariable])
    }

    static func limit(from text: String?) -> Int {
        guard let text, let value = try? UnitParser.quantity(text), value >= 1, value < Double(Int.max) else {
            return defaultMaximumBytes
        }
        return Int(value)
    }

    /// The whole file as UTF-8 text, at most `limit` bytes.
    public static func readText(_ path: String, limit: Int = maximumBytes) throws(InputFileError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputFileError(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw InputFileError(path: path, reason: "a directory, not a file") }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        // A regular file states its size: refuse it without reading. Others (pipes, devices) are read up to
        // the limit and refused if there is more.
        if let size = (attributes?[.size] as? NSNumber)?.intValue, attributes?[.type] as? FileAttributeType == .typeRegular,
            size > limit
        {
            throw tooLarge(path, size: "\(size) bytes", limit: limit)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputFileError(path: path, reason: "cannot open the file (permissions?)")
        }
        defer { try? handle.close() }
        var data = Data()
        while data.count <= limit {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: min(1 << 20, limit + 1 - data.count)) ?? Data()
            } catch {
                throw InputFileError(path: path, reason: "cannot read the file: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        if data.count > limit { throw tooLarge(path, size: "more than \(limit) bytes", limit: limit) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputFileError(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    private static func tooLarge(_ path: String, size: String, limit: Int) -> InputFileError {
        let mebibytes = Double(limit) / 1_048_576
        return InputFileError(
            path: path,
            reason: "\(size), over gma's limit of \(fmt(mebibytes)) MiB for an input file (\(limitVariable) raises it)")
    }
}
