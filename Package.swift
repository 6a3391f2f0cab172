// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gma",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gma", targets: ["gma"]),
        .library(name: "GMAOptimizer", targets: ["GMAOptimizer"]),
        .library(name: "GMAController", targets: ["GMAController"]),
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
        .target(
            name: "GMAController",
            dependencies: [
                "GMAOptimizer",
                "CCurl",
                "GMAHTTP",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "gma",
            dependencies: [
                "GMAOptimizer",
                "GMAController",
                "GMAHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gma-bench",
            dependencies: ["GMAOptimizer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/gma-bench"
        ),
        .testTarget(name: "GMAOptimizerTests", dependencies: ["GMAOptimizer"], exclude: ["Fixtures"]),
        // Fixtures/prom holds Swift sources of the tests; the other fixture folders are data.
        .testTarget(
            name: "GMAControllerTests", dependencies: ["GMAController", "GMAHTTP"],
            exclude: ["Fixtures/app3", "Fixtures/kube", "Fixtures/layouts"]
        ),
    ]
)
