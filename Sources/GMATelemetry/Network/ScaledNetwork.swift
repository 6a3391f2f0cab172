import GMAControl
import Logging

/// The network provider as the loop's source: refreshed on each read (a failed probe or a missing file keeps
/// the last known values), with the configured RTT multiplier applied.
/// A failed probe or a missing/broken netinfo file is logged as a warning, with the values kept.
public struct ScaledNetwork: NetworkConditionsSource {
    public let provider: NetworkInfoProvider
    public let rttMultiplier: Double
    public let logger: Logger

    public init(provider: NetworkInfoProvider, rttMultiplier: Double, logger: Logger = Logger(label: "gma.network")) {
        self.provider = provider
        self.rttMultiplier = rttMultiplier
        self.logger = logger
    }

    public func current() async -> NetworkConditions {
        let refresh = await provider.refresh()
        let info = refresh.info
        for problem in refresh.problems {
            logger.warning("network: \(problem)", metadata: ["source": "\(info.source.rawValue)"])
        }
        return NetworkConditions(
            rttSeconds: info.rttSeconds * rttMultiplier, cloudToEdgeBitsPerSecond: info.cloudToEdgeBitsPerSecond,
            edgeToCloudBitsPerSecond: info.edgeToCloudBitsPerSecond)
    }
}
