import Foundation
import GMAOptimizer
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAControl
@testable import GMATwin

/// The twin with K edges over one shared cloud (docs/twin.md §6): the physics by hand, the per-edge views,
/// the scenario's `edges:`, and K = 1 unchanged.
@Suite("Twin: several edges")
struct TwinMultiEdgeTests {
    static let tiny = TwinPhysicsTests.tinyApp()

    static func net(rtt: Double) -> NetworkConditions {
        NetworkConditions(rttSeconds: rtt, cloudToEdgeBitsPerSecond: 10e6, edgeToCloudBitsPerSecond: 10e6)
    }

    static func site(_ name: String, rate: Double, rtt: Double) -> ScenarioEdge {
        ScenarioEdge(
            name: name, load: LoadProfile(segments: [.hold(rate: rate, seconds: 3600)]),
            network: NetworkProfile(rttSeconds: rtt, bandwidthBitsPerSecond: 10e6))
    }

    /// Two edges, cloud-only: east 30 req/s at 20 ms, west 50 req/s at 40 ms, one cloud replica each.
    /// The cloud queues see the sum, 80 req/s: a gets 80 calls/s of 10 ms CPU on a 2-core limit, a = 0.4,
    /// M/M/1 wait 0.4 · 4 / 0.6 = 2.667 ms; b gets 160 calls/s of 5 ms, a = 0.4, wait 0.4 · 2 / 0.6 = 1.333 ms,
    /// twice: 5.333 ms of queueing for both edges' users (east alone would wait 0.15 · 4 / 0.85 + 2 · 0.15 · 2 /
    /// 0.85 = 1.412 ms). Latencies 8 ms. East's link: 30 · 8000 bit/s, ρ = 0.024, 20 + 0.8 / 0.976 ms; west's:
    /// ρ = 0.04, 40 + 0.8 / 0.96 ms. Means 34.153 and 54.167 ms. The cloud pods work 0.4 of 1 replica each at a
    /// 2-core limit: 0.8 cores each, and both edges' states report that shared usage.
    @Test func theSharedCloudQueueSeesTheSumOfTheEdgesCalls() {
        let physics = TwinPhysics(app: Self.tiny, settings: TwinPhysicsTests.exact)
        let cloudOnly = [false, false]
        let sites = [
            TwinSiteInput(lambda: 30, network: Self.net(rtt: 0.020), serving: cloudOnly, edgeReplicas: [0, 0], edgeBacklog: [0, 0]),
            TwinSiteInput(lambda: 50, network: Self.net(rtt: 0.040), serving: cloudOnly, edgeReplicas: [0, 0], edgeBacklog: [0, 0]),
        ]
        let shared = physics.evaluate(sites: sites, cloud: TwinCloudCapacity(replicas: [1, 1], backlog: [0, 0]))
        #expect(shared.cloudCallsPerSecond == [80, 160])
        let (east, west) = (shared.sites[0], shared.sites[1])
        let queueing = 0.4 * 0.004 / 0.6 + 2 * 0.4 * 0.002 / 0.6
        #expect(abs(east.queueingSeconds - queueing) < 1e-12, "\(east.queueingSeconds)")
        #expect(abs(west.queueingSeconds - queueing) < 1e-12, "\(west.queueingSeconds)")
        #expect(abs(east.meanSeconds - (0.020 + 0.0008 / 0.976 + 0.008 + queueing)) < 1e-12, "\(east.meanSeconds)")
        #expect(abs(west.meanSeconds - (0.040 + 0.0008 / 0.96 + 0.008 + queueing)) < 1e-12, "\(west.meanSeconds)")
        #expect(abs(east.meanSeconds - 0.034153005) < 1e-9 && abs(west.meanSeconds - 0.054166667) < 1e-9)
        for state in [east, west] {
            #expect(abs(state.cpuCloud[0] - 0.8) < 1e-12 && abs(state.cpuCloud[1] - 0.8) < 1e-12, "\(state.cpuCloud)")
        }
        // East alone on the same cloud waits far less: the coupling is real.
        let alone = physics.evaluate(
            lambda: 30, network: Self.net(rtt: 0.020), serving: cloudOnly, capacity: TwinPhysicsTests.oneEach)
        #expect(abs(alone.queueingSeconds - (0.15 * 0.004 / 0.85 + 2 * 0.15 * 0.002 / 0.85)) < 1e-12)
    }

    static func world() throws -> (world: TwinWorld, clock: SimulatedClock) {
        let clock = SimulatedClock()
        var settings = TwinPhysicsTests.exact
        settings.usageNoise = 0
        settings.delayNoise = 0
        let world = try TwinWorld(
            app: Self.tiny, sites: [Self.site("east", rate: 30, rtt: 0.020), Self.site("west", rate: 50, rtt: 0.040)],
            settings: settings, clock: clock)
        return (world, clock)
    }

    static func advance(_ w: (world: TwinWorld, clock: SimulatedClock), to t: Double) {
        w.clock.advance(by: t - w.clock.now().timeIntervalSince(w.world.start))
        w.world.catchUp()
    }

    /// Each edge's view has its own edge set and edge HPAs; the cloud HPA is the same one from every view.
    @Test func perEdgeViewsShareTheCloudAndKeepTheirOwnEdge() async throws {
        let w = try Self.world()
        let (east, west) = (TwinCluster(world: w.world, edge: 0), TwinCluster(world: w.world, edge: 1))
        try await east.apply(service: "a")
        #expect(try await east.edgeServices() == ["a"])
        #expect(try await west.edgeServices() == [])
        let eastHPA = try await east.hpaStatus()
        #expect(eastHPA["a"]?.edge?.name == "a-east")
        #expect(try await west.hpaStatus()["a"]?.edge == nil)

        try await east.scale(service: "b", area: .cloud, replicas: 5)
        #expect(try await west.hpaStatus()["b"]?.cloud?.desiredReplicas == 5, "one cloud HPA behind both views")
        // West has no edge copy of a: scaling it there changes nothing, at either edge.
        try await west.scale(service: "a", area: .edge, replicas: 4)
        #expect(try await east.hpaStatus()["a"]?.edge?.desiredReplicas == 1)

        #expect(await TwinNetworkProbe(world: w.world, edge: 1).current().rttSeconds == 0.040)
        #expect(await TwinNetworkProbe(world: w.world, edge: 0).current().rttSeconds == 0.020)

        // After the rollout and a quiet window: east's users reach a at their edge, west's do not.
        Self.advance(w, to: 600)
        let eastSample = try #require(w.world.recorders[0].lastSample)
        let westSample = try #require(w.world.recorders[1].lastSample)
        #expect(eastSample.servingAtEdge == ["a"] && westSample.servingAtEdge.isEmpty)
        #expect(eastSample.callsCloud[0] == 0 && westSample.callsCloud[0] == 1)
        #expect(eastSample.cpuCloud == westSample.cpuCloud, "both edges see the one cloud's usage")
        #expect(eastSample.cpuEdge[0] > 0 && westSample.cpuEdge[0] == 0)
        #expect(w.world.recorders[0].events.contains { $0.text.hasPrefix("apply a") })
        #expect(!w.world.recorders[1].events.contains { $0.text.hasPrefix("apply a") })

        // Telemetry: each edge's users and calls; the cloud's whole usage (no noise on usage here).
        let westSnapshot = try await TwinTelemetry(world: w.world, edge: 1).snapshot(at: nil)
        let eastSnapshot = try await TwinTelemetry(world: w.world, edge: 0).snapshot(at: nil)
        #expect(abs((westSnapshot.userRequestsPerSecond ?? 0) - 50) < 10 && abs((eastSnapshot.userRequestsPerSecond ?? 0) - 30) < 10)
        #expect(abs((westSnapshot.services[1].cpuUsageCores.cloud ?? -1) - westSample.cpuCloud[1]) < 1e-12)
        #expect(abs((eastSnapshot.services[1].cpuUsageCores.cloud ?? -1) - westSample.cpuCloud[1]) < 1e-12)
        #expect(eastSnapshot.services[0].cpuUsageCores.edge != nil && westSnapshot.services[0].cpuUsageCores.edge == nil)
        #expect(abs((westSnapshot.userDelaySeconds ?? 0) - westSample.delaySeconds) < 1e-9)
    }

    /// Each edge pays its edge copies, its link, and its share of the cloud's replicas; the shares add up to one.
    /// Cloud-only at t = 0: east's users need 30 · (10 + 2 · 5) ms = 0.6 cores of cloud CPU, west's 50 · 20 ms =
    /// 1.0, so the shares are 0.375 and 0.625. Links: 30 · 8000 bit/s = 0.108 GB/h at 0.02 $/GB = 0.00216 $/h for
    /// east, 0.0036 $/h for west. The cloud's 1-core replicas cost 0.0208 $/h each.
    @Test func eachEdgePaysItsShareOfTheCloud() throws {
        let w = try Self.world()
        let east = try #require(w.world.recorders[0].lastSample)
        let west = try #require(w.world.recorders[1].lastSample)
        #expect(east.replicasCloud == west.replicasCloud && east.replicasEdge == 0 && west.replicasEdge == 0)
        let cloud = Double(east.replicasCloud) * 0.0208
        #expect(abs(east.cloudCostPerHour - cloud) < 1e-12 && abs(west.cloudCostPerHour - cloud) < 1e-12)
        #expect(abs(east.costPerHour - (0.375 * cloud + 0.00216)) < 1e-12, "\(east.costPerHour)")
        #expect(abs(west.costPerHour - (0.625 * cloud + 0.0036)) < 1e-12, "\(west.costPerHour)")
        #expect(east.oracleCostPerHour == 0 && west.oracleCostPerHour == 0, "no oracle for K > 1")
    }

    // MARK: K = 1

    /// A single-edge scenario's timeline is the one the twin wrote before it had edges: the file is the
    /// output of `gma simulate examples/twin/flash-crowd.yaml` (regenerated when the control rules change on purpose).
    @Test func aSingleEdgeTimelineIsUnchanged() async throws {
        let fixtures = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        let expected = try String(
            contentsOf: fixtures.appendingPathComponent("twin/flash-crowd-timeline.csv"), encoding: .utf8)
        let scenario = try Scenario.load(path: TwinScenarioRunTests.path("flash-crowd"))
        let run = try await TwinSimulation(scenario: scenario).run()
        let lines = run.csv.split(separator: "\n")
        let expectedLines = expected.split(separator: "\n")
        #expect(lines.count == expectedLines.count)
        let first = zip(lines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(first == nil, "first difference at line \(first?.offset ?? 0): \(first?.element.0 ?? "") vs \(first?.element.1 ?? "")")
        // The K-edge loop with one independent controller is the single-edge loop.
        let edges = try await TwinSimulation(scenario: scenario).runEdges(mode: .independent)
        #expect(edges.edges.count == 1 && edges.edges[0].csv == run.csv)
    }

    // MARK: Scenarios

    static let twoEdges = """
        app: mubench
        edges:
          - name: near
            network: {rtt: 20ms}
            load:
              - hold: {rate: 100, for: 10m}
          - name: far
            share: 0.25
            load:
              - sine: {mean: 60, amplitude: 40, period: 10m, for: 20m, phase: 0.5}
        """

    @Test func edgesAreReadWithTheirLoadLinkAndShare() throws {
        let scenario = try Scenario.parse(Self.twoEdges, file: "two.yaml")
        #expect(scenario.isMultiEdge && scenario.sites.map(\.name) == ["near", "far"])
        #expect(scenario.durationSeconds == 1200, "the longest edge's load")
        #expect(scenario.sites[0].network.rttSeconds == 0.020)
        #expect(scenario.sites[1].network.rttSeconds == BundledApps.mubench.problem.network.rttSeconds, "the app's default")
        // Half a period late: the far edge starts at its mean and falls.
        #expect(abs(scenario.sites[1].load.rate(at: 0) - 60) < 1e-9 && scenario.sites[1].load.rate(at: 150) < 21)
        // Far's share is given; near gets the rest.
        #expect(scenario.cloudShares == [0.75, 0.25])
        // A scenario without edges is one edge, edge1.
        let single = try Scenario.parse("app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\n")
        #expect(!single.isMultiEdge && single.sites.map(\.name) == ["edge1"])
    }

    /// The single-edge loop refuses a scenario with edges rather than run its first edge alone.
    @Test func theSingleEdgeRunRefusesSeveralEdges() async throws {
        let scenario = try Scenario.parse(Self.twoEdges, file: "two.yaml")
        await #expect(throws: TwinRunError.self) { _ = try await TwinSimulation(scenario: scenario).run() }
    }

    /// Without given shares each edge's is its mean load over the others': 100 and 60 → 0.625, 0.375.
    @Test func sharesFollowTheMeanLoads() throws {
        let text = Self.twoEdges.replacingOccurrences(of: "    share: 0.25\n", with: "")
        let shares = try Scenario.parse(text, file: "two.yaml").cloudShares
        #expect(abs(shares[0] - 100.0 / 160) < 1e-3 && abs(shares[1] - 60.0 / 160) < 1e-3, "\(shares)")
    }

    @Test(arguments: [
        ("app: mubench\nload:\n  - hold: {rate: 80, for: 10m}\nedges:\n  - name: a\n    load:\n      - hold: {rate: 80, for: 10m}\n",
         "load", "move it under edges"),
        ("app: mubench\nnetwork: {rtt: 20ms}\nedges:\n  - name: a\n    load:\n      - hold: {rate: 80, for: 10m}\n",
         "network", "move it under edges"),
        ("app: mubench\nedges:\n  - name: a\n    load:\n      - hold: {rate: 8, for: 1m}\n  - name: a\n    load:\n      - hold: {rate: 8, for: 1m}\n",
         "edges[1].name", "listed twice"),
        ("app: mubench\nedges:\n  - name: a\n    share: 1.5\n    load:\n      - hold: {rate: 8, for: 1m}\n", "edges[0].share", "(0, 1]"),
        ("app: mubench\nedges:\n  - name: a\n    lod:\n      - hold: {rate: 8, for: 1m}\n", "edges[0].lod", "unknown key"),
        ("app: mubench\nedges:\n  - name: a\n    load:\n      - hold: {rate: -8, for: 1m}\n", "edges[0].load[0].hold.rate", "negative"),
        ("app: mubench\nedges: []\n", "edges", "at least one edge"),
    ] as [(String, String, String)])
    func brokenEdgesNameTheirKeyPath(_ text: String, _ keyPath: String, _ says: String) throws {
        let error = #expect(throws: ConfigError.self) { try Scenario.parse(text, file: "broken.yaml") }
        let issue = error?.errors.first { $0.keyPath == keyPath }
        #expect(issue != nil, "no error at \(keyPath): \(String(describing: error))")
        guard let issue else { return }
        #expect(issue.message.contains(says), "\(issue)")
        // file:line:column: error: key path: message
        #expect(issue.description.range(of: #"^broken\.yaml:\d+:\d+: error: "#, options: .regularExpression) != nil, "\(issue)")
    }

    // MARK: Runs

    static func followTheSun() throws -> Scenario {
        try Scenario.load(path: TwinScenarioRunTests.path("follow-the-sun"))
    }

    /// Same seed, same run: K controllers stepping on one simulated clock leave nothing to chance.
    @Test func independentControllersReplayFollowTheSunExactly() async throws {
        let scenario = try Self.followTheSun()
        #expect(scenario.sites.map(\.name) == ["edge-eu", "edge-us", "edge-asia"])
        let first = try await TwinSimulation(scenario: scenario).runEdges(mode: .independent)
        let second = try await TwinSimulation(scenario: scenario).runEdges(mode: .independent)
        #expect(first.summary.text == second.summary.text)
        #expect(first.csv == second.csv)
        // Every edge's peak is past the cloud-only link: each controller offloads its own edge.
        for (name, edge) in zip(first.names, first.edges) {
            #expect(edge.summary.offloads >= 1, "\(name): \(edge.summary.text)")
        }
    }

    /// The run's table: per-edge columns, the shared cloud once, and the total as the sum of the edges' costs
    /// (each edge's own plus its share of the cloud).
    @Test func jointRunTableAddsUpTheEdgesAndTheCloud() async throws {
        let scenario = try Self.followTheSun()
        let run = try await TwinSimulation(scenario: scenario).runEdges(mode: .joint)
        let again = try await TwinSimulation(scenario: scenario).runEdges(mode: .joint)
        #expect(run.csv == again.csv, "the joint run replays too")
        let rows = run.csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(rows.first)
        for name in run.names {
            #expect(header.contains("\(name)_delay_ms") && header.contains("\(name)_cost_per_hour"))
        }
        let costs = run.names.compactMap { header.firstIndex(of: "\($0)_cost_per_hour") }
        let total = try #require(header.firstIndex(of: "cost_per_hour"))
        let cloud = try #require(header.firstIndex(of: "cloud_cost_per_hour"))
        #expect(rows.count == run.edges[0].samples.count + 1)
        for row in rows.dropFirst() {
            let sum = costs.reduce(0.0) { $0 + (Double(row[$1]) ?? .nan) }
            #expect(abs(sum - (Double(row[total]) ?? .nan)) < 1e-3, "\(row[0])")
            #expect((Double(row[cloud]) ?? 0) > 0)
        }
        let mean = run.edges[0].samples.indices.reduce(0.0) { sum, t in sum + run.edges.reduce(0) { $0 + $1.samples[t].costPerHour } }
            / Double(run.edges[0].samples.count)
        #expect(abs(run.summary.meanCostPerHour - mean) < 1e-9)
        #expect(run.summary.text.contains("oracle             not computed for K > 1"))
    }

    // MARK: gma simulate

    @Test func compareOnASingleEdgeScenarioIsAClearError() async throws {
        let result = try await CLITests.gma(["simulate", TwinScenarioRunTests.path("flash-crowd"), "--compare", "independent"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--compare independent needs a multi-edge scenario"), "\(result.stderr)")
        #expect(result.stderr.contains("flash-crowd.yaml"), "names the file: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func compareRunsBothModesAndWritesBothTables() async throws {
        let directory = try TemporaryDirectory()
        let journal = (directory.path as NSString).appendingPathComponent("journal.jsonl")
        let result = try await CLITests.gma([
            "simulate", TwinScenarioRunTests.path("follow-the-sun"), "--compare", "independent", "--quiet", "--out", directory.path,
            "--journal", journal,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for part in ["mode               joint", "mode               independent", "cost ratio joint/independent",
                     "edge-asia above band", "oracle: not computed for K > 1"] {
            #expect(result.stdout.contains(part), "\(part)")
        }
        for file in ["timeline.csv", "timeline-independent.csv", "timeline-edge-eu.svg", "timeline-independent-edge-asia.svg"] {
            #expect(FileManager.default.fileExists(atPath: (directory.path as NSString).appendingPathComponent(file)), "\(file)")
        }
        // The joint controller's decisions, each with its edge.
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try CLITests.json(String(line))
            #expect(["edge-eu", "edge-us", "edge-asia"].contains(object["edge"] as? String ?? ""), "\(line.prefix(120))")
        }
    }
}
