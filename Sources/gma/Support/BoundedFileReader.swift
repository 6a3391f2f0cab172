import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an input file whole, but never more than `maximumBytes`: decoding JSON takes about 25 times the file's
/// size in memory, so an unbounded read lets one file take gigabytes.
///
/// It reads with `read(2)` until end of file, the same way for regular files, pipes and devices: what a device
/// reports as its size (or how Foundation treats it) does not matter, and `/dev/null`, like an empty file, is
/// "empty" rather than a failure to read.
struct BoundedFileReader {
    let maximumBytes: Int

    /// `-` reads standard input; `name` is what errors call it.
    func contents(of path: String) throws(UserFacingError) -> Data {
        let name = path == "-" ? "stdin" : path
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw UserFacingError("\(name): cannot read the file (\(Self.reason(errno)))") }
        defer { if path != "-" { close(descriptor) } }
        var info = stat()
        if fstat(descriptor, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw UserFacingError("\(name): is a directory, not a file") }
            // A regular file says its size: refuse it before reading anything.
            if kind == S_IFREG, Int(info.st_size) > maximumBytes { throw tooLarge(name) }
        }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw UserFacingError("\(name): cannot read the file (\(Self.reason(errno)))")
            }
            if count == 0 { break }
            guard data.count + count <= maximumBytes else { throw tooLarge(name) }
            data.append(contentsOf: chunk[0..<count])
        }
        if data.isEmpty { throw UserFacingError("\(name): empty file") }
        return data
    }

    private func tooLarge(_ name: String) -> UserFacingError {
        UserFacingError("\(name): larger than the \(Self.describe(maximumBytes)) input limit (--max-input-size)")
    }

    /// A byte count the way the option takes it: `64Mi`, `512Ki`, or bytes.
    static func describe(_ bytes: Int) -> String {
        for (suffix, unit) in [("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] where bytes >= unit && bytes % unit == 0 {
            return "\(bytes / unit) \(suffix)B"
        }
        return "\(bytes)-byte"
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
