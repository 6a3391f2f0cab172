import Foundation
import GMAConfig
import GMARuntime
@testable import GMATelemetry
import Testing

/// Each edge's PromQL with several edges (docs/multi-edge.md §9): its own users and usage, the app's call graph
/// over every area.
@Suite struct TwoEdgeQueriesTests {
    @Test func theCallGraphSpansEveryAreaAndTheUsersStayTheEdges() throws {
        let file = fixturesDirectory.appendingPathComponent("layouts/two-edges/GMAConfig.yaml").path
        let config = try GMAConfiguration.load(path: file)
        #expect(config.edgeNames == ["edge1", "edge2"])
        for (e, own, other) in [(0, "edge1", "edge2"), (1, "edge2", "edge1")] {
            let queries = TelemetryQueries(try ControllerAssembly.telemetrySettings(from: config, edge: e))
            // A cloud copy's callee-side series do not say which edge's users called it: rates into it are read
            // with every area's, or the other edge's calls would count as this edge's.
            for app in [queries.callRate, queries.serviceRequestRate, queries.responseSize] {
                #expect(app.contains(#"cluster=~"cloud|\#(own)|\#(other)""#), "\(app)")
            }
            #expect(queries.ingressRequestRate.contains(#"cluster="\#(own)""#))
            #expect(queries.ingressRequestRate.contains(#"namespace="istio-ingress-\#(own)""#))
            #expect(queries.cpu.edge?.contains(#"cluster="\#(own)""#) == true)
            #expect(queries.cpu.edge?.contains(other) == false)
        }
    }
}
