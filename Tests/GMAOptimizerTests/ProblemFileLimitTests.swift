import Foundation
import GMATestSupport
import Testing

/// Issue 14, "Names and files": problem files were read whole, whatever their size (a 50 MB array took 1.2 GB to
/// decode). `gma solve` and `gma evaluate` now read at most `--max-input-size` bytes (32 MiB by default), from a
/// file or standard input, and say so in one line with exit status 2. Reading does not depend on how a device
/// reads: `/dev/null` is an empty file, like an empty regular file.
@Suite("Problem files: bounded reads, one-line errors")
struct ProblemFileLimitTests {
    /// The `gma` executable next to the test bundle (swift test builds it with the tests).
    static let binary: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("gma").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static let fixture = Fixtures.instances.appendingPathComponent("offload-small-M06-t00.json").path

    /// Runs gma with `stdin` as its standard input; returns the exit status and standard error.
    static func gma(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stderr: String) {
        let executable = try #require(binary, "the gma executable is built by swift test")
        let process = try ChildProcess(executable, arguments, stdin: stdin.map { .file($0) } ?? .null, stderr: .pipe)
        let text = String(decoding: process.readToEnd(standardError: true), as: UTF8.self)
        return (process.wait(), text)
    }

    static func expectOneLine(_ result: (status: Int32, stderr: String), _ message: String) {
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "gma: \(message)\n")
    }

    @Test(.enabled(if: binary != nil), arguments: ["solve", "evaluate"])
    func fileOverTheLimitIsRefused(command: String) throws {
        let size = try #require(FileManager.default.attributesOfItem(atPath: Self.fixture)[.size] as? Int)
        #expect(size > 1024)
        let result = try Self.gma([command, Self.fixture, "--max-input-size", "1Ki"])
        Self.expectOneLine(result, "\(Self.fixture): larger than the 1 KiB input limit (--max-input-size)")
        #expect(try Self.gma([command, Self.fixture, "--max-input-size", "64Ki"]).status == 0)
    }

    /// A pipe has no size to check first: the read stops at the limit.
    @Test(.enabled(if: binary != nil)) func standardInputOverTheLimitIsRefused() throws {
        let result = try Self.gma(["solve", "-", "--max-input-size", "1Ki"], stdin: Self.fixture)
        Self.expectOneLine(result, "stdin: larger than the 1 KiB input limit (--max-input-size)")
    }

    @Test(.enabled(if: binary != nil)) func deviceAndEmptyFilesAreEmpty() throws {
        Self.expectOneLine(try Self.gma(["solve", "/dev/null"]), "/dev/null: empty file")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("gma-empty-\(getpid()).json").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        Self.expectOneLine(try Self.gma(["evaluate", empty]), "\(empty): empty file")
    }

    @Test(.enabled(if: binary != nil)) func directoryIsNotAFile() throws {
        let directory = FileManager.default.temporaryDirectory.path
        Self.expectOneLine(try Self.gma(["solve", directory]), "\(directory): is a directory, not a file")
    }
}
