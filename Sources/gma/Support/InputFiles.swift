import ArgumentParser
import Foundation
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
    /// Reads a `gma/v1` problem; `-` reads standard input. Errors name the file and the JSON path.
    static func problem(at path: String) throws -> PlacementProblem {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw UserFacingError("\(path): cannot read the file")
            }
            data = contents
        }
        do {
            return try PlacementProblem.decode(from: data, source: path == "-" ? "stdin" : path)
        } catch {
            throw UserFacingError(error.description)
        }
    }
}
