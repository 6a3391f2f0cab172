import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A helper program a test starts and stops (a fake API server, Prometheus, iperf3, the gma binary), spawned
/// with posix_spawn. Every descriptor it opens is closed by it exactly once, and the child gets no descriptor
/// but its three standard ones.
///
/// Why not Foundation's `Process`: on Linux its bookkeeping of descriptors races with other threads, and a
/// descriptor closed twice can close one that another part of the test process just opened. swift-subprocess
/// (gma's runner) checks every close and traps on EBADF, so such a race ended whole test runs.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        case null
        /// Read from this file (stdin), or appended to it (created if missing).
        case file(String)
        /// A pipe this object holds the other end of.
        case pipe
    }

    public let pid: pid_t
    /// Parent ends of the pipes; -1 when none or closed. Guarded by `lock`, as is `status`.
    private var inputEnd: Int32 = -1
    private var outputEnd: Int32 = -1
    private var errorEnd: Int32 = -1
    private var status: Int32?
    private let lock = NSLock()

    /// Starts `executable` (a path) with `arguments`; `stderr: nil` sends it where stdout goes.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream? = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipes: [Int32] = []  // every pipe end made here: the child's are closed once it is spawned
        var kept: Set<Int32> = []  // the parent's, once the spawn succeeded
        defer { for fd in pipes where !kept.contains(fd) { close(fd) } }

        func wire(_ stream: Stream, to target: Int32, childReads: Bool) throws -> Int32 {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0)
                return -1
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, childReads ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND, 0o644)
                return -1
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard Self.pipe2(&ends, O_CLOEXEC) == 0 else { throw Failure(executable, "pipe: \(String(cString: strerror(errno)))") }
                pipes += ends
                let (childEnd, parentEnd) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
                return parentEnd
            }
        }
        let input = try wire(stdin, to: STDIN_FILENO, childReads: true)
        let output = try wire(stdout, to: STDOUT_FILENO, childReads: false)
        var error: Int32 = -1
        if let stderr {
            error = try wire(stderr, to: STDERR_FILENO, childReads: false)
        } else {
            posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        }
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw Failure(executable, "posix_spawn_file_actions_addclosefrom_np failed") }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0)=\($1)") } + [nil]
        defer { for p in env { free(p) } }
        var child = pid_t()
        let rc = posix_spawn(&child, executable, &actions, nil, argv, env)
        guard rc == 0 else { throw Failure(executable, String(cString: strerror(rc))) }
        pid = child
        inputEnd = input
        outputEnd = output
        errorEnd = error
        kept = [input, output, error]
    }

    deinit {
        if inputEnd >= 0 { close(inputEnd) }
        if outputEnd >= 0 { close(outputEnd) }
        if errorEnd >= 0 { close(errorEnd) }
        if status == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
        }
    }

    /// Reads the piped stdout until a newline or its end; nil at the end.
    public func readLine() -> String? {
        var line = Data()
        var byte: UInt8 = 0
        while read(lock.withLock { outputEnd }, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    /// Reads the piped stdout (or stderr) to its end.
    public func readToEnd(standardError: Bool = false) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let fd = lock.withLock { standardError ? errorEnd : outputEnd }
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { data.append(contentsOf: buffer[0..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return data
    }

    /// Closes the write end of the child's piped stdin (it sees end of file).
    public func closeInput() {
        lock.withLock {
            if inputEnd >= 0 { close(inputEnd) }
            inputEnd = -1
        }
    }

    public func signal(_ number: Int32) { if isRunning { kill(pid, number) } }

    /// False once the child has exited (it is reaped then).
    public var isRunning: Bool {
        lock.withLock {
            guard status == nil else { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
            return status == nil
        }
    }

    /// Waits for the exit; the exit code, or the signal's number when a signal ended it (as Foundation's
    /// `terminationStatus`).
    @discardableResult
    public func wait() -> Int32 {
        let raw: Int32 = lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            status = raw
            return raw
        }
        return Self.decode(raw).code
    }

    /// Whether a signal ended the child (after `wait`).
    public var wasSignaled: Bool { lock.withLock { status.map { Self.decode($0).signaled } ?? false } }

    /// glibc's pipe2 and posix_spawn_file_actions_addclosefrom_np (2.34), which Swift's Glibc module does not
    /// declare (they need _GNU_SOURCE): pipes that no other spawn inherits, and a child that inherits nothing.
    private static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = symbol("pipe2")
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 =
        symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T {
        guard let address = dlsym(nil, name) else { fatalError("glibc has no \(name) (needs glibc 2.34)") }
        return unsafeBitCast(address, to: T.self)
    }

    static func decode(_ raw: Int32) -> (code: Int32, signaled: Bool) {
        let signal = raw & 0x7f
        return signal == 0 ? ((raw >> 8) & 0xff, false) : (signal, true)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ executable: String, _ reason: String) { description = "cannot start \(executable): \(reason)" }
    }
}
