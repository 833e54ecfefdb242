// swift-tools-version: 6.2
import PackageDescription

// A separate package (swift-nio's convention) so that benchmarks never slow down or
// break the main build and test run; it uses the root package's products as any client would.
let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Passerelle", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "bus-throughput",
            dependencies: [
                .product(name: "Bus", package: "Passerelle"),
                .product(name: "Messages", package: "Passerelle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/bus-throughput",
            // Same settings loop as the root package: Swift 6 mode (strict concurrency) + ExistentialAny.
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        )
    ]
)
