import Foundation
import GMAProcess

/// A failure of one probe tool, with what the tool said.
public struct ProbeToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var tool: String
    public var message: String

    public init(tool: String, message: String) {
        self.tool = tool
        self.message = message
    }

    public var description: String { "\(tool): \(message)" }
}

/// One iperf3 TCP test, as the receiving end saw it.
public struct ThroughputSample: Sendable, Equatable {
    /// Goodput at the receiver, bit/s (`end.sum_received.bits_per_second`).
    public var bitsPerSecond: Double
    /// Seconds the receiver measured over.
    public var seconds: Double
    /// TCP retransmissions at the sender, when iperf3 reports them.
    public var retransmits: Int?
}

/// Summary of a `ping -c N` run, in milliseconds.
public struct RTTSample: Sendable, Equatable {
    public var minMilliseconds: Double
    public var avgMilliseconds: Double
    public var maxMilliseconds: Double
    /// ping's `mdev`: how much the round trips spread around their mean.
    public var deviationMilliseconds: Double
    public var transmitted: Int
    public var received: Int
}

/// iperf3 in client mode, run from an argument vector (never a shell).
///
/// TCP without a target rate, so the result is the path's capacity as one TCP flow sees it, not an
/// offered rate. `reverse` makes the server send (`-R`): the edge→cloud direction.
public struct Iperf3Client: Sendable {
    public var executable: String
    /// Extra seconds beyond the test length before the process is killed.
    public var graceSeconds: Double = 10
    /// Tries when the server is busy with another client's test.
    public var busyRetries: Int = 6

    /// A bare name (the default) is looked up on PATH when run; a path is used as it is.
    public init(executable: String = "iperf3") {
        self.executable = executable
    }

    public func arguments(host: String, port: Int, durationSeconds: Int, reverse: Bool) -> [String] {
        var argv = [executable, "--client", host, "--port", String(port), "--time", String(durationSeconds), "--json"]
        argv += ["--connect-timeout", "3000"]
        if reverse { argv.append("--reverse") }
        return argv
    }

    public func measure(host: String, port: Int, durationSeconds: Int, reverse: Bool) async throws -> ThroughputSample {
        let argv = arguments(host: host, port: port, durationSeconds: durationSeconds, reverse: reverse)
        var attempt = 0
        while true {
            attempt += 1
            let result: CommandResult
            do {
                result = try await CommandRunner.run(argv, timeoutSeconds: Double(durationSeconds) + graceSeconds)
            } catch {
                throw ProbeToolError(tool: "iperf3", message: "cannot run \(executable): \(error)")
            }
            if result.timedOut {
                throw ProbeToolError(tool: "iperf3", message: "no result within \(Double(durationSeconds) + graceSeconds) s")
            }
            do {
                return try Self.parse(result.stdout)
            } catch let error as ProbeToolError {
                // One iperf3 server runs one test at a time; the other direction's test may still be closing.
                if error.message.contains("busy"), attempt < busyRetries {
                    try await Task.sleep(nanoseconds: 500_000_000 * UInt64(attempt))
                    continue
                }
                if result.stdout.isEmpty, !result.stderr.isEmpty {
                    throw ProbeToolError(tool: "iperf3", message: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                throw error
            }
        }
    }

    /// Reads iperf3's `--json` report: `error` if present, else `end.sum_received`.
    public static func parse(_ data: Data) throws -> ThroughputSample {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ProbeToolError(tool: "iperf3", message: "output is not a JSON report")
        }
        if let error = root["error"] as? String {
            throw ProbeToolError(tool: "iperf3", message: error)
        }
        guard let end = root["end"] as? [String: Any], let received = end["sum_received"] as? [String: Any],
            let bps = (received["bits_per_second"] as? NSNumber)?.doubleValue, bps.isFinite
        else {
            throw ProbeToolError(tool: "iperf3", message: "report has no end.sum_received.bits_per_second")
        }
        let sent = end["sum_sent"] as? [String: Any]
        return ThroughputSample(
            bitsPerSecond: bps, seconds: (received["seconds"] as? NSNumber)?.doubleValue ?? 0,
            retransmits: (sent?["retransmits"] as? NSNumber)?.intValue)
    }
}

/// `ping -n -q -c COUNT -i INTERVAL -W WAIT HOST` (iputils), run from an argument vector.
public struct PingClient: Sendable {
    public var executable: String
    /// 0.2 s is the shortest interval iputils allows an unprivileged user.
    public var intervalSeconds: Double = 0.2
    public var waitSeconds: Int = 2
    /// Extra seconds beyond the pings' own time before the process is killed, as iperf3's: a loaded machine can
    /// take seconds to start a process (5 s was too little for a CI run's busiest minute).
    public var graceSeconds: Double = 10

    /// A bare name (the default) is looked up on PATH when run; a path is used as it is.
    public init(executable: String = "ping") {
        self.executable = executable
    }

    public func arguments(host: String, count: Int) -> [String] {
        [executable, "-n", "-q", "-c", String(count), "-i", String(intervalSeconds), "-W", String(waitSeconds), host]
    }

    public func measure(host: String, count: Int) async throws -> RTTSample {
        let argv = arguments(host: host, count: count)
        let budget = Double(count) * intervalSeconds + Double(waitSeconds) + graceSeconds
        let result: CommandResult
        do {
            result = try await CommandRunner.run(argv, timeoutSeconds: budget)
        } catch {
            throw ProbeToolError(tool: "ping", message: "cannot run \(executable): \(error)")
        }
        let output = String(decoding: result.stdout, as: UTF8.self)
        if result.timedOut { throw ProbeToolError(tool: "ping", message: "no answer within \(budget) s") }
        // ping exits 1 when some replies are missing; the summary is still valid if any came back.
        if let sample = Self.parse(output), sample.received > 0 { return sample }
        let detail = [output, result.stderr].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        throw ProbeToolError(tool: "ping", message: "no reply from \(host) (exit \(result.exitStatus)): \(detail)")
    }

    /// Reads `N packets transmitted, M received` and `rtt min/avg/max/mdev = a/b/c/d ms`
    /// (`round-trip min/avg/max` on BusyBox, without mdev).
    public static func parse(_ output: String) -> RTTSample? {
        var transmitted: Int?
        var received: Int?
        var values: [Double]?
        for line in output.split(separator: "\n") {
            if line.contains("packets transmitted") {
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                for field in fields {
                    let words = field.split(separator: " ")
                    guard let number = words.first.flatMap({ Int($0) }) else { continue }
                    if field.hasSuffix("transmitted") { transmitted = number }
                    if field.hasSuffix("received") || field.hasSuffix("packets received") { received = number }
                }
            }
            if line.hasPrefix("rtt ") || line.hasPrefix("round-trip ") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let numbers = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    .split(separator: " ").first?.split(separator: "/").compactMap { Double($0) }
                if let numbers, numbers.count >= 3 { values = numbers }
            }
        }
        guard let transmitted, let received else { return nil }
        guard let values else {
            return received == 0
                ? RTTSample(
                    minMilliseconds: 0, avgMilliseconds: 0, maxMilliseconds: 0, deviationMilliseconds: 0,
                    transmitted: transmitted, received: 0) : nil
        }
        return RTTSample(
            minMilliseconds: values[0], avgMilliseconds: values[1], maxMilliseconds: values[2],
            deviationMilliseconds: values.count > 3 ? values[3] : 0, transmitted: transmitted, received: received)
    }
}
