// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gma",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gma", targets: ["gma"]),
        .library(name: "GMAOptimizer", targets: ["GMAOptimizer"]),
        // The controller's core and the parts a program embedding it picks (docs/architecture.md).
        .library(name: "GMAControl", targets: ["GMAConfig", "GMAControl"]),
        .library(name: "GMATelemetry", targets: ["GMATelemetry"]),
        .library(name: "GMAKube", targets: ["GMAKube"]),
        .library(name: "GMATwin", targets: ["GMATwin"]),
        .library(name: "GMARuntime", targets: ["GMARuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // No default traits: gma reads no swift-configuration and needs no URL-form coding.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Hummingbird's own foundations, named for GMAHTTP's request-limit channel handler.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Runs kubectl, iperf3, ping and solver plug-ins. No default traits: the runner hands over standard
        // input as a file descriptor and reads output as buffers, so Subprocess' Foundation extensions go unused.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
    ],
    targets: [
        // GLPK headers and library from Debian's libglpk-dev (no pkg-config file is shipped).
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        // The only code that calls GLPK: a whole build-and-solve in C behind a setjmp guard.
        .target(name: "CGLPKGuard", dependencies: ["CGLPK"], linkerSettings: [.linkedLibrary("glpk")]),
        .target(name: "GMAOptimizer", dependencies: ["CGLPKGuard"]),
        // libcurl from Debian's libcurl4-openssl-dev: telemetry's HTTP, with millisecond deadlines and byte caps.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Serving HTTP with bounds (Hummingbird): knows routes and limits, nothing of gma's domain.
        .target(
            name: "GMAHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The SVG elements and CSV tables the twin's timeline and gma-bench write; no dependencies.
        .target(name: "GMACharts"),
        // The modules of the controller; imports point down this list (docs/architecture.md).
        // Running programs with deadlines and bounded output: kubectl, iperf3, ping, solver plug-ins.
        .target(name: "GMAProcess", dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]),
        // The configuration files: model, YAML loader, manifests, layouts, units.
        .target(
            name: "GMAConfig",
            dependencies: ["GMAOptimizer", .product(name: "Yams", package: "Yams")]
        ),
        // The core: state machine, decider, actuator and the protocols its leaves implement.
        // GMAProcess only for `ExternalSolver`, until the decider receives its solver (docs/architecture.md).
        .target(
            name: "GMAControl",
            dependencies: ["GMAOptimizer", "GMAConfig", .product(name: "Logging", package: "swift-log")]
        ),
        // Telemetry from Prometheus (libcurl) and the network from netinfo.yaml and the net prober.
        .target(
            name: "GMATelemetry",
            dependencies: [
                "GMAOptimizer", "GMAConfig", "GMAControl", "CCurl", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The clusters through kubectl.
        .target(
            name: "GMAKube",
            dependencies: ["GMAConfig", "GMAControl", "GMAProcess", .product(name: "Logging", package: "swift-log")]
        ),
        // The net prober's server: probes RTT and bandwidth with ping and iperf3.
        .target(name: "GMANetprober", dependencies: ["GMAHTTP", "GMAProcess"]),
        // The digital twin: a simulated app, clusters and telemetry driving the real controller.
        .target(
            name: "GMATwin",
            dependencies: [
                "GMAOptimizer", "GMAConfig", "GMAControl", "GMAProcess", "GMACharts",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Metrics, JSON logs, health endpoints and the decision journal.
        .target(
            name: "GMAObservability",
            dependencies: [
                "GMAOptimizer", "GMAControl", "GMAHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Wiring shared by the CLI and the tests: config → settings, telemetry, cluster; `gma check`'s report.
        .target(
            name: "GMARuntime",
            dependencies: [
                "GMAOptimizer", "GMAConfig", "GMAControl", "GMAProcess", "GMATelemetry", "GMAKube",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gma",
            dependencies: [
                "GMAOptimizer", "GMAConfig", "GMAControl", "GMAProcess", "GMATelemetry", "GMAKube", "GMANetprober",
                "GMATwin", "GMAObservability", "GMARuntime", "GMAHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gma-bench",
            dependencies: [
                "GMAOptimizer", "GMACharts", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/gma-bench"
        ),
        // What several test suites share: the fuzz mutators, the `gma` binary's locator, temporary directories.
        .target(name: "GMATestSupport", path: "Tests/GMATestSupport"),
        .testTarget(
            name: "GMAOptimizerTests", dependencies: ["GMAOptimizer", "GMATestSupport"], resources: [.copy("Fixtures")]
        ),
        // Fixtures/prom holds Swift sources of the tests; the other fixture folders are data, copied as resources.
        .testTarget(
            name: "GMAControllerTests",
            dependencies: [
                "GMAOptimizer", "GMAConfig", "GMAControl", "GMAProcess", "GMATelemetry", "GMAKube", "GMANetprober",
                "GMATwin", "GMAObservability", "GMARuntime", "GMAHTTP", "GMACharts", "GMATestSupport",
            ],
            resources: [.copy("Fixtures/app3"), .copy("Fixtures/kube"), .copy("Fixtures/layouts"), .copy("Fixtures/twin")]
        ),
    ]
)
