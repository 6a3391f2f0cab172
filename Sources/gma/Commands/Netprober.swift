import ArgumentParser
import Foundation
import GMAController

struct Netprober: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the net prober's HTTP API: cloud-edge capacity (iperf3 TCP, both directions) and RTT (ping).",
        discussion: """
            Run it in the cloud, next to gma; point it at an iperf3 server in the edge (its pod IP, so ping works). \
            GET /get?server_ip=IP&server_port=5201&duration=3&ping_count=5 answers JSON numbers with the unit in \
            each key: cloud-edge-bps, edge-cloud-bps (bit/s), edge-cloud-rtt-ms, rtt-min-ms, rtt-max-ms, \
            rtt-mdev-ms (ms), … and edge-cloud-rtt (ms, the reference's key). GET /healthz answers ok. \
            SIGINT/SIGTERM stop it after the probes in flight; exit status 0.

              gma netprober --listen 0.0.0.0:5001
              curl 'http://127.0.0.1:5001/get?server_ip=10.236.97.127&duration=2'
            """
    )

    @Option(name: .long, help: "Address to listen on, IPv4 HOST:PORT.")
    var listen = "0.0.0.0:5001"

    @Option(name: .long, help: "The iperf3 executable.")
    var iperf3 = "/usr/bin/iperf3"

    @Option(name: .long, help: "The ping executable (iputils).")
    var ping = "/usr/bin/ping"

    func validate() throws {
        for (name, path) in [("--iperf3", iperf3), ("--ping", ping)] where !FileManager.default.isExecutableFile(atPath: path) {
            throw ValidationError("\(name) \(path) is not an executable file (Debian: apt-get install iperf3 iputils-ping)")
        }
    }

    func run() async throws {
        try await reportingUserErrors {
            let service = NetproberService(tools: .system(iperf3: iperf3, ping: ping))
            let server: MiniHTTPServer
            do {
                server = try MiniHTTPServer(listen: listen, routes: service.routes)
                try server.start()
            } catch let error as MiniHTTPServerError {
                throw UserFacingError("netprober: \(error)")
            }
            printError("gma netprober listening on \(server.host):\(server.port)")
            let signals = ShutdownSignals { Thread { server.stopBlocking() }.start() }
            defer { signals.cancel() }
            await server.waitUntilStopped()
            printError("gma netprober stopped")
        }
    }
}
