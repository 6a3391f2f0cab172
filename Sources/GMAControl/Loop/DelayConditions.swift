/// The band tests and target delays of docs/controller.md §2–3, as pure functions.
///
/// Unknown values never trigger anything: offload needs a known value above its threshold, unoffload needs
/// the mean and (when configured) the quantile known and below theirs. The reference read "no data" as
/// zero delay and emptied the edge (docs/differences.md D12); here no data means no action.
extension DelayBand {
    /// Offload fires on the mean OR the quantile.
    public func wantsOffload(mean: Double?, quantile: Double?) -> Bool {
        if let mean, mean > offloadSeconds { return true }
        if let quantile, let threshold = offloadQuantileSeconds, quantile > threshold { return true }
        return false
    }

    /// Unoffload needs the mean AND the quantile below their thresholds.
    public func wantsUnoffload(mean: Double?, quantile: Double?) -> Bool {
        guard let mean, mean < unoffloadSeconds else { return false }
        guard let threshold = unoffloadQuantileSeconds else { return true }
        guard let quantile else { return false }
        return quantile < threshold
    }

    /// The mean delay an offload should reach (s), and whether it is driven by the mean or the quantile.
    /// The midpoint of the band; a quantile-driven offload shifts the mean by the quantile's excess.
    public func offloadTarget(mean: Double, quantile: Double?) -> (target: Double, driver: String) {
        var target: Double
        var driver = "avg"
        if mean > offloadSeconds {
            target = midpoint
        } else if let quantile, let qMid = quantileMidpoint {
            target = max(0, mean - (quantile - qMid))
            driver = "quantile"
        } else {
            target = midpoint
        }
        if let maxReductionSeconds { target = max(target, mean - maxReductionSeconds) }
        return (target, driver)
    }

    /// The mean delay an unoffload may rise to (s).
    public func unoffloadTarget(mean: Double, quantile: Double?) -> (target: Double, driver: String) {
        var target: Double
        var driver = "avg"
        if mean < unoffloadSeconds {
            target = midpoint
        } else if let quantile, let qMid = quantileMidpoint {
            target = mean + max(0, qMid - quantile)
            driver = "quantile"
        } else {
            target = midpoint
        }
        if let maxIncreaseSeconds { target = min(target, mean + maxIncreaseSeconds) }
        return (target, driver)
    }

    public var midpoint: Double { unoffloadSeconds + (offloadSeconds - unoffloadSeconds) / 2 }

    var quantileMidpoint: Double? {
        guard let high = offloadQuantileSeconds, let low = unoffloadQuantileSeconds else { return nil }
        return low + (high - low) / 2
    }
}
