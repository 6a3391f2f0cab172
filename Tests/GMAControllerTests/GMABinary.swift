import Foundation

/// The `gma` executable the CLI and end-to-end tests run. `scripts/test` builds the release binary first and
/// names it in `GMA_BINARY`, so the tests exercise what users run (docs/testing.md); a plain `swift test`
/// falls back to the debug binary built next to the test bundle. One rule for every suite: a test that needs
/// the binary `#require`s it, so a missing binary is a failure, never a silent skip.
let gmaBinary: String? = {
    if let named = ProcessInfo.processInfo.environment["GMA_BINARY"], !named.isEmpty {
        return FileManager.default.isExecutableFile(atPath: named) ? named : nil
    }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = directory.appendingPathComponent("gma").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    return nil
}()
