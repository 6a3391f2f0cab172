import Foundation

/// Where a program named on the command line lives: a bare name is looked up on PATH as a shell would,
/// a path is taken as it is. Lets `--iperf3 iperf3` work on any distribution's layout.
public enum ExecutableSearch {
    public static func find(_ program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard !program.isEmpty else { return nil }
        guard !program.contains("/") else { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
