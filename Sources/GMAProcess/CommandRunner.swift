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
///
/// The child is started with `posix_spawn` and waited for by a thread of its own that ends with it.
/// Foundation's `Process` is not used: on Linux each run left its `Process`, run-loop source, file
/// handles and output behind, about 8 KB per kubectl call, which a long-running loop accumulates
/// (`docs/reliability.md`, "Bounds").
public enum CommandRunner {
    public static func run(
        _ argv: [String], timeoutSeconds: Double, environment: [String: String]? = nil, input: Data? = nil
    ) async throws -> CommandResult {
        precondition(!argv.isEmpty, "empty argument vector")
        let token = UUID().uuidString
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gma-cmd-\(token)").path
        let files = ChildFiles(input: input == nil ? "/dev/null" : base + ".in", output: base + ".out", error: base + ".err")
        defer {
            unlink(files.output)
            unlink(files.error)
            if input != nil { unlink(files.input) }
        }
        if let input {
            guard FileManager.default.createFile(atPath: files.input, contents: input) else {
                throw ClusterError.commandFailed(
                    command: argv, exitStatus: nil, timedOut: false, stderr: "cannot create a temporary input file")
            }
        }

        let executable = try locate(argv[0], environment: environment)

        let watch = Watch()
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, Error>) in
                watch.start(continuation)
                let pid: pid_t
                do {
                    pid = try ChildProcess.spawn(executable, argv, environment: environment, files: files)
                } catch {
                    watch.fail(ClusterError.commandFailed(command: argv, exitStatus: nil, timedOut: false, stderr: "\(error)"))
                    return
                }
                watch.started(pid: pid)
                Thread { watch.finish(ChildProcess.wait(pid) { watch.reaping() }) }.start()
                DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                    watch.stop(timedOut: true)
                }
            }
        } onCancel: {
            watch.stop(timedOut: false)
        }
        let stdout = ChildProcess.contents(of: files.output)
        let stderr = String(decoding: ChildProcess.contents(of: files.error), as: UTF8.self)
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
    package static func locate(_ name: String, environment: [String: String]?) throws(ClusterError) -> String {
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

    /// The child has exited and is about to be reaped: from now on its pid may be reused, so no more signals.
    func reaping() {
        lock.withLock { pid = 0 }
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

    /// The child leads its own process group. A wrapper script's children (a `sleep`, an auth plugin) are
    /// in it too, and killing the child alone would leave them running: the whole group is signalled.
    private static func signalGroup(_ leader: pid_t, _ sig: Int32) {
        kill(-leader, sig)
        kill(leader, sig)
    }
}

/// Where a child's standard streams go: paths, opened by `posix_spawn` in the child itself.
struct ChildFiles {
    var input: String
    var output: String
    var error: String
}

/// `posix_spawn` and `waitid`/`waitpid` for `CommandRunner`.
enum ChildProcess {
    /// Starts `executable` as the leader of a new process group, with default signal dispositions and an
    /// empty signal mask (gma itself blocks or ignores SIGTERM/SIGINT to handle them), standard streams
    /// from `files` and no other descriptor inherited. Throws a one-line reason.
    static func spawn(_ executable: String, _ argv: [String], environment: [String: String]?, files: ChildFiles)
        throws -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, files.input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, files.output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, files.error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = closeFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number: Int32 in 1..<32 where number != SIGKILL && number != SIGSTOP { sigaddset(&defaults, number) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environmentLines = environment.map { $0.map { "\($0.key)=\($0.value)" } }
        var pid: pid_t = 0
        let code = withCStrings(argv) { arguments in
            if let environmentLines {
                return withCStrings(environmentLines) { posix_spawn(&pid, executable, &actions, &attributes, arguments, $0) }
            }
            return posix_spawn(&pid, executable, &actions, &attributes, arguments, environ)
        }
        guard code == 0 else { throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(code)))") }
        return pid
    }

    /// Blocks until the child exits; `beforeReaping` runs while its pid still names it (a zombie), so no
    /// signal can reach another process that reused the pid. The status as Foundation reported it: the exit
    /// code, or the number of the signal that ended it.
    static func wait(_ pid: pid_t, beforeReaping: () -> Void) -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        beforeReaping()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// A whole file, read with plain `read(2)`.
    static func contents(of path: String) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Data() }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: the Glibc module
    /// does not declare GNU extensions. Without it a child may inherit descriptors gma opened without
    /// close-on-exec (sockets of concurrent HTTP transfers); they close when the child exits.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// A NULL-terminated `char *[]` of `strings`, valid during `body`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
