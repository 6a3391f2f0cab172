import ArgumentParser
import Foundation
import GMAConfig
import GMAOptimizer

/// A failure the user can fix: printed as one line on standard error, exit status 2.
struct UserFacingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body; bad input becomes a message on standard error and exit status 2, never a crash.
func reportingUserErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as UserFacingError {
        printError(error.description)
        throw ExitCode(2)
    } catch let error as ProblemError {
        printError(error.description)
        throw ExitCode(2)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("gma: \(message)\n".utf8))
}

enum InputFiles {
    /// Largest problem file read by default (docs/problem-format.md, "Size"): a 30,000-service problem from
    /// `gma generate` is 20 MB, real apps' problems are kilobytes, and a 50 MB file of numbers would take over a
    /// gigabyte to decode.
    static let defaultMaximumBytes = 32 << 20

    /// Reads a `gma/v1` problem of at most `maximumBytes`; `-` reads standard input. Errors name the file and the JSON path.
    static func problem(at path: String, maximumBytes: Int = defaultMaximumBytes) throws -> ValidatedProblem {
        let data = try BoundedFileReader(maximumBytes: maximumBytes).contents(of: path)
        do {
            return try PlacementProblem.decodeValidated(from: data, source: path == "-" ? "stdin" : path)
        } catch {
            throw UserFacingError(error.description)
        }
    }
}

/// Options of the commands that read a problem file.
struct ProblemInputOptions: ParsableArguments {
    @Option(
        name: .long, help: "Largest problem file read, e.g. 32Mi (the default), 512Ki, 100M.",
        transform: ProblemInputOptions.byteCount)
    var maxInputSize: Int = InputFiles.defaultMaximumBytes

    static func byteCount(_ text: String) throws -> Int {
        let value: Double
        do { value = try UnitParser.memoryBytes(text) } catch { throw ValidationError(error.description) }
        guard value >= 1, value < Double(Int.max) else { throw ValidationError("--max-input-size must be at least 1 byte") }
        return Int(value)
    }
}
