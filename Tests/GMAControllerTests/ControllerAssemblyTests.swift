import Foundation
@testable import GMAConfig
import GMAOptimizer
@testable import GMARuntime
import Testing

/// How a GMAConfig.yaml becomes the loop's settings, telemetry settings and network source.
@Suite struct ControllerAssemblyTests {
    static func app3() throws -> GMAConfiguration {
        try GMAConfiguration.load(path: fixturesDirectory.appendingPathComponent("app3/GMAConfig.yaml").path)
    }

    @Test func settingsCarryTheBandTimingAndLocks() throws {
        let config = try Self.app3()
        let settings = ControllerAssembly.settings(from: config, solver: .greedy, timeLimitSeconds: 0.5)
        #expect(settings.band.offloadSeconds == 0.250)
        #expect(settings.band.unoffloadSeconds == 0.150)
        #expect(settings.timing.syncPeriodSeconds == 30)
        #expect(settings.timing.alarmCycles == 4)
        #expect(settings.solver == .greedy)
        #expect(settings.solveOptions.timeLimitSeconds == 0.5)
        #expect(settings.template.services.map(\.name) == ["frontend", "cart", "catalog"])
        #expect(settings.template.services.first { $0.name == "frontend" }?.locked == true)
        #expect(settings.template.prices.networkGB == config.cloud.networkPricePerGB)
        let cart = try #require(settings.template.services.first { $0.name == "cart" })
        #expect(cart.cpuRequestCores.cloud == 0.3)
        #expect(cart.hpaCpuThreshold == 0.6)
    }

    @Test func rttMultiplierAppliesToTheNetinfoValue() async throws {
        let config = try Self.app3()
        // netinfo.yaml says 20 ms; edge-cloud-rtt-multiplier is 2.
        let network = await ControllerAssembly.network(from: config).current()
        #expect(abs(network.rttSeconds - 0.040) < 1e-12)
        #expect(network.cloudToEdgeBitsPerSecond == 199e6)
    }

    @Test func telemetrySettingsNameTheWorkloadsAndIngress() throws {
        let settings = try ControllerAssembly.telemetrySettings(from: try Self.app3())
        #expect(settings.appNamespace == "fluidosmesh")
        #expect(settings.ingress.sourceApp == "istio-ingressgateway")
        #expect(settings.ingress.namespace == "istio-ingress-edge1")
        #expect(settings.services.first { $0.name == "catalog" }?.cloudWorkload?.kind == .statefulSet)
    }
}
