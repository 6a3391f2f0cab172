import Foundation
import Testing

@testable import GMAControl
@testable import GMATelemetry

/// Fault-matrix rows for the telemetry bounds (`docs/reliability.md`, "Bounds"): a Prometheus that never
/// answers or dribbles, an oversized answer, too many series, stale samples and duplicate keys each give
/// an error naming the query — "unknown" data, never a measurement — and the call returns.
///
/// No row asserts a duration: each waits for the answer, with a generous hang guard that only turns a
/// hang into a failure instead of a stuck test run.
@Suite("Fault matrix: telemetry bounds")
struct FaultMatrixTelemetryBoundsTests {
    static let at = Scenarios.endDate
    static let time = Scenarios.end
    static let hangGuardSeconds = 300.0

    /// A vector answer with one series per entry of `labels`, every sample at `timestamp`.
    static func vector(_ labels: [String], timestamp: Double = Double(Scenarios.end)) -> String {
        let series = labels.map { #"{"metric":{"pod":"\#($0)"},"value":[\#(timestamp),"1.5"]}"# }
        return #"{"status":"success","data":{"resultType":"vector","result":["# + series.joined(separator: ",") + "]}}"
    }

    static func client(
        _ server: StubHTTPServer, timeout: Double = 600, attempts: Int = 3, maxBytes: Int = PrometheusConnection.defaultMaxAnswerBytes,
        maxSeries: Int = PrometheusConnection.defaultMaxSeries
    ) -> PrometheusClient {
        PrometheusClient(
            PrometheusConnection(
                baseURL: server.url, requestTimeoutSeconds: timeout, maxAttempts: attempts, retryBackoffSeconds: 0.01,
                maxAnswerBytes: maxBytes, maxSeries: maxSeries))
    }

    /// The query's answer, or nil (with an issue recorded) when it had not returned within the hang guard.
    static func answer(_ client: PrometheusClient, window: Double? = nil) async -> Result<PrometheusResult, PrometheusError>? {
        let outcome = await withTaskGroup(of: Result<PrometheusResult, PrometheusError>?.self) { group in
            group.addTask { await Self.query(client, window: window) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(Self.hangGuardSeconds * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if outcome == nil { Issue.record("the query had not returned after \(Self.hangGuardSeconds) s") }
        return outcome
    }

    static func query(_ client: PrometheusClient, window: Double?) async -> Result<PrometheusResult, PrometheusError> {
        do {
            return .success(try await client.query("up", at: Self.at, window: window))
        } catch {
            return .failure(error)
        }
    }

    static func error(_ result: Result<PrometheusResult, PrometheusError>?) -> PrometheusError? {
        if case .failure(let error) = result { return error }
        Issue.record("expected an error, got \(String(describing: result))")
        return nil
    }

    // MARK: Time

    @Test("a server that accepts and never answers: one attempt, timed out, the deadline covers retries")
    func neverAnswering() async throws {
        let server = try StubHTTPServer([.hang])
        defer { server.stop() }
        let failure = Self.error(await Self.answer(Self.client(server, timeout: 1, attempts: 3)))
        // Three attempts of 1 s each would be a 3 s query for a 1 s timeout: the first one spends the deadline.
        #expect(failure == .transport(query: "up", attempts: 1, message: "timed out: no complete answer within 1 s"))
        #expect(server.requestCount == 1)
    }

    @Test("an answer dribbled a byte every 0.6 s: timed out, although bytes keep coming")
    func dribbled() async throws {
        // 100+ bytes at 0.6 s each would take over a minute; the 1 s deadline is for the whole answer.
        let server = try StubHTTPServer([.dribble(body: Self.vector(["a"]), interval: 0.6)])
        defer { server.stop() }
        let failure = Self.error(await Self.answer(Self.client(server, timeout: 1, attempts: 3)))
        #expect(failure == .transport(query: "up", attempts: 1, message: "timed out: no complete answer within 1 s"))
    }

    @Test("a snapshot against a never-answering Prometheus returns, every query unknown and named")
    func snapshotOfANeverAnsweringPrometheus() async throws {
        let server = try StubHTTPServer([.hang])
        defer { server.stop() }
        var settings = TelemetryTestSettings.threeServices(server.url)
        settings.connection.requestTimeoutSeconds = 1
        let telemetry = try PrometheusTelemetry(settings: settings)
        let snapshot = try await telemetry.snapshot(at: Self.at)
        #expect(!snapshot.isDelayKnown && !snapshot.hasUserTraffic && !snapshot.isCallGraphKnown)
        let failed = snapshot.reasons.compactMap { reason -> PrometheusError? in
            if case .queryFailed(let error) = reason.problem { return error } else { return nil }
        }
        #expect(Set(failed.compactMap(\.query)) == Set(telemetry.queries.named.map(\.1)))
        // One attempt each: the deadline leaves no time for a retry.
        #expect(failed.allSatisfy { if case .transport(_, 1, let message) = $0 { message.contains("timed out") } else { false } }, "\(failed)")
    }

    // MARK: Bytes

    /// Bodies of exactly `size` bytes: the answer padded with trailing spaces (still JSON).
    static func padded(_ size: Int) -> String {
        let body = vector(["a"])
        return body + String(repeating: " ", count: size - body.utf8.count)
    }

    @Test("an answer over the byte cap, with or without Content-Length, is an error naming the query")
    func oversized() async throws {
        let cap = 4096
        for behaviour: StubHTTPServer.Behaviour in [
            .respond(status: 200, body: Self.padded(cap + 1)),
            .stream(body: Self.padded(5000), chunkSize: 1000),
        ] {
            let server = try StubHTTPServer([behaviour])
            defer { server.stop() }
            let failure = Self.error(await Self.answer(Self.client(server, maxBytes: cap)))
            #expect(failure == .answerTooLarge(query: "up", limitBytes: cap), "\(behaviour)")
            // The same answer would come again: not retried.
            #expect(server.requestCount == 1)
            #expect(failure?.description == "Prometheus answer larger than the cap of 4096 bytes [query: up]")
        }
    }

    @Test("an answer of exactly the byte cap is read")
    func exactlyAtTheCap() async throws {
        for behaviour: StubHTTPServer.Behaviour in [
            .respond(status: 200, body: Self.padded(4096)), .stream(body: Self.padded(4096), chunkSize: 1000),
        ] {
            let server = try StubHTTPServer([behaviour])
            defer { server.stop() }
            let result = await Self.answer(Self.client(server, maxBytes: 4096))
            #expect(try result?.get().samples.map(\.value) == [1.5], "\(behaviour)")
        }
    }

    // MARK: Series

    @Test("more series than the cap is an error; exactly the cap is read")
    func tooManySeries() async throws {
        let four = try StubHTTPServer([.respond(status: 200, body: Self.vector(["a", "b", "c", "d"]))])
        defer { four.stop() }
        let failure = Self.error(await Self.answer(Self.client(four, maxSeries: 3)))
        #expect(failure == .tooManySeries(query: "up", count: 4, limit: 3))
        #expect(failure?.description == "Prometheus answered 4 series, more than the cap of 3 [query: up]")

        let three = try StubHTTPServer([.respond(status: 200, body: Self.vector(["a", "b", "c"]))])
        defer { three.stop() }
        #expect(try await Self.answer(Self.client(three, maxSeries: 3))?.get().samples.count == 3)
    }

    // MARK: Staleness

    @Test("a sample a day older than the evaluation time is stale; one inside the window is a measurement")
    func staleSamples() async throws {
        let dayOld = Double(Self.time - 86_400)
        let stale = try StubHTTPServer([.respond(status: 200, body: Self.vector(["a"], timestamp: dayOld))])
        defer { stale.stop() }
        let failure = Self.error(await Self.answer(Self.client(stale), window: 120))
        #expect(failure == .staleSample(query: "up", sampleTime: dayOld, evaluationTime: Double(Self.time), windowSeconds: 120))
        #expect(
            failure?.description
                == "Prometheus sample 86400 s before the evaluation time, outside the 120 s query window [query: up]")

        // 120 s before the evaluation time is still inside a 2m window; 121 s is not.
        let edge = try StubHTTPServer([
            .respond(status: 200, body: Self.vector(["a"], timestamp: Double(Self.time - 120))),
            .respond(status: 200, body: Self.vector(["a"], timestamp: Double(Self.time - 121))),
        ])
        defer { edge.stop() }
        #expect(try await Self.answer(Self.client(edge), window: 120)?.get().samples.count == 1)
        if case .staleSample = Self.error(await Self.answer(Self.client(edge), window: 120)) {} else {
            Issue.record("121 s before the evaluation time was accepted")
        }
    }

    @Test("a snapshot whose answers are a day old knows nothing: every query failed as stale")
    func snapshotOfStaleAnswers() async throws {
        let server = try StubHTTPServer([.respond(status: 200, body: Self.vector(["a"], timestamp: Double(Self.time - 86_400)))])
        defer { server.stop() }
        let telemetry = try PrometheusTelemetry(settings: TelemetryTestSettings.threeServices(server.url))
        let snapshot = try await telemetry.snapshot(at: Self.at)
        #expect(!snapshot.isDelayKnown && !snapshot.hasUserTraffic)
        let stale = snapshot.reasons.filter {
            if case .queryFailed(.staleSample(_, _, _, 120)) = $0.problem { true } else { false }
        }
        #expect(Set(stale.map(\.query)).count == telemetry.queries.named.count, "\(snapshot.reasons)")
    }

    // MARK: Duplicate keys

    @Test(arguments: [
        (#"{"metric":{"pod":"a","pod":"b"},"value":[T,"1"]}"#, #"data.result[0].metric: key "pod" appears twice"#),
        (#"{"metric":{},"value":[T,"1"],"value":[T,"9"]}"#, #"data.result[0]: key "value" appears twice"#),
        (#"{"metric":{"pod":"a","p\u006fd":"b"},"value":[T,"1"]}"#, #"data.result[0].metric: key "pod" appears twice"#),
    ])
    func duplicateKeys(entry: String, detail: String) async throws {
        let body = #"{"status":"success","data":{"resultType":"vector","result":["#
            + entry.replacingOccurrences(of: "T", with: "\(Self.time)") + "]}}"
        let server = try StubHTTPServer([.respond(status: 200, body: body)])
        defer { server.stop() }
        #expect(Self.error(await Self.answer(Self.client(server))) == .malformedResponse(query: "up", detail: detail))
    }

    @Test func duplicateTopLevelKeyIsMalformed() throws {
        let body = Data(#"{"status":"error","status":"success","data":{"resultType":"vector","result":[]}}"#.utf8)
        #expect(throws: PrometheusError.malformedResponse(query: "q", detail: #"<root>: key "status" appears twice"#)) {
            try PrometheusResponseParser.parse(body, query: "q")
        }
    }

    @Test("equal keys in different objects, key-like values and escaped quotes are not duplicates")
    func notDuplicates() {
        for text in [
            #"[{"a":1},{"a":2}]"#, #"{"a":"a","b":"a"}"#, #"{"a\"":1,"a":2}"#, #"{"a":{"a":{"a":1}}}"#,
            #"{"x":[{"a":1,"b":[1,{"a":2}]}],"a":3}"#,
        ] {
            #expect(JSONDuplicateKeys.first(in: Data(text.utf8)) == nil, "\(text)")
        }
        #expect(JSONDuplicateKeys.first(in: Data(#"{"x":[1,{"b":1,"b":2}]}"#.utf8)) == #"x[1]: key "b" appears twice"#)
    }
}
