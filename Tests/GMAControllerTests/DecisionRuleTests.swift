@testable import GMAControl
import Testing

/// The decision rule on its own: when the band fires and which mean delay an action aims at.
///
/// One band for every test, chosen so the arithmetic is easy to follow by hand:
/// mean band [80, 120] ms (midpoint 100 ms), quantile band [200, 300] ms (midpoint 250 ms).
/// Clamps are added per test. Targets are compared to 1e-12 s (the values are sums of a few decimals).
@Suite struct DecisionRuleTests {
    static func band(maxReduction: Double? = nil, maxIncrease: Double? = nil) -> DelayBand {
        DelayBand(
            offloadSeconds: 0.120, unoffloadSeconds: 0.080, offloadQuantileSeconds: 0.300,
            unoffloadQuantileSeconds: 0.200, maxReductionSeconds: maxReduction, maxIncreaseSeconds: maxIncrease)
    }

    static func near(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) <= 1e-12 }

    // MARK: - When the band fires

    @Test func offloadFiresOnTheMeanOrTheQuantileStrictlyAboveTheirThresholds() {
        let band = Self.band()
        #expect(band.wantsOffload(mean: 0.121, quantile: nil), "mean 121 ms > 120 ms")
        #expect(!band.wantsOffload(mean: 0.120, quantile: 0.300), "both exactly on their thresholds: no alarm")
        #expect(band.wantsOffload(mean: 0.100, quantile: 0.301), "quantile 301 ms > 300 ms while the mean is fine")
        #expect(!band.wantsOffload(mean: nil, quantile: nil), "no data is no alarm")
        // Without quantile thresholds the quantile is ignored, however high.
        let meanOnly = DelayBand(offloadSeconds: 0.120, unoffloadSeconds: 0.080)
        #expect(!meanOnly.wantsOffload(mean: 0.100, quantile: 9))
    }

    @Test func unoffloadNeedsTheMeanAndTheQuantileStrictlyBelowTheirThresholds() {
        let band = Self.band()
        #expect(band.wantsUnoffload(mean: 0.079, quantile: 0.199), "79 ms < 80 ms and 199 ms < 200 ms")
        #expect(!band.wantsUnoffload(mean: 0.079, quantile: 0.200), "quantile on its threshold blocks it")
        #expect(!band.wantsUnoffload(mean: 0.080, quantile: 0.100), "mean on its threshold blocks it")
        #expect(!band.wantsUnoffload(mean: 0.050, quantile: nil), "an unknown quantile blocks it when configured")
        #expect(!band.wantsUnoffload(mean: nil, quantile: 0.100), "an unknown mean blocks it")
        let meanOnly = DelayBand(offloadSeconds: 0.120, unoffloadSeconds: 0.080)
        #expect(meanOnly.wantsUnoffload(mean: 0.079, quantile: nil), "no quantile threshold: the mean decides")
    }

    // MARK: - Offload targets

    @Test func meanDrivenOffloadAimsAtTheMidpoint() {
        // mean 150 ms > 120 ms: target = midpoint = 80 + (120 − 80)/2 = 100 ms, a 50 ms reduction.
        let (target, driver) = Self.band().offloadTarget(mean: 0.150, quantile: 0.250)
        #expect(Self.near(target, 0.100), "\(target)")
        #expect(driver == "avg")
    }

    @Test func meanDrivenOffloadIsClampedByTheMaxReduction() {
        // mean 150 ms, at most 30 ms reduction: target = max(100, 150 − 30) = 120 ms.
        let clamped = Self.band(maxReduction: 0.030).offloadTarget(mean: 0.150, quantile: nil)
        #expect(Self.near(clamped.target, 0.120), "\(clamped.target)")
        #expect(clamped.driver == "avg")
        // A clamp looser than the wanted 50 ms reduction changes nothing: max(100, 150 − 80 = 70) = 100 ms.
        let loose = Self.band(maxReduction: 0.080).offloadTarget(mean: 0.150, quantile: nil)
        #expect(Self.near(loose.target, 0.100), "\(loose.target)")
    }

    @Test func quantileDrivenOffloadLowersTheMeanByTheQuantileExcess() {
        // mean 110 ms is inside the band; quantile 330 ms > 300 ms fires. The quantile is 330 − 250 = 80 ms
        // above its midpoint, so the mean must drop by as much: target = 110 − 80 = 30 ms.
        let band = Self.band()
        #expect(band.wantsOffload(mean: 0.110, quantile: 0.330))
        let (target, driver) = band.offloadTarget(mean: 0.110, quantile: 0.330)
        #expect(Self.near(target, 0.030), "\(target)")
        #expect(driver == "quantile")
    }

    @Test func quantileDrivenOffloadIsClampedByTheMaxReductionAndNeverNegative() {
        // As above, with at most 30 ms reduction: target = max(30, 110 − 30) = 80 ms.
        let clamped = Self.band(maxReduction: 0.030).offloadTarget(mean: 0.110, quantile: 0.330)
        #expect(Self.near(clamped.target, 0.080), "\(clamped.target)")
        #expect(clamped.driver == "quantile")
        // mean 50 ms, quantile 400 ms: 50 − (400 − 250) = −100 ms, floored at 0 (no clamp).
        let floored = Self.band().offloadTarget(mean: 0.050, quantile: 0.400)
        #expect(floored.target == 0, "\(floored.target)")
        // Same with a 30 ms clamp: max(0, 50 − 30) = 20 ms.
        let flooredClamped = Self.band(maxReduction: 0.030).offloadTarget(mean: 0.050, quantile: 0.400)
        #expect(Self.near(flooredClamped.target, 0.020), "\(flooredClamped.target)")
    }

    // MARK: - Unoffload targets

    @Test func meanDrivenUnoffloadMayRiseToTheMidpoint() {
        // mean 60 ms < 80 ms: target = midpoint 100 ms, a 40 ms increase allowed.
        let (target, driver) = Self.band().unoffloadTarget(mean: 0.060, quantile: 0.150)
        #expect(Self.near(target, 0.100), "\(target)")
        #expect(driver == "avg")
    }

    @Test func meanDrivenUnoffloadIsClampedByTheMaxIncrease() {
        // mean 60 ms, at most 15 ms increase: target = min(100, 60 + 15) = 75 ms.
        let clamped = Self.band(maxIncrease: 0.015).unoffloadTarget(mean: 0.060, quantile: 0.150)
        #expect(Self.near(clamped.target, 0.075), "\(clamped.target)")
        #expect(clamped.driver == "avg")
        // A looser clamp changes nothing: min(100, 60 + 50 = 110) = 100 ms.
        let loose = Self.band(maxIncrease: 0.050).unoffloadTarget(mean: 0.060, quantile: 0.150)
        #expect(Self.near(loose.target, 0.100), "\(loose.target)")
    }

    @Test func quantileDrivenUnoffloadRaisesTheMeanByTheQuantileSlack() {
        // mean 90 ms is not below 80 ms, so the quantile drives: it is 250 − 180 = 70 ms below its midpoint,
        // and the mean may rise by as much: target = 90 + 70 = 160 ms.
        let (target, driver) = Self.band().unoffloadTarget(mean: 0.090, quantile: 0.180)
        #expect(Self.near(target, 0.160), "\(target)")
        #expect(driver == "quantile")
        // A quantile above its midpoint (270 ms) leaves no slack: 90 + max(0, 250 − 270) = 90 ms.
        let noSlack = Self.band().unoffloadTarget(mean: 0.090, quantile: 0.270)
        #expect(Self.near(noSlack.target, 0.090), "\(noSlack.target)")
    }

    @Test func quantileDrivenUnoffloadIsClampedByTheMaxIncrease() {
        // As above with at most 15 ms increase: target = min(160, 90 + 15) = 105 ms.
        let clamped = Self.band(maxIncrease: 0.015).unoffloadTarget(mean: 0.090, quantile: 0.180)
        #expect(Self.near(clamped.target, 0.105), "\(clamped.target)")
        #expect(clamped.driver == "quantile")
    }

    @Test func withoutAQuantileTheTargetsFallBackToTheMidpoint() {
        // mean 110 ms does not fire an offload by itself, and there is no quantile: the midpoint (100 ms) stays.
        let offload = Self.band().offloadTarget(mean: 0.110, quantile: nil)
        #expect(Self.near(offload.target, 0.100) && offload.driver == "avg", "\(offload)")
        // mean 90 ms is not below 80 ms and there is no quantile: the midpoint (100 ms) again.
        let unoffload = Self.band().unoffloadTarget(mean: 0.090, quantile: nil)
        #expect(Self.near(unoffload.target, 0.100) && unoffload.driver == "avg", "\(unoffload)")
    }
}
