import Foundation
import GMAOptimizer
import Testing


/// The fault matrix (issue 8), library level: the real `PlacementController` with the real
/// `PrometheusTelemetry` (a backfilled Prometheus, directly or behind `FaultProxy`) and the real
/// `KubectlCluster` (kubectl, or `KubectlWrapper`, against `FakeKubeAPI`), on a simulated clock reading
/// the backfilled history. Every row: the fault is injected, a few cycles run, then the fault is lifted.
/// Asserted: no crash; no cluster change while data is unknown; skipped cycles counted with their cause;
/// no service half applied; convergence to the decided placement after recovery.
/// docs/reliability.md keeps the table of rows.
@Suite("Fault matrix: controller")
struct FaultMatrixTests {
    /// Cycles allowed to converge after a fault is lifted: camping → alarm → 2 checks → action is 4; the
    /// rest is slack for a slow machine (a cycle whose reads time out is skipped and simply retried).
    static let convergeLimit = 20

    // MARK: shared checks

    /// Non-GET requests the fake API has seen so far.
    static func changeCount(_ rig: FaultRig) async throws -> Int { try await rig.changingRequests().count }

    /// While data is unknown: nothing changed in the cluster, nothing decided, no action state entered,
    /// and at least `cycles` skips counted under `cause`.
    static func expectNoAction(
        _ rig: FaultRig, changesBefore: Int, cause: String, cycles: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(try await changeCount(rig) == changesBefore, "no cluster change on unknown data", sourceLocation: sourceLocation)
        #expect(rig.events.decisions.isEmpty, "\(rig.events.decisions.map(\.reason))", sourceLocation: sourceLocation)
        #expect(!rig.states.contains(.offloading) && !rig.states.contains(.unoffloading), sourceLocation: sourceLocation)
        #expect(
            rig.skipCount(cause) >= Double(cycles), "skips: \(rig.events.skips.suffix(3))", sourceLocation: sourceLocation)
    }

    /// After the fault is lifted, the edge ends up holding the decided placement, every pair whole.
    static func expectConvergence(_ rig: FaultRig, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let converged = try await rig.cycles(upTo: convergeLimit) { try await $0.converged() }
        let view = try await rig.view()
        #expect(converged, "\(view); decided \(rig.decidedEdge.map { $0.sorted() } ?? []); skips \(rig.events.skips.suffix(3)); failures \(rig.failures.map(\.1))", sourceLocation: sourceLocation)
        #expect(rig.offloadPairsWhole(view), "\(view)", sourceLocation: sourceLocation)
        #expect(view.deployments.keys.contains("frontend"), "the entry service moves first", sourceLocation: sourceLocation)
    }

    static let emptyVector = #"{"status":"success","data":{"resultType":"vector","result":[]}}"#

    // MARK: Prometheus rows

    @Test func prometheusConnectionRefused() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url)
            rig.telemetry.use(try rig.telemetry(at: URL(string: "http://127.0.0.1:\(try freeLocalPort())")!))
            let before = try await Self.changeCount(rig)
            await rig.cycles(4)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "telemetry", cycles: 4)
            #expect(rig.events.skips.first?.contains("Prometheus unreachable") == true, "\(rig.events.skips.first ?? "")")
            rig.telemetry.use(rig.live)
            try await Self.expectConvergence(rig)
        }
    }

    @Test(arguments: [
        ("HTTP 500", FaultProxy.Action.respond(status: 500, body: "internal error")),
        ("HTTP 503 with a JSON error", .respond(status: 503, body: #"{"status":"error","errorType":"unavailable","error":"tsdb not ready"}"#)),
        ("garbage JSON", .respond(status: 200, body: #"{"status":"success","data":{"resultType":"vector","result":[{"metr"#)),
        ("an HTML page", .respond(status: 200, body: "<html><body>proxy login</body></html>")),
    ])
    func prometheusBadAnswers(_ name: String, _ action: FaultProxy.Action) async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let proxy = try FaultProxy(upstream: prometheus.url)
            defer { proxy.stop() }
            let rig = try await FaultRig(kube: kube, prometheus: proxy.url)
            proxy.set { _ in action }
            let before = try await Self.changeCount(rig)
            await rig.cycles(4)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "telemetry", cycles: 4)
            proxy.set { _ in .forward }
            try await Self.expectConvergence(rig)
        }
    }

    @Test func prometheusHangsPastTheTimeout() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let proxy = try FaultProxy(upstream: prometheus.url)
            defer { proxy.stop() }
            var options = FaultRig.Options()
            options.prometheusTimeoutSeconds = 1
            options.prometheusAttempts = 1
            let rig = try await FaultRig(kube: kube, prometheus: proxy.url, options)
            proxy.set { _ in .hang }
            let before = try await Self.changeCount(rig)
            await rig.cycles(3)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "telemetry", cycles: 3)
            #expect(rig.events.skips.first?.contains("timed out") == true, "\(rig.events.skips.first ?? "")")
            proxy.set { _ in .forward }
            try await Self.expectConvergence(rig)
        }
    }

    /// The delay answers NaN or ±Inf while everything else is real: unknown, not zero (docs/differences.md D12).
    @Test(arguments: ["NaN", "+Inf", "-Inf"])
    func prometheusNonFiniteDelay(_ literal: String) async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let proxy = try FaultProxy(upstream: prometheus.url)
            defer { proxy.stop() }
            let rig = try await FaultRig(kube: kube, prometheus: proxy.url)
            let delayQueries = [rig.live.queries.meanDelay, rig.live.queries.delayQuantile]
            proxy.set { query in delayQueries.contains(query) ? .forwardWithValue(literal) : .forward }
            let before = try await Self.changeCount(rig)
            await rig.cycles(4)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "unknown_delay", cycles: 4)
            #expect((proxy.actionCounts["value \(literal)"] ?? 0) >= 4)
            proxy.set { _ in .forward }
            try await Self.expectConvergence(rig)
        }
    }

    /// The delay is known (and high) but every other query fails: the alarm runs its course, and at action
    /// time no placement can be computed from the incomplete telemetry, so nothing is done.
    @Test func prometheusFailsForEverythingButTheDelay() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let proxy = try FaultProxy(upstream: prometheus.url)
            defer { proxy.stop() }
            let rig = try await FaultRig(kube: kube, prometheus: proxy.url)
            let delayQueries = [rig.live.queries.meanDelay, rig.live.queries.delayQuantile]
            proxy.set { query in delayQueries.contains(query) ? .forward : .respond(status: 500, body: "partial outage") }
            let before = try await Self.changeCount(rig)
            #expect(await rig.cycles(upTo: 8, untilState: .offloading))
            await rig.cycles(1)
            #expect(try await Self.changeCount(rig) == before, "no cluster change on incomplete telemetry")
            let decision = try #require(rig.events.decisions.first)
            #expect(decision.action == .none && decision.operations.isEmpty)
            #expect(decision.reason.contains("telemetry incomplete"), "\(decision.reason)")
            #expect(ObservabilityTests.value(#"gma_decisions_total{action="none"}"#, in: rig.metrics.exposition()) == 1)
            proxy.set { _ in .forward }
            try await Self.expectConvergence(rig)
        }
    }

    @Test func prometheusEmptyVectors() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let proxy = try FaultProxy(upstream: prometheus.url)
            defer { proxy.stop() }
            let rig = try await FaultRig(kube: kube, prometheus: proxy.url)
            proxy.set { _ in .respond(status: 200, body: Self.emptyVector) }
            let before = try await Self.changeCount(rig)
            await rig.cycles(4)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "unknown_delay", cycles: 4)
            #expect(rig.events.skips.first?.contains("empty result") == true, "\(rig.events.skips.first ?? "")")
            proxy.set { _ in .forward }
            try await Self.expectConvergence(rig)
        }
    }

    /// Everything at the edge and no traffic at all: the reference read the NaN delay as 0 and emptied the
    /// edge (docs/differences.md D12). Here nothing moves.
    @Test func noTrafficKeepsTheEdge() async throws {
        try await withFaultWorld(FaultScenarios.quiet()) { kube, prometheus in
            var options = FaultRig.Options()
            options.preplaced = ["frontend", "cart", "catalog"]
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            let before = try await Self.changeCount(rig)
            let edgeBefore = try await rig.view()
            await rig.cycles(8)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "unknown_delay", cycles: 8)
            #expect(rig.events.skips.first?.contains("no traffic") == true, "\(rig.events.skips.first ?? "")")
            #expect(try await rig.view() == edgeBefore)
        }
    }

    /// Prometheus dies while an offload alarm is counting: the alarm is dropped (unknown is not "still
    /// high"), nothing is done; once it is back the alarm starts over and the offload converges.
    @Test func prometheusStoppedMidRunThenRestarted() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            var options = FaultRig.Options()
            options.prometheusTimeoutSeconds = 2
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            #expect(await rig.cycles(upTo: 3, untilState: .offloadAlarm))
            prometheus.stopServer()
            let before = try await Self.changeCount(rig)
            await rig.cycles(3)
            #expect(await rig.controller.state == .camping)
            #expect(rig.events.transitions.contains("offload-alarm>camping"), "\(rig.events.transitions)")
            try await Self.expectNoAction(rig, changesBefore: before, cause: "telemetry", cycles: 3)
            try await prometheus.startServer()
            try await Self.expectConvergence(rig)
        }
    }

    // MARK: kubectl rows

    @Test func kubectlMissingThenInstalled() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory, install: false)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            let before = try await Self.changeCount(rig)
            await rig.cycles(4)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "cluster", cycles: 4)
            #expect(rig.events.skips.first?.contains("could not be started") == true, "\(rig.events.skips.first ?? "")")
            try wrapper.install()
            try await Self.expectConvergence(rig)
        }
    }

    /// kubectl fails its first N calls (every kind, or only the changing ones), then works.
    @Test(arguments: [("fail-all", 5), ("fail-change", 1), ("fail-change", 3)])
    func kubectlFailsNTimesThenRecovers(_ control: String, _ count: Int) async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            try wrapper.set(control, "\(count)")
            // After every cycle: no service half applied.
            var wholeEveryCycle = true
            let converged = try await rig.cycles(upTo: Self.convergeLimit) { rig in
                let view = try await rig.view()
                if !rig.offloadPairsWhole(view) { wholeEveryCycle = false }
                return try await rig.converged()
            }
            let view = try await rig.view()
            #expect(converged, "\(view); failures \(rig.failures.map(\.1)); decisions \(rig.events.decisions.map(\.reason))")
            #expect(wholeEveryCycle)
            let left = try String(contentsOfFile: wrapper.directory + "/" + control, encoding: .utf8)
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "all injected failures were hit")
            if control == "fail-all" {
                #expect(rig.skipCount("cluster") >= 1)
            } else {
                #expect(!rig.failures.isEmpty)
                #expect(rig.events.decisions.filter { !$0.operations.isEmpty }.count >= 2, "a second action finishes the job")
            }
        }
    }

    /// Every read hangs past the kubectl timeout: the cluster is unknown, so nothing is done.
    @Test func kubectlReadsTimeOut() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            options.kubeTimeoutSeconds = 4
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            try wrapper.set("sleep-get", "60")
            let before = try await Self.changeCount(rig)
            await rig.cycles(2)
            try await Self.expectNoAction(rig, changesBefore: before, cause: "cluster", cycles: 2)
            #expect(rig.events.skips.first?.contains("timed out") == true, "\(rig.events.skips.first ?? "")")
            wrapper.clear("sleep-get")
            try await Self.expectConvergence(rig)
        }
    }

    /// cart's `kubectl apply` lands in the cluster but the call hangs past the timeout: gma cannot know it
    /// landed, so it undoes the pair (deletes cart's edge copy) rather than leave it unscaled.
    ///
    /// The timeout applies to every other call too, so it must be one no healthy call reaches: with 5 s, the
    /// ThreadSanitizer pass of a CI run (2026-12-05) saw frontend's ordinary apply time out first. 30 s, and the
    /// hang well past it.
    @Test func kubectlApplyLandsThenTimesOut() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            options.kubeTimeoutSeconds = 30
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            try wrapper.set("land-then-hang", "*apply*cart-edge1.yaml*")
            try wrapper.set("hang-seconds", "120")
            #expect(try await rig.cycles(upTo: Self.convergeLimit) { !$0.events.decisions.isEmpty })
            let view = try await rig.view()
            #expect(rig.offloadPairsWhole(view), "\(view)")
            #expect(view.deployments["cart"] == nil && !view.hpas.contains("cart"), "\(view)")
            let failure = try #require(rig.failures.first)
            #expect(failure.0 == .apply(service: "cart"))
            #expect(failure.1.contains("timed out") && failure.1.contains("pair undone"), "\(failure.1)")
            wrapper.clear("land-then-hang")
            try await Self.expectConvergence(rig)
            #expect(try await rig.view().deployments["cart"] == 3)
        }
    }

    /// An offload of three services where cart's edge scale fails: frontend and catalog go through whole,
    /// cart's fresh edge copy is removed again (never an edge Deployment without its scale).
    @Test func partialFailureAcrossAMultiServiceOffload() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            try wrapper.set("fail-match", "*scale*deployment/cart-edge1*")
            #expect(try await rig.cycles(upTo: Self.convergeLimit) { !$0.events.decisions.isEmpty })
            let decided = try #require(rig.decidedEdge)
            #expect(decided.isSuperset(of: ["frontend", "cart"]), "\(decided)")
            let view = try await rig.view()
            #expect(rig.offloadPairsWhole(view), "\(view)")
            #expect(view.deployments["cart"] == nil && !view.hpas.contains("cart"), "\(view)")
            #expect(Set(view.deployments.keys) == decided.subtracting(["cart"]), "the other services went through")
            #expect(rig.failures.map(\.0) == [.scale(service: "cart", area: .edge, replicas: 3)], "\(rig.failures)")
            wrapper.clear("fail-match")
            try await Self.expectConvergence(rig)
            #expect(try await rig.view().deployments["cart"] == 3)
        }
    }

    /// An unoffload where cart's edge delete fails after its cloud scale-up: the cloud is scaled back (never a
    /// cloud scale-up without the delete); the other services go through; then it converges.
    @Test func partialFailureAcrossAMultiServiceUnoffload() async throws {
        try await withFaultWorld(FaultScenarios.fast()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            var options = FaultRig.Options()
            options.kubectl = wrapper.path
            options.preplaced = ["frontend", "cart", "catalog"]
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            let cloudBefore = try await rig.view().cloud
            try wrapper.set("fail-match", "*delete*cart-edge1.yaml*")
            #expect(try await rig.cycles(upTo: Self.convergeLimit) { !$0.events.decisions.isEmpty })
            let decision = try #require(rig.events.decisions.first)
            let removed = try #require(decision.placement?.removed, "\(decision.reason)")
            #expect(removed.contains("cart"), "\(decision.reason) \(removed)")
            let view = try await rig.view()
            #expect(view.deployments["cart"] != nil, "the failed delete left cart's edge copy")
            #expect(view.cloud["cart"] == cloudBefore["cart"], "cart's cloud scale-up was undone: \(view)")
            for service in removed where service != "cart" { #expect(view.deployments[service] == nil, "\(view)") }
            #expect(rig.failures.first?.1.contains("pair undone") == true, "\(rig.failures.map(\.1))")
            wrapper.clear("fail-match")
            let converged = try await rig.cycles(upTo: Self.convergeLimit) { rig in
                try await rig.view().deployments["cart"] == nil
            }
            let final = try await rig.view()
            #expect(converged, "\(final)")
            let (after, beforeCount) = (final.cloud["cart"].flatMap { $0 } ?? 0, cloudBefore["cart"].flatMap { $0 } ?? 0)
            #expect(after > beforeCount, "the cloud absorbed cart: \(final)")
        }
    }

    // MARK: network and solver rows

    /// The net prober answers once, then is gone: the last measured network is kept (not the netinfo
    /// file's, not zero), with a warning per cycle.
    @Test func netproberDownKeepsTheLastKnownNetwork() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let measured = #"{"cloud-edge-bps": 5e8, "edge-cloud-bps": 5e8, "edge-cloud-rtt": 10}"#
            let prober = try StubHTTPServer([.respond(status: 200, body: measured), .close])
            defer { prober.stop() }
            var options = FaultRig.Options()
            options.configEdits = [("net-prober-url: ''", "net-prober-url: \(prober.url.absoluteString)/get")]
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            try await Self.expectConvergence(rig)
            let problem = try #require(rig.events.decisions.first?.problem)
            #expect(prober.requestCount >= 3, "the prober was asked every cycle")
            // 10 ms measured × the RTT multiplier 2; the netinfo file says 20 ms.
            #expect(abs(problem.network.rttSeconds - 0.020) < 1e-12, "\(problem.network)")
            #expect(problem.network.cloudToEdgeBitsPerSecond == 5e8)
            #expect(rig.networkLog.all.contains { $0.contains("net probing failed") && $0.contains("keeping the last known values") })
        }
    }

    /// A solve budget far too small for anything (1 ns). The budget bounds the whole solve, the greedy
    /// included (docs/reliability.md), so no placement is found in time: the decision says the budget ran
    /// out, nothing is applied (never an unchecked placement), and the loop goes on deciding.
    @Test func solverBudgetExceededAppliesNothing() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            var options = FaultRig.Options()
            options.solver = .ilp
            options.timeLimitSeconds = 1e-9
            let rig = try await FaultRig(kube: kube, prometheus: prometheus.url, options)
            let before = try await Self.changeCount(rig)
            let decided = try await rig.cycles(upTo: Self.convergeLimit) { $0.events.decisions.count >= 2 }
            #expect(decided, "the loop keeps deciding after a budget overrun")
            let placement = try #require(rig.events.decisions.first?.placement)
            #expect(placement.budgetLimited, "\(placement.status) \(placement.note ?? "")")
            #expect(placement.note?.contains("time budget") == true, "\(placement.note ?? "")")
            #expect(rig.events.decisions.allSatisfy { $0.operations.isEmpty })
            #expect(try await Self.changeCount(rig) == before, "nothing applied")
        }
    }
}
