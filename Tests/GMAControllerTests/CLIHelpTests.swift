import Foundation
@testable import GMAProcess
import GMATestSupport
import Testing

/// What a user reads first: every command's help names files that exist and reads as whole sentences.
@Suite struct CLIHelpTests {
    static let commands = ["check", "decide", "run", "simulate", "evaluate", "solve", "generate", "netprober"]

    static func help(_ command: String) async throws -> String {
        let binary = try GMABinary.path()
        // A wide terminal: the argument parser wraps nothing, so the text's own line breaks show.
        let result = try await CommandRunner.run(
            [binary, command, "--help"], timeoutSeconds: 60, environment: ["COLUMNS": "100000"])
        #expect(result.exitStatus == 0, "\(result.stderr)")
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// The discussion's prose lines (before USAGE, not indented examples) each end a sentence or a clause:
    /// a line break inside a sentence would show as a ragged mid-sentence wrap on an 80-column terminal.
    @Test(arguments: commands)
    func helpParagraphsAreNotBrokenMidSentence(command: String) async throws {
        let text = try await Self.help(command)
        let prose = text.components(separatedBy: "USAGE:")[0].split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in prose.enumerated() where !line.isEmpty && !line.hasPrefix(" ") {
            let next = index + 1 < prose.count ? prose[index + 1] : ""
            guard !next.isEmpty, !next.hasPrefix(" ") else { continue }
            #expect(".:;)".contains(line.last!), "gma \(command) --help breaks a sentence after: \(line)")
        }
    }

    /// Every path an example names (examples/…) exists in the repository.
    @Test(arguments: commands)
    func helpExamplesNameFilesThatExist(command: String) async throws {
        let text = try await Self.help(command)
        let root = RepositoryFiles.root
        let paths = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "=" })
            .filter { $0.hasPrefix("examples/") }
        for path in paths {
            let file = root.appendingPathComponent(String(path.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)"))))
            #expect(FileManager.default.fileExists(atPath: file.path), "gma \(command) --help names \(path)")
        }
    }
}
