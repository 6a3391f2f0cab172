import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished command left behind.
public struct CommandResult: Sendable {
    public var exitStatus: Int32
    public var stdout: Data
    public var stderr: String
    /// Killed because it ran past its timeout.
    public var timedOut: Bool
}

/// Runs a program from an argument vector (never a shell), bounded by a timeout.
///
/// Output goes to temporary files rather than pipes, so a child that forks and keeps the descriptors open
/// cannot stall the wait, and a chatty child cannot fill a pipe. When the timeout passes the program gets
/// SIGTERM, then SIGKILL two seconds later, to its whole process group. Cancelling the task kills it the
/// same way.
public enum CommandRunner {
    public static func run(
        _ argv: [String], timeoutSeconds: Double, environment: [String: String]? = nil, input: Data? = nil
    ) async throws -> CommandResult {
        precondition(!argv.isEmpty, "empty argument vector")
        let directory = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let outPath = directory.appendingPathComponent("gma-cmd-\(token).out").path
        let errPath = directory.appendingPathComponent("gma-cmd-\(token).err").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let inPath = directory.appendingPathComponent("gma-cmd-\(token).in").path
        if let input { _ = FileManager.default.createFile(atPath: inPath, contents: input) }
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            if input != nil { try? FileManager.default.removeItem(atPath: inPath) }
        }
        guard let outHandle = FileHandle(forWritingAtPath: outPath),
            let errHandle = FileHandle(forWritingAtPath: errPath)
        else {
            throw ClusterError.commandFailed(
                command: argv, exitStatus: nil, timedOut: false, stderr: "cannot create temporary output files")
        }

        let executable = try locate(argv[0], environment: environment)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        // Standard input from a file as well, so a child that never reads cannot block the writer.
        process.standardInput = input.flatMap { _ in FileHandle(forReadingAtPath: inPath) } ?? FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle

        let watch = Watch()
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, Error>) in
                watch.start(continuation)
                process.terminationHandler = { finished in watch.finish(finished.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    watch.fail(
                        ClusterError.commandFailed(
                            command: argv, exitStatus: nil, timedOut: false, stderr: "\(error)"))
                    return
                }
                watch.started(pid: process.processIdentifier)
                DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                    watch.stop(timedOut: true)
                }
            }
        } onCancel: {
            watch.stop(timedOut: false)
        }
        try? outHandle.close()
        try? errHandle.close()
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        return CommandResult(exitStatus: status, stdout: stdout, stderr: stderr, timedOut: watch.timedOut)
    }
}

extension CommandRunner {
    /// The search path used when the environment has no PATH.
    static let fallbackSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// A name without a slash is looked up on PATH (the child's environment if given, else gma's), as a
    /// shell would: `spec.kube.kubectl: kubectl` means the kubectl on PATH. Paths are used as they are.
    public static func executablePath(_ name: String, environment: [String: String]? = nil) -> String? {
        guard !name.isEmpty, !name.contains("/") else { return name.isEmpty ? nil : name }
        let path = searchPath(environment)
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func searchPath(_ environment: [String: String]?) -> String {
        (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? fallbackSearchPath
    }

    /// The executable to start, or `programNotFound` saying where it was looked for: Foundation's own
    /// error for a missing file is an opaque `NSCocoaErrorDomain Code=260`.
    static func locate(_ name: String, environment: [String: String]?) throws(ClusterError) -> String {
        guard let found = executablePath(name, environment: environment) else {
            throw .programNotFound(program: name, detail: "not found on PATH (\(searchPath(environment)))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: found, isDirectory: &isDirectory) else {
            throw .programNotFound(program: name, detail: "no such file")
        }
        guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: found) else {
            throw .programNotFound(program: name, detail: "not an executable file")
        }
        return found
    }
}

/// The shared state of one run: resumed exactly once; kills only a process that has not been reaped.
private final class Watch: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32, Error>?
    private var pid: pid_t = 0
    private var done = false
    private var stopRequested = false
    private var _timedOut = false

    var timedOut: Bool { lock.withLock { _timedOut } }

    func start(_ continuation: CheckedContinuation<Int32, Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func started(pid: pid_t) {
        let stopNow = lock.withLock { () -> Bool in
            self.pid = pid
            return stopRequested && !done
        }
        if stopNow { signal(SIGTERM, thenKillAfter: 2) }
    }

    func finish(_ status: Int32) { resume(.success(status)) }

    func fail(_ error: Error) { resume(.failure(error)) }

    private func resume(_ result: Result<Int32, Error>) {
        let continuation = lock.withLock { () -> CheckedContinuation<Int32, Error>? in
            if done { return nil }
            done = true
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }

    /// Timeout or cancellation: SIGTERM now, SIGKILL if it is still there two seconds later.
    func stop(timedOut: Bool) {
        let running = lock.withLock { () -> Bool in
            if done { return false }
            stopRequested = true
            if timedOut { _timedOut = true }
            return pid != 0
        }
        if running { signal(SIGTERM, thenKillAfter: 2) }
    }

    private func signal(_ sig: Int32, thenKillAfter seconds: Double) {
        let target = lock.withLock { done ? 0 : pid }
        guard target > 0 else { return }
        Self.signalGroup(target, sig)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            let still = lock.withLock { done ? 0 : pid }
            if still > 0 { Self.signalGroup(still, SIGKILL) }
        }
    }

    /// Foundation starts the child as the leader of its own process group, and only reports its end once
    /// every process holding its internal socket has gone. A wrapper script's children (a `sleep`, an auth
    /// plugin) inherit that socket, so killing the child alone would leave the wait running until they exit:
    /// the whole group is signalled.
    private static func signalGroup(_ leader: pid_t, _ sig: Int32) {
        kill(-leader, sig)
        kill(leader, sig)
    }
}
