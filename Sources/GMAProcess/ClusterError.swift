import Foundation

/// Why a cluster call failed; the command is always named.
public enum ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command ran and failed, or could not start, or was killed after its timeout.
    case commandFailed(command: [String], exitStatus: Int32?, timedOut: Bool, stderr: String)
    /// The command succeeded but its output was not what was asked for.
    case badOutput(command: [String], message: String)
    /// The service is not in the configuration.
    case unknownService(String)
    /// The program to run does not exist or cannot be executed (nothing was started).
    case programNotFound(program: String, detail: String)

    public var description: String {
        switch self {
        case let .commandFailed(command, status, timedOut, stderr):
            let why: String
            if timedOut {
                why = "timed out and was killed"
            } else if let status {
                why = "failed with exit status \(status)"
            } else {
                why = "could not be started"
            }
            let detail = Self.summary(of: stderr)
            return "\(ShellWords.render(command)) \(why)\(detail.isEmpty ? "" : ": \(detail)")"
        case let .badOutput(command, message):
            return "\(ShellWords.render(command)): unexpected output: \(message)"
        case let .unknownService(name):
            return "unknown service '\(name)'"
        case let .programNotFound(program, detail):
            return "\(program) could not be started: \(detail)\(Self.installHint(program))"
        }
    }
}

extension ClusterError {
    /// One line of a command's standard error for messages: kubectl repeats a connection error once per
    /// discovery attempt and ends with its own summary, so its last `error:` line, else its last line.
    static func summary(of stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let chosen = lines.last { $0.lowercased().hasPrefix("error:") } ?? lines.last ?? ""
        return lines.count > 1 ? chosen + " (\(lines.count) lines of stderr)" : chosen
    }

    /// What to do about a missing kubectl; other programs get no hint.
    static func installHint(_ program: String) -> String {
        guard (program as NSString).lastPathComponent == "kubectl" else { return "" }
        return "; install kubectl (Debian: apt-get install kubernetes-client) or set spec.kube.kubectl to its path"
    }
}
