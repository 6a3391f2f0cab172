import Foundation
import GMATestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct TelemetryFixtureError: Error, CustomStringConvertible {
    var description: String
}

/// A port nobody listens on right now (the kernel's pick for a throwaway socket).
func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TelemetryFixtureError(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TelemetryFixtureError(description: "bind() failed") }
    return try boundPort(fd)
}

/// A TCP socket listening on 127.0.0.1 on a free port (the stub servers and the fault proxy of the tests).
func loopbackListener(backlog: Int32) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TelemetryFixtureError(description: "socket() failed") }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, backlog) == 0 else {
        close(fd)
        throw TelemetryFixtureError(description: "bind/listen on 127.0.0.1 failed")
    }
    return fd
}

func boundPort(_ fd: Int32) throws -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard ok == 0 else { throw TelemetryFixtureError(description: "getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `name` on PATH or in the Debian locations.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
    return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a command to completion, throwing with its output when it fails.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = try ChildProcess(executable, arguments, stdout: .pipe, stderr: nil)
    let output = String(decoding: process.readToEnd(), as: UTF8.self)
    let status = process.wait()
    guard status == 0 else {
        throw TelemetryFixtureError(
            description: "\(executable) \(arguments.joined(separator: " ")) exited \(status):\n\(output)")
    }
    return output
}
