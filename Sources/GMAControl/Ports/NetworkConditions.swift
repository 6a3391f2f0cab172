/// The cloud–edge network as the model needs it.
public struct NetworkConditions: Sendable, Equatable {
    public var rttSeconds: Double
    public var cloudToEdgeBitsPerSecond: Double
    public var edgeToCloudBitsPerSecond: Double

    public init(rttSeconds: Double, cloudToEdgeBitsPerSecond: Double, edgeToCloudBitsPerSecond: Double) {
        self.rttSeconds = rttSeconds
        self.cloudToEdgeBitsPerSecond = cloudToEdgeBitsPerSecond
        self.edgeToCloudBitsPerSecond = edgeToCloudBitsPerSecond
    }
}

/// Where the loop learns the network from: the net prober / netinfo.yaml, a fixed value, or the twin.
public protocol NetworkConditionsSource: Sendable {
    /// The last known conditions (a failed probe keeps the previous values).
    func current() async -> NetworkConditions
}

/// Conditions that never change (configuration defaults, tests).
public struct FixedNetwork: NetworkConditionsSource {
    public let conditions: NetworkConditions

    public init(_ conditions: NetworkConditions) {
        self.conditions = conditions
    }

    public func current() async -> NetworkConditions { conditions }
}
