import Foundation
import Yams

/// `spec.control`: gma's extensions to the reference's control rules (docs/controller.md §8). Every key is
/// optional; absent ones keep `ControlPolicy`'s defaults.
///
///     spec:
///       control:
///         policy: gma            # or reference: W everywhere, pair-by-pair unoffload, no consolidation
///         fast-reaction: true
///         fast-factor: 1.1       # "far above": mean ≥ 1.1 × offload threshold (or the quantile's)
///         fast-confirm: 15s      # the one confirming check comes this long after the alarm
///         fast-when-explained: true  # also when the model on the measured load and network explains the excess
///         ramp-projection: true  # confirmed during a rise: plan for the rise carried over the window's lag
///         staged-unoffload: true
///         steady-unoffload: true # an unoffload alarm restarts its count when the load jumps > 10 % between checks
///                                # or the world still gets better (load or RTT falling, bandwidth rising)
///         traffic-confidence: 2  # unoffloads and consolidations plan on the link's traffic 2 sd above the measured
///         ready-wait: 90s        # bound of the wait for the cloud's ready replicas
///         consolidation: {enabled: true, dwell: 10m, margin: 5ms, min-saving: 0.1,
///                         early: true, early-load-fall: 0.3}
public enum ControlSection {
    static let keys: Set<String> = ["policy", "fast-reaction", "fast-factor", "fast-confirm", "fast-when-explained", "ramp-projection", "lead-rises", "staged-unoffload", "steady-unoffload", "traffic-confidence", "ready-wait", "consolidation"]

    /// Reads the section, reporting bad values on the field (an absent section is the defaults).
    static func read(_ field: YAMLField) -> ControlPolicy {
        var policy = ControlPolicy()
        guard field.isPresent, field.expectMapping() else { return policy }
        field.warnUnknownKeys(keys)
        if let name = field["policy"].string(required: false) {
            switch name {
            case "gma": break
            case "reference": policy = .reference
            default: field["policy"].error("expected gma or reference")
            }
        }
        policy.fastReaction = field["fast-reaction"].bool(required: false) ?? policy.fastReaction
        if let factor = field["fast-factor"].double(required: false) {
            if factor > 1 && factor.isFinite { policy.fastFactor = factor } else { field["fast-factor"].error("must be > 1") }
        }
        policy.fastConfirmSeconds = nonNegative(field["fast-confirm"]) ?? policy.fastConfirmSeconds
        policy.fastWhenExplained = field["fast-when-explained"].bool(required: false) ?? policy.fastWhenExplained
        policy.projectRamps = field["ramp-projection"].bool(required: false) ?? policy.projectRamps
        policy.leadRises = field["lead-rises"].bool(required: false) ?? policy.leadRises
        policy.stagedUnoffload = field["staged-unoffload"].bool(required: false) ?? policy.stagedUnoffload
        policy.steadyUnoffload = field["steady-unoffload"].bool(required: false) ?? policy.steadyUnoffload
        if let z = field["traffic-confidence"].double(required: false) {
            if z >= 0 && z <= 10 { policy.trafficConfidence = z } else { field["traffic-confidence"].error("must be in [0, 10] (standard deviations)") }
        }
        policy.readyWaitSeconds = nonNegative(field["ready-wait"]) ?? policy.readyWaitSeconds
        let consolidation = field["consolidation"]
        if consolidation.isPresent, consolidation.expectMapping() {
            consolidation.warnUnknownKeys(["enabled", "dwell", "margin", "min-saving", "early", "early-load-fall"])
            var c = policy.consolidation
            c.enabled = consolidation["enabled"].bool(required: false) ?? c.enabled
            c.dwellSeconds = nonNegative(consolidation["dwell"]) ?? c.dwellSeconds
            c.marginSeconds = nonNegative(consolidation["margin"]) ?? c.marginSeconds
            c.early = consolidation["early"].bool(required: false) ?? c.early
            if let fall = consolidation["early-load-fall"].double(required: false) {
                if fall > 0 && fall < 1 { c.earlyLoadFall = fall } else { consolidation["early-load-fall"].error("must be in (0, 1)") }
            }
            if let saving = consolidation["min-saving"].double(required: false) {
                if saving >= 0 && saving < 1 { c.minimumSaving = saving } else { consolidation["min-saving"].error("must be in [0, 1)") }
            }
            policy.consolidation = c
        }
        return policy
    }

    /// The policy of a config file: its `spec.control` read again (the section is gma's own and not part of
    /// `GMAConfiguration`). A file that cannot be read again gives the defaults; `gma` loads the file first,
    /// so its errors have been reported by then.
    public static func policy(configFile: String) -> ControlPolicy {
        guard let text = GMAConfiguration.readText(configFile) else { return ControlPolicy() }
        let log = IssueLog()
        guard let root = YAMLDocuments.compose(text, file: configFile, log: log).first else { return ControlPolicy() }
        return read(YAMLField(root: root, file: configFile, log: log)["spec"]["control"])
    }

    private static func nonNegative(_ field: YAMLField) -> Double? {
        guard let value = field.seconds(required: false) else { return nil }
        if value < 0 || !value.isFinite { field.error("must be a duration ≥ 0") }
        return value >= 0 && value.isFinite ? value : nil
    }
}
