import Foundation
import GMATestSupport
import Testing

@testable import GMAProcess

/// What a child started by `CommandRunner` (swift-subprocess) gets: its own process group, its input, no
/// descriptor of gma's beyond the three standard ones, and its ending signal back (exit codes and
/// streams: `ClusterRuleTests`).
@Suite("Cluster: CommandRunner's child processes")
struct CommandRunnerTests {
    @Test func childLeadsItsOwnProcessGroup() async throws {
        // Field 5 of /proc/PID/stat is the process group.
        let result = try await CommandRunner.run(["/bin/sh", "-c", "echo $$ $(cut -d' ' -f5 /proc/$$/stat)"], timeoutSeconds: 60)
        let fields = String(decoding: result.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        #expect(fields.count == 2 && fields[0] == fields[1], "\(fields)")
    }

    @Test func inputIsTheGivenBytesOrEmpty() async throws {
        let echoed = try await CommandRunner.run(["/bin/cat"], timeoutSeconds: 60, input: Data("apiVersion: v1\n".utf8))
        #expect(String(decoding: echoed.stdout, as: UTF8.self) == "apiVersion: v1\n")
        // Without input, standard input is /dev/null: cat ends at once with nothing.
        let empty = try await CommandRunner.run(["/bin/cat"], timeoutSeconds: 60)
        #expect(empty.exitStatus == 0 && empty.stdout.isEmpty)
    }

    @Test func onlyTheStandardDescriptorsAreInherited() async throws {
        // A descriptor gma holds open without close-on-exec must not reach the child.
        let held = open("/dev/null", O_RDONLY)
        defer { close(held) }
        let result = try await CommandRunner.run(["/bin/sh", "-c", "ls /proc/$$/fd"], timeoutSeconds: 60)
        let descriptors = String(decoding: result.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        #expect(descriptors.compactMap { Int($0) }.sorted() == [0, 1, 2], "\(descriptors)")
    }

    @Test func aChildThatIgnoresNothingIsEndedBySIGTERMOnTimeout() async throws {
        // SIGTERM's number (15) is the status, as Foundation reported an uncaught signal.
        let result = try await CommandRunner.run(["/bin/sleep", "30"], timeoutSeconds: 0.2)
        #expect(result.timedOut && result.exitStatus == SIGTERM)
    }
}

/// What swift-subprocess must give `CommandRunner`: the whole group ended on timeout, bounded capture,
/// the ending signal, the given environment, and clear errors for programs that cannot start.
@Suite("Cluster: CommandRunner's bounds")
struct CommandRunnerBoundsTests {
    @Test(.timeLimit(.minutes(5)))
    func aTimeoutEndsTheGrandchildrenToo() async throws {
        // The shell's background `sleep` holds the write end of a FIFO the test reads: the FIFO hangs up only
        // once every writer is gone, so the test waits on the grandchild's death, not on a clock. The test's
        // own writer, closed after the run, makes the hang-up show even if the shell died before its child.
        let directory = try TemporaryDirectory()
        let fifo = directory.path + "/held", pidFile = directory.path + "/pid"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        #expect(reader >= 0 && writer >= 0)
        defer { close(reader) }
        let script = "sleep 1000 3>'\(fifo)' & echo $! > '\(pidFile)'; wait"
        let result = try await CommandRunner.run(["/bin/sh", "-c", script], timeoutSeconds: 1)
        close(writer)
        #expect(result.timedOut)
        // A surviving grandchild keeps the FIFO open for 1000 s; `poll` gives up long before that.
        var descriptor = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 60_000)
        #expect(ready == 1 && descriptor.revents & Int16(POLLHUP) != 0, "the grandchild still holds the FIFO open")
        var byte: UInt8 = 0
        #expect(read(reader, &byte, 1) == 0, "end of file: no writer is left")
        if let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            kill(pid, SIGKILL)  // a no-op unless the test fails: nothing must be left behind
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aProgramThatClosesItsOutputIsStillTimed() async throws {
        // Both streams end at once, but the program runs on: only the timer can end it.
        let result = try await CommandRunner.run(["/bin/sh", "-c", "exec >&- 2>&-; exec sleep 1000"], timeoutSeconds: 1)
        #expect(result.timedOut && [SIGTERM, SIGKILL].contains(result.signal), "\(result)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aBackgroundChildHoldingThePipesDoesNotHoldTheRun() async throws {
        // The shell exits at once; its `sleep` keeps standard output open. The run ends with the shell,
        // well inside its timeout, instead of waiting for the pipe's end.
        let result = try await CommandRunner.run(["/bin/sh", "-c", "sleep 1000 & echo $!"], timeoutSeconds: 120)
        let pid = Int32(String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        if let pid { kill(pid, SIGKILL) }
        #expect(!result.timedOut && result.exitStatus == 0 && result.signal == nil)
        #expect(pid != nil, "\(result)")
    }

    @Test func outputPastTheCapIsCountedNotKept() async throws {
        // 1,000,000 bytes against a cap of 4096: 4096 kept, 995,904 read and dropped, the exit still 0.
        let caps = OutputCaps(standardOutput: 4096, standardError: 10)
        let result = try await CommandRunner.run(
            ["/bin/sh", "-c", "head -c 1000000 /dev/zero; echo 0123456789abcdef >&2"], timeoutSeconds: 60, caps: caps)
        #expect(result.exitStatus == 0 && !result.timedOut)
        #expect(result.stdout.count == 4096 && result.droppedOutputBytes == 995_904 && result.outputTruncated)
        #expect(result.stderr == "0123456789" && result.droppedErrorBytes == 7)
    }

    @Test(.timeLimit(.minutes(5)))
    func anEndlessWriterKeepsOnlyTheCap() async throws {
        // `yes` never stops writing; only the timeout ends it, and what was kept is exactly the cap.
        let result = try await CommandRunner.run(
            ["/usr/bin/yes"], timeoutSeconds: 1, caps: OutputCaps(standardOutput: 65_536, standardError: 0))
        // SIGTERM ends it, or the SIGKILL two seconds later if a loaded machine has not let it die by then.
        #expect(result.timedOut && [SIGTERM, SIGKILL].contains(result.signal), "\(result)")
        #expect(result.stdout.count == 65_536 && result.stdout.allSatisfy { $0 == UInt8(ascii: "y") || $0 == 10 })
        #expect(result.droppedOutputBytes > 0)
    }

    @Test func outputAtTheCapIsNotTruncated() async throws {
        let result = try await CommandRunner.run(
            ["/bin/sh", "-c", "printf 12345"], timeoutSeconds: 60, caps: OutputCaps(standardOutput: 5, standardError: 5))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "12345" && !result.outputTruncated)
    }

    @Test func theEndingSignalIsReported() async throws {
        let killed = try await CommandRunner.run(["/bin/sh", "-c", "kill -KILL $$"], timeoutSeconds: 60)
        #expect(killed.signal == SIGKILL && killed.exitStatus == SIGKILL && !killed.timedOut)
        let exited = try await CommandRunner.run(["/bin/sh", "-c", "exit 9"], timeoutSeconds: 60)
        #expect(exited.signal == nil && exited.exitStatus == 9)
    }

    @Test func theGivenEnvironmentIsTheWholeEnvironment() async throws {
        let result = try await CommandRunner.run(["/usr/bin/env"], timeoutSeconds: 60, environment: ["GMA_PROBE": "a b"])
        #expect(String(decoding: result.stdout, as: UTF8.self) == "GMA_PROBE=a b\n")
    }

    @Test func inputTheProgramNeverReadsIsNotAnError() async throws {
        // `true` exits without reading; the megabyte meant for it must not fail the run or signal gma.
        let result = try await CommandRunner.run(["/bin/true"], timeoutSeconds: 60, input: Data(count: 1 << 20))
        #expect(result.exitStatus == 0 && result.signal == nil)
    }

    @Test(.timeLimit(.minutes(5)))
    func cancellingTheCallerEndsTheProgram() async throws {
        // No timer runs (an infinite timeout), so only the cancellation can end `sleep infinity`.
        let run = Task { try await CommandRunner.run(["/bin/sleep", "infinity"], timeoutSeconds: .infinity) }
        run.cancel()
        switch await run.result {
        case let .success(result): #expect([SIGTERM, SIGKILL].contains(result.signal) && !result.timedOut, "\(result)")
        case let .failure(error): #expect(error is CancellationError, "\(error)")
        }
    }

    @Test func aFileThatIsNotExecutableIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let script = directory.path + "/plain"
        #expect(FileManager.default.createFile(atPath: script, contents: Data("#!/bin/sh\n".utf8)))
        let error = try await #require(throws: ClusterError.self) { try await CommandRunner.run([script], timeoutSeconds: 5) }
        #expect(error.description == "\(script) could not be started: not an executable file")
    }

    @Test func aScriptWhoseInterpreterIsMissingIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let script = directory.path + "/orphan-script"
        #expect(FileManager.default.createFile(atPath: script, contents: Data("#!/nonexistent/interpreter\n".utf8),
            attributes: [.posixPermissions: 0o755]))
        let error = try await #require(throws: ClusterError.self) { try await CommandRunner.run([script], timeoutSeconds: 5) }
        #expect(
            error.description
                == "\(script) could not be started: exists but cannot be executed: its #! interpreter or loader is missing")
    }
}
