import Foundation

/// Where a program named on the command line lives: a bare name is looked up on PATH as a shell would (the
/// runner's own lookup, `CommandRunner.executablePath`), a path is taken as it is. Either must be executable.
/// Lets `--iperf3 iperf3` work on any distribution's layout.
public enum ExecutableSearch {
    public static func find(_ program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let found = CommandRunner.executablePath(program, environment: environment) else { return nil }
        return FileManager.default.isExecutableFile(atPath: found) ? found : nil
    }
}
