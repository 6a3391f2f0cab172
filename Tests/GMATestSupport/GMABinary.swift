import Foundation

/// The `gma` executable the CLI and end-to-end tests run. `scripts/test` builds the release binary first and
/// names it in `GMA_BINARY`, so the tests exercise what users run (docs/testing.md); a plain `swift test`
/// uses the debug binary built next to the test bundle. One rule for every suite: a test that needs the
/// binary calls `GMABinary.path()`, so a missing binary fails the test with the same message, never a skip.
public enum GMABinary {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The binary's path, or an error saying where it was looked for and how to provide it.
    public static func path() throws -> String {
        if let named = ProcessInfo.processInfo.environment["GMA_BINARY"], !named.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: named) else {
                throw Missing(description: "GMA_BINARY names \(named), which is not an executable file")
            }
            return named
        }
        // The test bundle sits in the build folder (or a folder or two inside it on macOS), next to `gma`.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var searched: [String] = []
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("gma").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            searched.append(candidate)
            directory.deleteLastPathComponent()
        }
        throw Missing(
            description: "no gma executable (looked at \(searched.joined(separator: ", "))): "
                + "run `swift build --build-tests` first, or set GMA_BINARY to the binary to test"
        )
    }
}
