// swift-tools-version: 6.2
import PackageDescription

// A separate package (swift-nio's convention) so that benchmarks never slow down or
// break the main build and test run; it uses the root package's products as any client would.

// The root package's settings loop: Swift 6 mode (strict concurrency), ExistentialAny and
// MemberImportVisibility.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Passerelle", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Already in the graph through the root package; named here because delivery-throughput
        // uses their products directly (the same version floors as the root package).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            path: "Sources/BenchmarkSupport"
        ),
        .executableTarget(
            name: "bus-throughput",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Bus", package: "Passerelle"),
                .product(name: "Messages", package: "Passerelle"),
                .product(name: "ServiceKit", package: "Passerelle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/bus-throughput"
        ),
        .executableTarget(
            name: "delivery-throughput",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "ServiceKit", package: "Passerelle"),
                .product(name: "Bus", package: "Passerelle"),
                .product(name: "Messages", package: "Passerelle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/delivery-throughput"
        ),
        .executableTarget(
            name: "matching",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Matching", package: "Passerelle"),
                .product(name: "Messages", package: "Passerelle"),
                .product(name: "SeededRandom", package: "Passerelle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/matching"
        ),
    ]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
