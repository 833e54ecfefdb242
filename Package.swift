// swift-tools-version: 6.2
import PackageDescription

// One settings loop for every target (STYLE.md §9): strict concurrency comes with the
// Swift 6 language mode; ExistentialAny makes every existential say `any`;
// MemberImportVisibility makes a file import every module whose members it uses.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Passerelle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bus-broker", targets: ["bus-broker"]),
        .executable(name: "bus-tap", targets: ["bus-tap"]),
        .executable(name: "offer-registry", targets: ["offer-registry"]),
        .executable(name: "candidate-registry", targets: ["candidate-registry"]),
        .executable(name: "matcher", targets: ["matcher"]),
        .executable(name: "passerelle", targets: ["passerelle"]),
        .executable(name: "fixture-publisher", targets: ["fixture-publisher"]),
        .executable(name: "fixture-subscriber", targets: ["fixture-subscriber"]),
        .library(name: "Messages", targets: ["Messages"]),
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "CodeLists", targets: ["CodeLists"]),
        .library(name: "Matching", targets: ["Matching"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(
            name: "Messages",
            path: "Shared/Messages"
        ),
        .target(
            name: "Bus",
            dependencies: [
                "CZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Shared/Bus"
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Bus", "Messages", "CodeLists",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Shared/ServiceKit"
        ),
        .target(
            name: "CodeLists",
            dependencies: [.product(name: "CSV", package: "CSV.swift")],
            path: "Shared/CodeLists",
            exclude: ["Data", "generate-tables.sh"]
        ),
        .target(
            name: "Matching",
            dependencies: ["Messages", "CodeLists"],
            path: "Shared/Matching"
        ),
        .executableTarget(
            name: "matcher",
            dependencies: [
                "ServiceKit", "Messages", "Matching",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/matcher"
        ),
        .executableTarget(
            name: "offer-registry",
            dependencies: [
                "ServiceKit", "Messages", "CodeLists",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/offer-registry"
        ),
        .executableTarget(
            name: "candidate-registry",
            dependencies: [
                "ServiceKit", "Messages", "CodeLists",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/candidate-registry"
        ),
        .executableTarget(
            name: "passerelle",
            dependencies: [
                "Messages", "CodeLists", "Bus", "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/passerelle"
        ),
        .executableTarget(
            name: "bus-broker",
            dependencies: ["ServiceKit", "Bus"],
            path: "Services/bus-broker"
        ),
        .executableTarget(
            name: "bus-tap",
            dependencies: [
                "ServiceKit", "Bus", "Messages",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Services/bus-tap"
        ),
        // Small services built on ServiceKit, spawned by the end-to-end delivery tests.
        .executableTarget(
            name: "fixture-publisher",
            dependencies: [
                "ServiceKit", "Messages",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Fixtures/fixture-publisher"
        ),
        .executableTarget(
            name: "fixture-subscriber",
            dependencies: [
                "ServiceKit", "Messages",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/Fixtures/fixture-subscriber"
        ),
        .testTarget(
            name: "MessagesTests",
            dependencies: ["Messages"],
            path: "Tests/MessagesTests",
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "CodeListsTests",
            dependencies: ["CodeLists"],
            path: "Tests/CodeListsTests"
        ),
        .testTarget(
            name: "MatchingTests",
            dependencies: ["Matching", "Messages"],
            path: "Tests/MatchingTests"
        ),
        .testTarget(
            name: "PasserelleTests",
            dependencies: [
                "passerelle", "Messages", "CodeLists",
                // The tests' small HTTP server, standing in for a registry.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/PasserelleTests"
        ),
        .testTarget(
            name: "BusTests",
            dependencies: ["Bus", "CZeroMQ"],
            path: "Tests/BusTests"
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "Messages",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/ServiceKitTests"
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Bus", "Messages", "CZeroMQ", "CodeLists", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/EndToEndTests"
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
