/// A placement problem over the cloud and K edges, in the `gma/v2` format (docs/problem-format.md §11,
/// the model: docs/multi-edge.md). What belongs to the app is given once; what belongs to an edge, per area.
public struct MultiEdgeProblem: Codable, Sendable, Equatable {
    public static let apiVersion = "gma/v2"

    public var apiVersion: String
    public var kind: String
    public var metadata: Metadata
    public var services: [AppService]
    public var ingress: Ingress?
    public var calls: [Call]
    public var cloud: CloudArea
    public var areas: [EdgeArea]

    public init(
        metadata: Metadata = Metadata(), services: [AppService], ingress: Ingress? = nil, calls: [Call],
        cloud: CloudArea, areas: [EdgeArea]
    ) {
        apiVersion = Self.apiVersion
        kind = PlacementProblem.kindName
        self.metadata = metadata
        self.services = services
        self.ingress = ingress
        self.calls = calls
        self.cloud = cloud
        self.areas = areas
    }

    /// The app's part of a service: the same at every edge.
    public struct AppService: Codable, Sendable, Equatable {
        public var name: String
        public var cpuRequestCores: PerArea<Double>
        public var memoryRequestBytes: PerArea<Double>
        public var responseBytes: Double
        public var internalDelaySeconds: Double?
        public var hpaCpuThreshold: Double?
        /// Usage in the cloud by users who enter through no edge; it never moves (docs/multi-edge.md §1).
        public var cloudOnlyCpuUsageCores: Double?
        public var cloudOnlyMemoryUsageBytes: Double?

        public init(
            name: String, cpuRequestCores: PerArea<Double>, memoryRequestBytes: PerArea<Double>, responseBytes: Double,
            internalDelaySeconds: Double? = nil, hpaCpuThreshold: Double? = nil, cloudOnlyCpuUsageCores: Double? = nil,
            cloudOnlyMemoryUsageBytes: Double? = nil
        ) {
            self.name = name
            self.cpuRequestCores = cpuRequestCores
            self.memoryRequestBytes = memoryRequestBytes
            self.responseBytes = responseBytes
            self.internalDelaySeconds = internalDelaySeconds
            self.hpaCpuThreshold = hpaCpuThreshold
            self.cloudOnlyCpuUsageCores = cloudOnlyCpuUsageCores
            self.cloudOnlyMemoryUsageBytes = cloudOnlyMemoryUsageBytes
        }
    }

    public struct CloudArea: Codable, Sendable, Equatable {
        public var prices: AreaPrices
        public init(prices: AreaPrices) { self.prices = prices }
    }

    /// What an edge may do this decision (docs/multi-edge.md §6).
    public enum EdgeAction: String, Codable, Sendable, CaseIterable {
        case offload
        case unoffload
        /// Not in alarm: may change either way while its delay stays within `maxDelayIncreaseSeconds` of now.
        case hold
    }

    public struct EdgePrices: Codable, Sendable, Equatable {
        public var cpuCoreHour: Double
        public var memoryGBHour: Double
        public var networkGB: Double
        public init(cpuCoreHour: Double, memoryGBHour: Double, networkGB: Double) {
            self.cpuCoreHour = cpuCoreHour
            self.memoryGBHour = memoryGBHour
            self.networkGB = networkGB
        }
    }

    /// One service as seen by one edge's users.
    public struct EdgeService: Codable, Sendable, Equatable {
        public var name: String
        /// `cloud`: the cloud usage this edge's users cause; `edge`: the usage at this edge (cores).
        public var cpuUsageCores: PerArea<Double>
        public var memoryUsageBytes: PerArea<Double>?
        public var atEdge: Bool?
        public var locked: Bool?

        public init(
            name: String, cpuUsageCores: PerArea<Double>, memoryUsageBytes: PerArea<Double>? = nil, atEdge: Bool? = nil,
            locked: Bool? = nil
        ) {
            self.name = name
            self.cpuUsageCores = cpuUsageCores
            self.memoryUsageBytes = memoryUsageBytes
            self.atEdge = atEdge
            self.locked = locked
        }
    }

    public struct EdgeArea: Codable, Sendable, Equatable {
        public var name: String
        public var action: EdgeAction
        public var userRequestsPerSecond: Double
        public var network: Network
        public var prices: EdgePrices
        public var target: Target
        public var services: [EdgeService]

        public init(
            name: String, action: EdgeAction, userRequestsPerSecond: Double, network: Network, prices: EdgePrices,
            target: Target, services: [EdgeService]
        ) {
            self.name = name
            self.action = action
            self.userRequestsPerSecond = userRequestsPerSecond
            self.network = network
            self.prices = prices
            self.target = target
            self.services = services
        }
    }

    public var edgeCount: Int { areas.count }

    /// Whether some service has usage from users of no edge (then even K = 1 needs the multi-edge model).
    public var hasCloudOnlyUsage: Bool {
        services.contains { ($0.cloudOnlyCpuUsageCores ?? 0) != 0 || ($0.cloudOnlyMemoryUsageBytes ?? 0) != 0 }
    }
}

extension MultiEdgeProblem {
    /// The `gma/v2` reading of a `gma/v1` problem: one area named `edge` (docs/problem-format.md §11).
    public init(singleEdge p: PlacementProblem) {
        let app = p.services.map {
            AppService(
                name: $0.name, cpuRequestCores: $0.cpuRequestCores, memoryRequestBytes: $0.memoryRequestBytes,
                responseBytes: $0.responseBytes, internalDelaySeconds: $0.internalDelaySeconds,
                hpaCpuThreshold: $0.hpaCpuThreshold)
        }
        let usage = p.services.map {
            EdgeService(
                name: $0.name, cpuUsageCores: $0.cpuUsageCores, memoryUsageBytes: $0.memoryUsageBytes, atEdge: $0.atEdge,
                locked: $0.locked)
        }
        let area = EdgeArea(
            name: "edge", action: p.action == .offload ? .offload : .unoffload,
            userRequestsPerSecond: p.userRequestsPerSecond, network: p.network,
            prices: EdgePrices(
                cpuCoreHour: p.prices.edge.cpuCoreHour, memoryGBHour: p.prices.edge.memoryGBHour,
                networkGB: p.prices.networkGB),
            target: p.target, services: usage)
        self.init(
            metadata: p.metadata, services: app, ingress: p.ingress, calls: p.calls,
            cloud: CloudArea(prices: p.prices.cloud), areas: [area])
    }

    /// Edge `e`'s users alone as a single-edge problem: their usage, this edge's link, prices and placement, the
    /// cloud's prices. A `hold` edge reads as offload with the allowed increase as a negative reduction (its test,
    /// docs/multi-edge.md §6); removals it may make are granted by `MultiEdgeModel`. The ingress constant is kept
    /// only when asked (the joint cost counts it once).
    public func edgeProblem(_ e: Int, includingIngress: Bool) -> PlacementProblem {
        let area = areas[e]
        var usage: [String: EdgeService] = [:]
        for s in area.services where usage[s.name] == nil { usage[s.name] = s }
        let zero = PerArea(cloud: 0.0, edge: 0.0)
        let projected = services.map { s -> Service in
            let u = usage[s.name]
            return Service(
                name: s.name, cpuRequestCores: s.cpuRequestCores, memoryRequestBytes: s.memoryRequestBytes,
                cpuUsageCores: u?.cpuUsageCores ?? zero, memoryUsageBytes: u?.memoryUsageBytes ?? zero,
                responseBytes: s.responseBytes, internalDelaySeconds: s.internalDelaySeconds ?? 0,
                hpaCpuThreshold: s.hpaCpuThreshold ?? Service.defaultHPACPUThreshold, atEdge: u?.atEdge ?? false,
                locked: u?.locked ?? false)
        }
        let target: Target
        let action: PlacementAction
        switch area.action {
        case .offload: (action, target) = (.offload, area.target)
        case .unoffload: (action, target) = (.unoffload, area.target)
        case .hold:
            action = .offload
            target = Target(delayReductionSeconds: area.target.maxDelayIncreaseSeconds.map { -$0 })
        }
        return PlacementProblem(
            metadata: areas.count == 1
                ? metadata : Metadata(name: metadata.name.map { "\($0)/\(area.name)" } ?? area.name, source: metadata.source),
            action: action, services: projected, ingress: includingIngress ? ingress : nil, calls: calls,
            userRequestsPerSecond: area.userRequestsPerSecond, network: area.network,
            prices: Prices(
                edge: AreaPrices(cpuCoreHour: area.prices.cpuCoreHour, memoryGBHour: area.prices.memoryGBHour),
                cloud: cloud.prices, networkGB: area.prices.networkGB),
            target: target)
    }
}
