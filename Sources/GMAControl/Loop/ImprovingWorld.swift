import Foundation

/// An unoffload waits while the world it would plan on is still getting better (docs/controller.md §8.2): the
/// load or the RTT still falling, or the link's bandwidth still rising. Planned on the world half-way through its
/// fall, an unoffload gives back only what that world allows, and a consolidation follows for the rest once the
/// fall is over; the HPA likewise scales down on a stabilised recommendation. The wait is bounded by the
/// consolidation dwell from the alarm's start: a descent longer than that is met in steps.
extension ControlStateMachine {
    /// What is still getting better at this check, or nil: a trend fitted as a lead's is (over the checks of the
    /// last window and sync period, this one included), in the other direction.
    func improving(_ input: ControlInput, _ memory: ControlMemory) -> String? {
        guard policy.steadyUnoffload, input.time.timeIntervalSince(memory.alarmSince ?? input.time) < policy.consolidation.dwellSeconds
        else { return nil }
        let now = input.trendSample
        let samples = fittedSamples(memory, now)
        var parts: [String] = []
        if let load = now.requestsPerSecond, load > 0, risePerSecond(samples, \.requestsPerSecond, now: load, falling: true) != nil {
            parts.append("the load")
        }
        if let rtt = now.rttSeconds, rtt > 0, risePerSecond(samples, \.rttSeconds, now: rtt, falling: true) != nil {
            parts.append("the RTT")
        }
        let falling = parts.isEmpty ? nil : parts.joined(separator: " and ") + " still falling"
        if let bandwidth = now.bandwidthBitsPerSecond, bandwidth > 0,
            risePerSecond(samples, \.bandwidthBitsPerSecond, now: bandwidth) != nil
        {
            return [falling, "the bandwidth still rising"].compactMap { $0 }.joined(separator: ", ")
        }
        return falling
    }
}
