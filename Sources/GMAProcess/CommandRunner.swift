import Foundation
import Subprocess

/// What a finished command left behind.
public struct CommandResult: Sendable {
    /// The exit code, or the number of the signal that ended the program (`signal` says which it is).
    public var exitStatus: Int32
    /// The signal that ended the program; nil when it exited by itself.
    public var signal: Int32?
    /// Standard output, at most `OutputCaps.standardOutput` bytes of it.
    public var stdout: Data
    /// Standard error, at most `OutputCaps.standardError` bytes of it.
    public var stderr: String
    /// Killed because it ran past its timeout.
    public var timedOut: Bool
    /// Bytes of standard output read past the cap and dropped.
    public var droppedOutputBytes: Int = 0
    /// Bytes of standard error read past the cap and dropped.
    public var droppedErrorBytes: Int = 0

    /// Standard output is incomplete: the program wrote more than the cap.
    public var outputTruncated: Bool { droppedOutputBytes > 0 }
}

/// How much of each stream a run keeps. What comes past a cap is still read, so the program never blocks
/// on a full pipe, but only counted: a program that prints gigabytes costs gma no more than the caps.
public struct OutputCaps: Sendable, Equatable {
    public var standardOutput: Int
    public var standardError: Int

    public init(standardOutput: Int, standardError: Int) {
        self.standardOutput = max(0, standardOutput)
        self.standardError = max(0, standardError)
    }

    /// Room for `kubectl get … -o json` of a large namespace; standard error is only ever summarised.
    public static let standard = OutputCaps(standardOutput: 64 << 20, standardError: 1 << 20)
}

/// Runs a program from an argument vector (never a shell), bounded by a timeout and by output caps.
///
/// swift-subprocess starts the child in a process group of its own, with default signal dispositions,
/// an empty signal mask (gma blocks SIGTERM/SIGINT to handle them itself) and no descriptor of gma's
/// beyond the three standard ones. When the timeout passes, the whole group gets SIGTERM, then SIGKILL
/// two seconds later: a wrapper script's children (a `sleep`, an auth plugin) go with it. Cancelling the
/// calling task ends the group the same way. When the program exits while a child it left behind still
/// holds its output pipes, the run returns at once with what was read (`docs/reliability.md`, "Commands").
public enum CommandRunner {
    public static func run(
        _ argv: [String], timeoutSeconds: Double, environment: [String: String]? = nil, input: Data? = nil,
        caps: OutputCaps = .standard
    ) async throws -> CommandResult {
        precondition(!argv.isEmpty, "empty argument vector")
        let executable = try locate(argv[0], environment: environment)
        let configuration = Configuration(
            executable: .path(.init(executable)),
            arguments: Arguments(executablePathOverride: argv[0], remainingValues: Array(argv.dropFirst())),
            environment: environment.map(childEnvironment) ?? .inherit,
            platformOptions: platformOptions)
        let limit = timeLimit(timeoutSeconds)
        do {
            guard let input else { return try await execute(configuration, input: .none, limit: limit, caps: caps) }
            let file = try StandardInputFile(input)
            defer { file.closeDescriptor() }
            let descriptor = FileDescriptorInput.fileDescriptor(.init(rawValue: file.descriptor), closeAfterSpawningProcess: false)
            return try await execute(configuration, input: descriptor, limit: limit, caps: caps)
        } catch let error as CancellationError {
            throw error
        } catch let error as SubprocessError where error.code == .executableNotFound {
            // `locate` found an executable file, so what is missing is what the kernel needs to start it.
            throw ClusterError.programNotFound(
                program: argv[0], detail: "exists but cannot be executed: its #! interpreter or loader is missing")
        } catch {
            throw ClusterError.commandFailed(command: argv, exitStatus: nil, timedOut: false, stderr: "\(error)")
        }
    }

    /// SIGTERM to the whole group, SIGKILL to it two seconds later if anything is left: what swift-subprocess
    /// does when the run's task is cancelled, by the timer or by the caller.
    static let stopSequence: [TeardownStep] = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]

    /// A new process group led by the child, stopped with `stopSequence`.
    static var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = stopSequence
        return options
    }

    /// The timer's length; nil (no timer) for an infinite timeout. Past a billion seconds is the same as never.
    static func timeLimit(_ seconds: Double) -> Duration? {
        guard !seconds.isInfinite else { return nil }
        return .seconds(seconds.isNaN ? 0 : min(max(seconds, 0), 1e9))
    }

    static func childEnvironment(_ environment: [String: String]) -> Environment {
        var keyed: [Environment.Key: String] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { keyed[key] = value }
        }
        return .custom(keyed)
    }

    /// Races the run against the timer. When the timer wins, the run's task is cancelled and swift-subprocess
    /// stops the group with `stopSequence`; the run still returns what it read. The timer runs until the
    /// program has exited, not until its streams end: a program that closes them and keeps running is timed too.
    private static func execute<Input: InputProtocol>(
        _ configuration: Configuration, input: Input, limit: Duration?, caps: OutputCaps
    ) async throws -> CommandResult {
        try await withThrowingTaskGroup(of: RaceEvent.self) { group in
            group.addTask {
                let outcome = try await Subprocess.run(configuration, input: input, output: .sequence, error: .sequence) {
                    execution in
                    try await readStreams(execution, caps: caps)
                }
                return .exited(outcome.terminationStatus, outcome.closureResult)
            }
            if let limit {
                group.addTask {
                    do {
                        try await Task.sleep(for: limit)
                        return .timerFired
                    } catch {
                        return .timerStopped
                    }
                }
            }
            var timedOut = false
            while let event = try await group.next() {
                switch event {
                case .timerFired:
                    timedOut = true
                    group.cancelAll()
                case .timerStopped:
                    break
                case let .exited(status, streams):
                    group.cancelAll()
                    return CommandResult(status, streams, timedOut: timedOut)
                }
            }
            preconditionFailure("the run's task always reports its exit")
        }
    }

    /// Both streams read to their end, concurrently: a program filling one pipe while gma waits on the other
    /// would otherwise stall. The reads run in a task of their own, out of reach of the run's cancellation: a
    /// cancelled read ends early, and the pipe it closes would kill a still-writing program with SIGPIPE
    /// before the stop sequence does. The stop sequence ends the program, and so the reads.
    private static func readStreams<Input: InputProtocol>(
        _ execution: Execution<Input, SequenceOutput, SequenceOutput>, caps: OutputCaps
    ) async throws -> CapturedStreams {
        let reading = Task {
            async let output = CappedBytes.read(execution.standardOutput, cap: caps.standardOutput)
            let error = try await CappedBytes.read(execution.standardError, cap: caps.standardError)
            return CapturedStreams(output: try await output, error: error)
        }
        return try await reading.value
    }
}

/// What one task of the race hands back; no state is shared between them.
private enum RaceEvent: Sendable {
    case exited(TerminationStatus, CapturedStreams)
    case timerFired
    case timerStopped
}

/// Both streams of a run.
struct CapturedStreams: Sendable {
    var output: CappedBytes
    var error: CappedBytes
}

extension CommandResult {
    fileprivate init(_ status: TerminationStatus, _ streams: CapturedStreams, timedOut: Bool) {
        switch status {
        case let .exited(code):
            (exitStatus, signal) = (code, nil)
        case let .signaled(number):
            (exitStatus, signal) = (number, number)
        }
        stdout = streams.output.bytes
        stderr = String(decoding: streams.error.bytes, as: UTF8.self)
        self.timedOut = timedOut
        droppedOutputBytes = streams.output.dropped
        droppedErrorBytes = streams.error.dropped
    }
}

/// The first `cap` bytes of a stream, and how many more there were.
struct CappedBytes: Sendable {
    var bytes = Data()
    var dropped = 0

    static func read(_ stream: SubprocessOutputSequence, cap: Int) async throws -> CappedBytes {
        var captured = CappedBytes()
        for try await buffer in stream {
            let room = max(0, cap - captured.bytes.count)
            if room > 0 {
                buffer.withUnsafeBytes { captured.bytes.append(contentsOf: $0.prefix(room)) }
            }
            captured.dropped += max(0, buffer.count - room)
        }
        return captured
    }
}

/// Standard input as an unlinked temporary file, read by the child at its own pace. Not a pipe: writing
/// to a pipe whose reader exited without reading (a plug-in that ignores its input) raises SIGPIPE in gma,
/// which ends the whole process, and swift-subprocess does not guard against that.
struct StandardInputFile {
    let descriptor: Int32

    init(_ data: Data) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gma-input-\(UUID().uuidString)").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        unlink(path)
        do {
            try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(contentsOf: data)
        } catch {
            close(descriptor)
            throw Failure(path: path, reason: "\(error)")
        }
        lseek(descriptor, 0, SEEK_SET)
        self.descriptor = descriptor
    }

    func closeDescriptor() { close(descriptor) }

    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot write standard input to \(path): \(reason)" }
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

    /// The executable to start, or `programNotFound` saying where it was looked for, so a missing kubectl
    /// is one line naming it rather than a spawn error code.
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
