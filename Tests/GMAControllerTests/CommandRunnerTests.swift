import Foundation
import Testing

@testable import GMAProcess

/// What a child started by `CommandRunner` (posix_spawn) gets: its own process group, its input, no
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
