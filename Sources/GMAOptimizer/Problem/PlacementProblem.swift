/// A placement problem in the `gma/v1` JSON format (docs/problem-format.md).
///
/// Units are the format's: seconds, bytes, bit/s, cores and currency per hour.
/// The type is a plain value; `PlacementModel` turns it into dense arrays for evaluation.
public struct PlacementProblem: Codable, Sendable, Equatable {
    public static let apiVersion = "gma/v1"
    public static let kindName = "PlacementProblem"

    public var apiVersion: String
    public var kind: String
    public var metadata: Metadata
    public var action: PlacementAction
    public var services: [Service]
    public var ingress: Ingress?
    public var calls: [Call]
    public var userRequestsPerSecond: Double
    public var network: Network
    public var prices: Prices
    public var target: Target

    public init(
        metadata: Metadata = Metadata(),
        action: PlacementAction,
        services: [Service],
        ingress: Ingress? = nil,
        calls: [Call],
        userRequestsPerSecond: Double,
        network: Network,
        prices: Prices,
        target: Target
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kindName
        self.metadata = metadata
        self.action = action
        self.services = services
        self.ingress = ingress
        self.calls = calls
        self.userRequestsPerSecond = userRequestsPerSecond
        self.network = network
        self.prices = prices
        self.target = target
    }

    /// The name a call uses for the user (the edge ingress).
    public static let userName = "user"

    /// Names of the services currently at the edge, in service order.
    public var currentEdgeServices: [String] {
        services.filter(\.atEdge).map(\.name)
    }
}

public enum PlacementAction: String, Codable, Sendable, CaseIterable {
    /// Services may only be added to the edge.
    case offload
    /// Services may only be removed from the edge.
    case unoffload
}

/// A value per area: the cloud copy and the edge copy of a service.
public struct PerArea<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var cloud: Value
    public var edge: Value

    public init(cloud: Value, edge: Value) {
        self.cloud = cloud
        self.edge = edge
    }
}

public struct Metadata: Codable, Sendable, Equatable {
    public var name: String?
    public var source: String?

    public init(name: String? = nil, source: String? = nil) {
        self.name = name
        self.source = source
    }
}

public struct Service: Codable, Sendable, Equatable {
    public var name: String
    /// CPU request of one replica (cores).
    public var cpuRequestCores: PerArea<Double>
    /// Memory request of one replica (bytes).
    public var memoryRequestBytes: PerArea<Double>
    /// CPU used by all replicas under the current placement (cores).
    public var cpuUsageCores: PerArea<Double>
    /// Memory used by all replicas under the current placement (bytes).
    public var memoryUsageBytes: PerArea<Double>
    /// Size of one response (bytes).
    public var responseBytes: Double
    /// Processing delay of one invocation, the same in both areas (s).
    public var internalDelaySeconds: Double
    /// Target CPU utilisation of the autoscaler (fraction).
    public var hpaCpuThreshold: Double
    public var atEdge: Bool
    public var locked: Bool

    public static let defaultHPACPUThreshold = 0.6

    public init(
        name: String,
        cpuRequestCores: PerArea<Double>,
        memoryRequestBytes: PerArea<Double>,
        cpuUsageCores: PerArea<Double>,
        memoryUsageBytes: PerArea<Double>,
        responseBytes: Double,
        internalDelaySeconds: Double = 0,
        hpaCpuThreshold: Double = Service.defaultHPACPUThreshold,
        atEdge: Bool = false,
        locked: Bool = false
    ) {
        self.name = name
        self.cpuRequestCores = cpuRequestCores
        self.memoryRequestBytes = memoryRequestBytes
        self.cpuUsageCores = cpuUsageCores
        self.memoryUsageBytes = memoryUsageBytes
        self.responseBytes = responseBytes
        self.internalDelaySeconds = internalDelaySeconds
        self.hpaCpuThreshold = hpaCpuThreshold
        self.atEdge = atEdge
        self.locked = locked
    }

    private enum CodingKeys: String, CodingKey {
        case name, cpuRequestCores, memoryRequestBytes, cpuUsageCores, memoryUsageBytes
        case responseBytes, internalDelaySeconds, hpaCpuThreshold, atEdge, locked
    }

    // Keys that have a natural default may be omitted by hand-written problems.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        cpuRequestCores = try c.decode(PerArea<Double>.self, forKey: .cpuRequestCores)
        memoryRequestBytes = try c.decode(PerArea<Double>.self, forKey: .memoryRequestBytes)
        cpuUsageCores = try c.decode(PerArea<Double>.self, forKey: .cpuUsageCores)
        memoryUsageBytes =
            try c.decodeIfPresent(PerArea<Double>.self, forKey: .memoryUsageBytes)
            ?? PerArea(cloud: 0, edge: 0)
        responseBytes = try c.decode(Double.self, forKey: .responseBytes)
        internalDelaySeconds = try c.decodeIfPresent(Double.self, forKey: .internalDelaySeconds) ?? 0
        hpaCpuThreshold =
            try c.decodeIfPresent(Double.self, forKey: .hpaCpuThreshold) ?? Self.defaultHPACPUThreshold
        atEdge = try c.decodeIfPresent(Bool.self, forKey: .atEdge) ?? false
        locked = try c.decodeIfPresent(Bool.self, forKey: .locked) ?? false
    }
}

/// The user's entry point (docs/problem-format.md §4): its requests price the constant cloud replica of the reference.
public struct Ingress: Codable, Sendable, Equatable {
    public var cpuRequestCores: PerArea<Double>
    public var memoryRequestBytes: PerArea<Double>
    public var countsOneCloudReplica: Bool

    public init(cpuRequestCores: PerArea<Double>, memoryRequestBytes: PerArea<Double>, countsOneCloudReplica: Bool) {
        self.cpuRequestCores = cpuRequestCores
        self.memoryRequestBytes = memoryRequestBytes
        self.countsOneCloudReplica = countsOneCloudReplica
    }
}

public struct Call: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    /// Expected number of calls to `to` per invocation of `from`.
    public var perRequest: Double

    public init(from: String, to: String, perRequest: Double) {
        self.from = from
        self.to = to
        self.perRequest = perRequest
    }
}

public struct Network: Codable, Sendable, Equatable {
    public var rttSeconds: Double
    public var cloudToEdgeBitsPerSecond: Double
    public var edgeToCloudBitsPerSecond: Double?

    public init(rttSeconds: Double, cloudToEdgeBitsPerSecond: Double, edgeToCloudBitsPerSecond: Double? = nil) {
        self.rttSeconds = rttSeconds
        self.cloudToEdgeBitsPerSecond = cloudToEdgeBitsPerSecond
        self.edgeToCloudBitsPerSecond = edgeToCloudBitsPerSecond
    }
}

public struct AreaPrices: Codable, Sendable, Equatable {
    public var cpuCoreHour: Double
    public var memoryGBHour: Double

    public init(cpuCoreHour: Double, memoryGBHour: Double) {
        self.cpuCoreHour = cpuCoreHour
        self.memoryGBHour = memoryGBHour
    }
}

public struct Prices: Codable, Sendable, Equatable {
    public var edge: AreaPrices
    public var cloud: AreaPrices
    public var networkGB: Double

    public init(edge: AreaPrices, cloud: AreaPrices, networkGB: Double) {
        self.edge = edge
        self.cloud = cloud
        self.networkGB = networkGB
    }
}

public struct Target: Codable, Sendable, Equatable {
    /// Offload: required delay decrease relative to the current placement (s).
    public var delayReductionSeconds: Double?
    /// Unoffload: allowed delay increase relative to the current placement (s).
    public var maxDelayIncreaseSeconds: Double?

    public init(delayReductionSeconds: Double? = nil, maxDelayIncreaseSeconds: Double? = nil) {
        self.delayReductionSeconds = delayReductionSeconds
        self.maxDelayIncreaseSeconds = maxDelayIncreaseSeconds
    }
}
