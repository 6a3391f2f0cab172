import Foundation
import GMAControl
import Synchronization

/// Appends one JSON line per decision to a file (`gma run --journal`).
public final class DecisionJournal: Sendable {
    /// The lock keeps concurrent appends from interleaving their lines.
    private let handle: Mutex<FileHandle>

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw DecisionJournalError("\(path): cannot create the journal file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw DecisionJournalError("\(path): cannot open the journal file for writing")
        }
        handle.seekToEndOfFile()
        self.handle = Mutex(handle)
    }

    public func append(_ decision: ControllerDecision, commands: [[String]], edge: String? = nil) {
        let line = decision.json(commands: commands, includeProblem: true, edge: edge).rendered() + "\n"
        handle.withLock { $0.write(Data(line.utf8)) }
    }
}

/// The journal file cannot be created or opened; the message names the file.
public struct DecisionJournalError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
