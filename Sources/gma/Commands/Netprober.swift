import ArgumentParser
import Foundation
import GMAHTTP
import GMANetprober
import GMAProcess
import Logging
import ServiceLifecycle

struct Netprober: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the net prober's HTTP API: cloud-edge capacity (iperf3 TCP, both directions) and RTT (ping).",
        discussion: """
            Run it in the cloud, next to gma; point it at the iperf3 server in the edge (its pod IP, so ping works). \
            GET /get?server_ip=IP&server_port=5201&duration=3&ping_count=5 answers JSON numbers with the unit in \
            each key: cloud-edge-bps, edge-cloud-bps (bit/s), edge-cloud-rtt-ms, rtt-min-ms, rtt-max-ms, \
            rtt-mdev-ms (ms), … and edge-cloud-rtt (ms). GET /healthz answers ok. \
            Only --iperf3-server and the --allow-target entries may be probed (else 403); one probe runs at a \
            time, --max-waiting wait, more get 429 with Retry-After; a probe whose client leaves is stopped. \
            SIGINT/SIGTERM stop it after the probes in flight; exit status 0.

              gma netprober --listen 10.0.0.7:5001 --iperf3-server 10.236.97.127
              curl 'http://10.0.0.7:5001/get?duration=2'
            """
    )

    @Option(name: .long, help: "Address to listen on: IP:PORT or [IPv6]:PORT (e.g. the pod IP).")
    var listen = "127.0.0.1:5001"

    @Option(name: .long, help: "The edge iperf3 server, HOST[:PORT] (port 5201 if omitted): the default and always-allowed target.")
    var iperf3Server: String?

    @Option(name: .long, help: "Another allowed target, HOST[:PORT]; HOST may be a CIDR prefix (10.236.0.0/16). Repeatable.")
    var allowTarget: [String] = []

    @Option(name: .long, help: "A file holding a bearer token that /get requests must present.")
    var tokenFile: String?

    @Option(name: .long, help: "Probes that may wait behind the running one; more are answered 429.")
    var maxWaiting = 2

    @Option(name: .long, help: "Seconds after which a whole probe is stopped (504).")
    var maxProbeSeconds = 90.0

    @Option(name: .long, help: "The iperf3 executable (a bare name is looked up on PATH).")
    var iperf3 = "iperf3"

    @Option(name: .long, help: "The ping executable, iputils (a bare name is looked up on PATH).")
    var ping = "ping"

    func validate() throws {
        for (name, program) in [("--iperf3", iperf3), ("--ping", ping)] where ExecutableSearch.find(program) == nil {
            throw ValidationError("\(name) \(program) is not an executable file or on PATH (Debian: apt-get install iperf3 iputils-ping)")
        }
        if iperf3Server == nil && allowTarget.isEmpty {
            throw ValidationError("name what may be probed: --iperf3-server HOST[:PORT] and/or --allow-target HOST[:PORT]")
        }
        guard maxWaiting >= 0, maxProbeSeconds > 0 else {
            throw ValidationError("--max-waiting must be 0 or more and --max-probe-seconds above 0")
        }
    }

    func policy() throws -> NetproberPolicy {
        do {
            var policy = NetproberPolicy(
                defaultTarget: try iperf3Server.map(NetproberPolicy.defaultTarget(parsing:)),
                allowedTargets: try allowTarget.map(ProbeTargetRule.init(parsing:)))
            policy.bearerToken = try tokenFile.map(NetproberPolicy.readToken(file:))
            policy.maxWaitingProbes = maxWaiting
            policy.maxProbeSeconds = maxProbeSeconds
            return policy
        } catch {
            throw UserFacingError("netprober: \(error)")
        }
    }

    func run() async throws {
        try await reportingUserErrors {
            let address: HTTPListenAddress
            do { address = try HTTPListenAddress(parsing: listen) } catch { throw UserFacingError("netprober: --listen \(error)") }
            let service = NetproberService(tools: .system(iperf3: iperf3, ping: ping), policy: try policy())
            var logger = Logger(label: "gma.netprober")
            logger.logLevel = .warning
            let server = BoundedHTTPServer(address: address, routes: service.routes, logger: logger)
            let group = ServiceGroup(
                configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let serving = Task { try await group.run() }
            do {
                let port = try await server.boundPort()
                printError("gma netprober listening on \(HTTPListenAddress(host: address.host, port: port))")
                try await serving.value
            } catch {
                serving.cancel()
                throw UserFacingError("netprober: --listen \(listen): \(error)")
            }
            printError("gma netprober stopped")
        }
    }
}
