import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAKube
@testable import GMAProcess
@testable import GMARuntime


@Suite("Check: gma check")
struct CheckTests {
    @Test func reportShowsServicesThresholdsAndCommands() throws {
        let config = try GMAConfiguration.load(path: app3ConfigPath)
        let text = ConfigReport(config).rendered
        #expect(text.contains("services    3 (M = 4 with the user), locked: frontend"))
        #expect(text.contains("statefulset/catalog-edge1"))
        #expect(text.contains("cart-edge1 (1–10 @ 80 %)"))
        #expect(text.contains("offload avg > 250 ms, unoffload avg < 150 ms"))
        #expect(text.contains("RTT 80 ms × 2 = 160 ms"))
        #expect(text.contains("network 0.02/GB"))
        let commands = KubectlCommands(configuration: config)
        #expect(text.contains(ShellWords.render(commands.getHPAs(.edge))))
        #expect(text.contains(ShellWords.render(commands.apply(files: config.services[1].edge.files))))
        #expect(text.contains("scale deployment/cart-cloud --replicas=N"))
        #expect(text.contains("warnings"))
    }

    @Test
    func brokenConfigListsEveryErrorWithLineAndColumn() async throws {
        let result = try await CommandRunner.run([try GMABinary.path(), "check", "--config", brokenConfigPath], timeoutSeconds: 120)
        #expect(result.exitStatus == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "gma: 9 configuration errors", "\(result.stderr)")
        let errorLines = lines.filter { $0.contains(": error: ") }
        #expect(errorLines.count == 9)
        for line in errorLines {
            // file:line:column: error: key.path: message
            #expect(line.range(of: #"^/.+\.yaml:\d+:\d+: error: spec\.[a-z0-9.\[\]-]+: "#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(result.stderr.contains("GMAConfig.yaml:12:32: error: spec.slo.unoffload-delay-threshold:"))
    }

    @Test
    func validConfigComesFromGMAConfigEnvironment() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["GMA_CONFIG"] = app3ConfigPath
        let result = try await CommandRunner.run([try GMABinary.path(), "check"], timeoutSeconds: 120, environment: environment)
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("config      \(app3ConfigPath)"))
        #expect(text.contains("kubectl commands"))
        #expect(text.contains("prometheus queries"))
        #expect(text.contains(#"histogram_quantile(0.9"#), "the quantile query is listed")
    }
}
