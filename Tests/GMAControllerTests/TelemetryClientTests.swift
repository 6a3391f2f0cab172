import Foundation
import Testing

@testable import GMAControl
@testable import GMATelemetry

/// The Prometheus client against a local server that misbehaves on purpose.
@Suite("Telemetry: Prometheus client error paths")
struct TelemetryClientTests {
    static let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1767225600,"NaN"]},{"metric":{},"value":[1767225600.5,"+Inf"]},{"metric":{},"value":[1767225600,"-Inf"]},{"metric":{},"value":[1767225600,"2.5e-3"]}]}}"#

    func client(_ server: StubHTTPServer, timeout: Double = 600, attempts: Int = 3, credentials: PrometheusCredentials = .none)
        -> PrometheusClient
    {
        PrometheusClient(
            PrometheusConnection(
                baseURL: server.url, credentials: credentials, requestTimeoutSeconds: timeout, maxAttempts: attempts,
                retryBackoffSeconds: 0.01))
    }

    func expectError(_ server: StubHTTPServer, _ c: PrometheusClient, query: String = "up", _ check: (PrometheusError) -> Bool) async {
        defer { server.stop() }
        do {
            let result = try await c.query(query, at: Scenarios.endDate)
            Issue.record("expected an error, got \(result)")
        } catch {
            #expect(check(error), "\(error)")
            #expect(error.query == query)
        }
    }

    @Test func parsesVectorWithSpecialValues() async throws {
        let server = try StubHTTPServer([.respond(status: 200, body: Self.vector)])
        defer { server.stop() }
        let samples = try await client(server).query("up", at: Scenarios.endDate).samples
        #expect(samples.count == 4)
        #expect(samples[0].value.isNaN && samples[0].labels == ["a": "b"])
        #expect(samples[1].value == .infinity && samples[1].timestamp == 1_767_225_600.5)
        #expect(samples[2].value == -.infinity && samples[3].value == 0.0025)
        // The instant is sent explicitly (--at), form-encoded.
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("POST /api/v1/query"))
        #expect(request.contains("query=up&time=1767225600.0"))
    }

    @Test func parsesScalar() async throws {
        let server = try StubHTTPServer([
            .respond(status: 200, body: #"{"status":"success","data":{"resultType":"scalar","result":[1767225600,"42"]}}"#)
        ])
        defer { server.stop() }
        #expect(try await client(server).query("scalar(1)") == .scalar(PrometheusSample(labels: [:], timestamp: 1_767_225_600, value: 42)))
    }

    @Test func retries5xxThenSucceeds() async throws {
        let server = try StubHTTPServer([.respond(status: 503, body: "busy"), .respond(status: 200, body: Self.vector)])
        defer { server.stop() }
        _ = try await client(server).query("up")
        #expect(server.requestCount == 2)
    }

    @Test func persistent500IsTypedAfterBoundedAttempts() async throws {
        let server = try StubHTTPServer([.respond(status: 500, body: "oops", contentType: "text/plain")])
        await expectError(server, client(server, attempts: 3)) {
            if case .httpStatus(_, 500, 3, nil, nil) = $0 { return true } else { return false }
        }
        #expect(server.requestCount == 3)
    }

    @Test func badQueryIsNotRetried() async throws {
        let body = #"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#
        let server = try StubHTTPServer([.respond(status: 400, body: body)])
        await expectError(server, client(server)) {
            $0 == .httpStatus(query: "up", status: 400, attempts: 1, errorType: "bad_data", message: "parse error at char 3")
        }
        #expect(server.requestCount == 1)
    }

    @Test(arguments: [
        "<html><body>502 Bad Gateway</body></html>",
        "",
        #"{"status":"success"}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1","2"]}]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","1"]}]}}"#,
        #"{"status":"maybe","data":{"resultType":"vector","result":[]}}"#,
        #"[1,2,3]"#,
    ])
    func garbageIsMalformed(body: String) async throws {
        let server = try StubHTTPServer([.respond(status: 200, body: body)])
        await expectError(server, client(server)) {
            if case .malformedResponse = $0 { return true } else { return false }
        }
    }

    @Test func errorStatusAndOtherResultTypes() async throws {
        let failed = try StubHTTPServer([
            .respond(status: 200, body: #"{"status":"error","errorType":"execution","error":"too many samples"}"#)
        ])
        await expectError(failed, client(failed)) {
            $0 == .queryFailed(query: "up", errorType: "execution", message: "too many samples")
        }
        let matrix = try StubHTTPServer([
            .respond(status: 200, body: #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
        ])
        await expectError(matrix, client(matrix)) { $0 == .unexpectedResultType(query: "up", resultType: "matrix") }
    }

    @Test func hangingServerTimesOut() async throws {
        let server = try StubHTTPServer([.hang])
        await expectError(server, client(server, timeout: 1, attempts: 2)) {
            // The timeout is the query's deadline: the first attempt spends it, so there is no second.
            if case .transport(_, 1, let message) = $0 { return message.contains("timed out") } else { return false }
        }
    }

    @Test func closedConnectionAndRefusedPortAreTransportErrors() async throws {
        let server = try StubHTTPServer([.close])
        await expectError(server, client(server, attempts: 2)) {
            if case .transport = $0 { return true } else { return false }
        }
        let port = try freeLocalPort()
        let refused = PrometheusClient(
            PrometheusConnection(baseURL: URL(string: "http://127.0.0.1:\(port)")!, maxAttempts: 2, retryBackoffSeconds: 0.01))
        await #expect(throws: PrometheusError.self) { _ = try await refused.query("up") }
    }

    @Test func bearerTokenFromFileIsSentAndNeverShown() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gma-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let token = dir.appendingPathComponent("token")
        try Data("s3cr3t-token\n".utf8).write(to: token)

        let server = try StubHTTPServer([.respond(status: 500, body: "no")])
        let credentials = PrometheusCredentials.bearerTokenFile(token.path)
        await expectError(server, client(server, attempts: 1, credentials: credentials)) {
            !"\($0)".contains("s3cr3t")
        }
        #expect(server.requests.first?.contains("Authorization: Bearer s3cr3t-token\r\n") == true)
        #expect(!credentials.description.contains("s3cr3t"))

        let password = dir.appendingPathComponent("password")
        try Data("pw".utf8).write(to: password)
        let basic = try StubHTTPServer([.respond(status: 200, body: Self.vector)])
        defer { basic.stop() }
        _ = try await client(basic, credentials: .basic(username: "gma", passwordFile: password.path)).query("up")
        #expect(basic.requests.first?.contains("Authorization: Basic Z21hOnB3\r\n") == true)

        let missing = try StubHTTPServer([.respond(status: 200, body: Self.vector)])
        defer { missing.stop() }
        await #expect(throws: PrometheusError.credentials(path: "/nonexistent/token", problem: "cannot read the file")) {
            _ = try await client(missing, credentials: .bearerTokenFile("/nonexistent/token")).query("up")
        }
        #expect(missing.requestCount == 0)
    }

    @Test func snapshotOnABrokenServerIsAllUnknownNotAnError() async throws {
        let server = try StubHTTPServer([.respond(status: 500, body: "down")])
        defer { server.stop() }
        let telemetry = try PrometheusTelemetry(settings: TelemetryTestSettings.threeServices(server.url))
        let s = try await telemetry.snapshot(at: nil)
        #expect(!s.isDelayKnown && !s.isDelayQuantileKnown && !s.hasUserTraffic && !s.isCallGraphKnown)
        #expect(s.services.allSatisfy { $0.requestsPerSecond == nil && $0.cpuUsageCores.cloud == nil })
        let failed = s.reasons.filter { if case .queryFailed = $0.problem { true } else { false } }
        #expect(Set(failed.map(\.query)).count == telemetry.queries.named.count)
    }
}

@Suite("Telemetry: settings and rendered PromQL")
struct TelemetryQueryTests {
    @Test func threeServiceQueriesAreExact() {
        let q = TelemetryQueries(TelemetryTestSettings.threeServices(URL(string: "http://prom:9090")!))
        let ingress =
            #"{cluster="",namespace="istio-ingress-edge1",source_app="istio-ingressgateway",destination_app=~"s0|s1|s2",reporter="source",response_code="200",instance=~"10\\.236\\..*"}"#
        #expect(q.ingressRequestRate == "sum by (destination_app) (rate(istio_requests_total\(ingress)[2m]))")
        #expect(q.delayQuantile == "histogram_quantile(0.9, sum by (le) (rate(istio_request_duration_milliseconds_bucket\(ingress)[2m])))")
        #expect(
            q.callRate
                == #"sum by (source_app, destination_app) (rate(istio_requests_total{cluster="",namespace="app3",destination_app=~"s0|s1|s2",reporter="destination",response_code="200",source_app=~"s0|s1|s2"}[2m]))"#
        )
        #expect(
            q.cpu.cloud
                == #"sum by (pod) (rate(container_cpu_usage_seconds_total{cluster="",namespace="app3",pod=~"s0-cloud-[a-z0-9]+-[a-z0-9]+|s1-cloud-[a-z0-9]+-[a-z0-9]+|s2-cloud-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD",container!="istio-proxy"}[2m]))"#
        )
        #expect(q.named.count == 10)
    }

    @Test func labelValuesAreEscaped() {
        #expect(PromQL.quoted(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(PromQL.anyOf(["a.b", "c+d"]) == #"a\.b|c\+d"#)
        #expect(LabelMatcher.oneOf("x", ["a.b"]).rendered == #"x="a.b""#)
        #expect(LabelMatcher.oneOf("x", ["a.b", "c"]).rendered == #"x=~"a\\.b|c""#)
    }

    @Test func podOwnershipIsExact() {
        typealias Kind = PrometheusTelemetrySettings.Workload.Kind
        #expect(Kind.deployment.owns(pod: "cart-7b8c9d-g5h6j", workload: "cart"))
        #expect(!Kind.deployment.owns(pod: "cart-redis-5c6d7f-k7m8n", workload: "cart"))
        #expect(!Kind.deployment.owns(pod: "cartservice-7b8c9d-g5h6j", workload: "cart"))
        #expect(Kind.statefulSet.owns(pod: "cartservice-12", workload: "cartservice"))
        #expect(!Kind.statefulSet.owns(pod: "cartservice-x", workload: "cartservice"))
        #expect(Kind.daemonSet.owns(pod: "agent-x7k2p", workload: "agent"))
        #expect(!Kind.daemonSet.owns(pod: "agent-x7k2p-q", workload: "agent"))
    }

    @Test func invalidSettingsListEveryProblem() {
        var s = TelemetryTestSettings.threeServices(URL(string: "ftp://x")!)
        s.queryWindow = "2 minutes"
        s.delayQuantile = 1
        s.sourceAppLabel = "source-app"
        s.services.append(.init(name: "s0", cloudWorkload: nil, edgeWorkload: nil))
        #expect(throws: TelemetrySettingsError.self) { try s.validate() }
        do {
            try s.validate()
        } catch {
            #expect(error.problems.count == 5, "\(error.problems)")
        }
        #expect(PromQL.isValidDuration("1m30s") && PromQL.isValidDuration("500ms") && !PromQL.isValidDuration("1.5m"))
    }
}
