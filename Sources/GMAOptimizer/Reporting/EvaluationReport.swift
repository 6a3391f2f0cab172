extension PlacementModel {
    /// The evaluation in the layout of the `outputs` object of `conformance.json` (docs/problem-format.md §9).
    public func report(_ e: PlacementEvaluation) -> JSONValue {
        func perService(_ values: [Double]) -> JSONValue {
            .object(serviceNames.indices.map { (serviceNames[$0], .number(values[$0])) })
        }
        func perServiceCounts(_ values: [Double]) -> JSONValue {
            .object(serviceNames.indices.map { (serviceNames[$0], .count(values[$0])) })
        }
        return .object([
            ("callsPerRequest", .object([
                ("cloud", perService(e.cloudCalls)),
                ("edge", perService(e.edgeCalls)),
                ("userCloud", .number(0)),
                ("userEdge", .number(1)),
            ])),
            ("delaySeconds", .number(e.delaySeconds)),
            ("networkDelaySeconds", .number(e.networkDelaySeconds)),
            ("internalDelaySeconds", .number(e.internalDelaySeconds)),
            ("rho", .number(e.rho)),
            ("cloudToEdgeTrafficBitsPerSecond", .number(e.cloudToEdgeTrafficBitsPerSecond)),
            ("cpuUsageCores", .object([("cloud", perService(e.cpuUsageCloud)), ("edge", perService(e.cpuUsageEdge))])),
            ("memoryUsageBytes", .object([
                ("cloud", perService(e.memoryUsageCloud)), ("edge", perService(e.memoryUsageEdge)),
            ])),
            ("replicas", .object([
                ("cloud", perServiceCounts(e.replicasCloud)),
                ("edge", perServiceCounts(e.replicasEdge)),
                ("ingressCloud", .integer(e.ingressCloudReplicas)),
                ("ingressEdge", .integer(0)),
            ])),
            ("costPerHour", e.cost.json),
        ])
    }
}

extension CostBreakdown {
    public var json: JSONValue {
        .object([("total", .number(total)), ("edge", .number(edge)), ("cloud", .number(cloud)), ("network", .number(network))])
    }
}
