// swift-tools-version: 6.2
import PackageDescription

// One settings loop for every target (STYLE.md §9): strict concurrency comes with the
// Swift 6 language mode; ExistentialAny makes every existential say `any`;
// MemberImportVisibility makes a file import every module whose members it uses.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Every target declares every module its files import, no more (`compose/dev test` checks).

/// A service: an executable at `<folder>/<name>`, with what every service imports (ServiceKit,
/// which runs it, and ArgumentParser, its command line) and the other modules its files import.
func service(
    _ name: String, in folder: String = "Services", dependencies: [Target.Dependency], resources: [Resource] = []
) -> Target {
    .executableTarget(
        name: name, dependencies: [.serviceKit, .argumentParser] + dependencies, path: "\(folder)/\(name)",
        resources: resources)
}

/// A service's OpenAPI 3.1 document, `<folder>/<name>/openapi.yaml`, compiled into the executable
/// (`PackageResources.openapi_yaml`): it is served at `GET /openapi.yaml` with no file to deploy beside it.
let openAPI: [Resource] = [.embedInCode("openapi.yaml")]

extension Target.Dependency {
    // This package's libraries.
    static var bus: Self { .target(name: "Bus") }
    static var codeLists: Self { .target(name: "CodeLists") }
    static var disclosure: Self { .target(name: "Disclosure") }
    static var importing: Self { .target(name: "Importing") }
    static var matching: Self { .target(name: "Matching") }
    static var messages: Self { .target(name: "Messages") }
    static var seededRandom: Self { .target(name: "SeededRandom") }
    static var serviceKit: Self { .target(name: "ServiceKit") }
    static var serviceTesting: Self { .target(name: "ServiceTesting") }
    static var cZeroMQ: Self { .target(name: "CZeroMQ") }

    // Other packages' products, each named after its module.
    static var argumentParser: Self { .product(name: "ArgumentParser", package: "swift-argument-parser") }
    static var asyncHTTPClient: Self { .product(name: "AsyncHTTPClient", package: "async-http-client") }
    static var configuration: Self { .product(name: "Configuration", package: "swift-configuration") }
    static var crypto: Self { .product(name: "Crypto", package: "swift-crypto") }
    static var csv: Self { .product(name: "CSV", package: "CSV.swift") }
    static var dequeModule: Self { .product(name: "DequeModule", package: "swift-collections") }
    static var grdb: Self { .product(name: "GRDB", package: "GRDB.swift") }
    static var httpTypes: Self { .product(name: "HTTPTypes", package: "swift-http-types") }
    static var hummingbird: Self { .product(name: "Hummingbird", package: "hummingbird") }
    static var hummingbirdAuth: Self { .product(name: "HummingbirdAuth", package: "hummingbird-auth") }
    static var hummingbirdBcrypt: Self { .product(name: "HummingbirdBcrypt", package: "hummingbird-auth") }
    static var hummingbirdTesting: Self { .product(name: "HummingbirdTesting", package: "hummingbird") }
    static var logging: Self { .product(name: "Logging", package: "swift-log") }
    static var multipartKit: Self { .product(name: "MultipartKit", package: "multipart-kit") }
    static var mustache: Self { .product(name: "Mustache", package: "swift-mustache") }
    static var nioConcurrencyHelpers: Self { .product(name: "NIOConcurrencyHelpers", package: "swift-nio") }
    static var nioCore: Self { .product(name: "NIOCore", package: "swift-nio") }
    static var nioFoundationEssentialsCompat: Self {
        .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio")
    }
    static var nioHTTP1: Self { .product(name: "NIOHTTP1", package: "swift-nio") }
    static var nioPosix: Self { .product(name: "NIOPosix", package: "swift-nio") }
    static var prometheus: Self { .product(name: "Prometheus", package: "swift-prometheus") }
    static var serviceLifecycle: Self { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
    static var systemPackage: Self { .product(name: "SystemPackage", package: "swift-system") }
    static var unixSignals: Self { .product(name: "UnixSignals", package: "swift-service-lifecycle") }
    static var yams: Self { .product(name: "Yams", package: "Yams") }
}

// The executables, in start order; their names are an interface (compose/dev, the tests, the docs).
let services: [Target] = [
    service(
        "bus-broker", dependencies: [.bus, .configuration, .logging, .prometheus, .serviceLifecycle], resources: openAPI
    ),
    service("bus-tap", dependencies: [.bus, .messages, .unixSignals]),
    service(
        "offer-registry",
        dependencies: [
            .messages, .codeLists, .configuration, .grdb, .httpTypes, .hummingbird, .logging,
        ], resources: openAPI),
    service(
        "candidate-registry", dependencies: [.messages, .codeLists, .grdb, .hummingbird, .logging], resources: openAPI),
    service("matcher", dependencies: [.messages, .matching, .grdb, .hummingbird, .logging], resources: openAPI),
    service(
        "notifier",
        dependencies: [
            .messages, .codeLists, .grdb, .hummingbird, .logging, .asyncHTTPClient, .crypto, .nioCore,
            .nioHTTP1, .nioFoundationEssentialsCompat, .prometheus,
            // `notifier bench` feeds its Inbox BusMessages, as they come off the bus.
            .bus,
        ], resources: openAPI),
    service(
        "statistics",
        dependencies: [
            .messages, .codeLists, .disclosure, .grdb, .hummingbird, .logging, .mustache,
            // `statistics bench` draws its events, feeds its Inbox BusMessages as they come off the
            // bus, and asks the service over HTTP.
            .seededRandom, .bus, .asyncHTTPClient, .nioCore, .nioHTTP1, .serviceLifecycle,
        ], resources: openAPI),
    // The officers' back office: templates and its stylesheet ship with the executable.
    .executableTarget(
        name: "portail",
        dependencies: [
            .serviceKit, .argumentParser, .messages, .codeLists, .grdb, .hummingbird, .hummingbirdAuth,
            .hummingbirdBcrypt, .mustache, .asyncHTTPClient, .httpTypes, .logging, .nioCore, .nioHTTP1,
            .nioFoundationEssentialsCompat,
            // Bulk import: the same rules as `passerelle import`, files uploaded as multipart/form-data.
            .importing, .multipartKit,
        ],
        path: "Services/portail", resources: [.copy("Resources")] + openAPI),
    service(
        "passerelle",
        dependencies: [
            .messages, .importing, .bus, .seededRandom, .asyncHTTPClient, .nioCore,
            // `backup` and `restore`: SQLite's online backup API, SHA-256 of each copy.
            .grdb, .crypto,
        ]),
    // Small services built on ServiceKit, spawned by the end-to-end delivery tests.
    service(
        "fixture-publisher", in: "Tests/Fixtures",
        dependencies: [.messages, .seededRandom, .grdb, .logging, .serviceLifecycle]),
    service(
        "fixture-subscriber", in: "Tests/Fixtures", dependencies: [.messages, .crypto, .grdb, .hummingbird]),
    // The README's example of a new service: one page on ServiceKit.
    service("fixture-counter", in: "Tests/Fixtures", dependencies: [.messages, .grdb, .hummingbird]),
]

/// A service's in-process tests: its executable target, built by its `build(settings:)` and
/// driven through its router with ServiceTesting.
func serviceTests(_ name: String, of service: String, dependencies: [Target.Dependency] = []) -> Target {
    .testTarget(
        name: name,
        dependencies: [.target(name: service), .serviceTesting, .serviceKit, .messages] + dependencies,
        path: "Tests/Services/\(name)")
}

let package = Package(
    name: "Passerelle",
    platforms: [.macOS(.v15)],
    products: services.map { .executable(name: $0.name, targets: [$0.name]) } + [
        .library(name: "Messages", targets: ["Messages"]),
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "CodeLists", targets: ["CodeLists"]),
        .library(name: "Matching", targets: ["Matching"]),
        .library(name: "SeededRandom", targets: ["SeededRandom"]),
        .library(name: "Disclosure", targets: ["Disclosure"]),
        .library(name: "Importing", targets: ["Importing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: services + [
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
            dependencies: [.cZeroMQ, .logging, .dequeModule],
            path: "Shared/Bus"
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                .bus, .messages, .codeLists, .argumentParser, .configuration, .crypto, .csv, .grdb, .httpTypes,
                .hummingbird, .logging, .nioCore, .prometheus, .serviceLifecycle, .systemPackage, .unixSignals, .yams,
            ],
            path: "Shared/ServiceKit"
        ),
        .target(
            name: "CodeLists",
            dependencies: [.csv],
            path: "Shared/CodeLists",
            exclude: ["Data", "generate-tables.sh"]
        ),
        .target(
            name: "Matching",
            dependencies: [.messages, .codeLists],
            path: "Shared/Matching"
        ),
        // SplitMix64, the one seedable generator: the demo data, the tests' random cases, the
        // fixtures' workloads and the benchmarks' data are all drawn from it.
        .target(
            name: "SeededRandom",
            path: "Shared/SeededRandom"
        ),
        // Statistical disclosure control: which cells of a published count table show « < k ».
        .target(
            name: "Disclosure",
            path: "Shared/Disclosure"
        ),
        // Reading officers' CSV and JSON lines files and sending their rows to a registry: what
        // `passerelle import` and Portail's bulk import share.
        .target(
            name: "Importing",
            dependencies: [.messages, .asyncHTTPClient, .csv, .crypto, .nioCore, .nioHTTP1],
            path: "Shared/Importing"
        ),
        .testTarget(
            name: "MessagesTests",
            dependencies: [.messages, .seededRandom],
            path: "Tests/MessagesTests",
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "CodeListsTests",
            dependencies: [.codeLists],
            path: "Tests/CodeListsTests"
        ),
        .testTarget(
            name: "MatchingTests",
            dependencies: [.matching, .messages, .seededRandom],
            path: "Tests/MatchingTests"
        ),
        .testTarget(
            name: "SeededRandomTests",
            dependencies: [.seededRandom],
            path: "Tests/SeededRandomTests"
        ),
        .testTarget(
            name: "DisclosureTests",
            dependencies: [.disclosure, .seededRandom],
            path: "Tests/DisclosureTests"
        ),
        .testTarget(
            name: "PasserelleTests",
            dependencies: [
                "passerelle", .importing, .messages, .codeLists, .argumentParser,
                // The tests' small HTTP server, standing in for a registry.
                .nioCore, .nioPosix, .nioHTTP1, .nioConcurrencyHelpers,
            ],
            path: "Tests/PasserelleTests"
        ),
        .testTarget(
            name: "BusTests",
            dependencies: [.bus],
            path: "Tests/BusTests"
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                .serviceKit, .serviceTesting, .bus, .messages, .configuration, .grdb, .httpTypes, .hummingbird,
                .hummingbirdTesting, .logging, .nioFoundationEssentialsCompat, .prometheus, .serviceLifecycle,
            ],
            path: "Tests/ServiceKitTests"
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                .bus, .messages, .cZeroMQ, .serviceKit, .serviceTesting, .crypto, .grdb, .logging, .serviceLifecycle,
            ],
            path: "Tests/EndToEndTests"
        ),
        // What the services' in-process tests share: ServiceUnderTest, sample bodies and records.
        .target(
            name: "ServiceTesting",
            dependencies: [.serviceKit, .messages, .grdb, .httpTypes, .hummingbird, .hummingbirdTesting],
            path: "Tests/ServiceTesting"
        ),
        serviceTests("OfferRegistryServiceTests", of: "offer-registry", dependencies: [.httpTypes]),
        serviceTests(
            "CandidateRegistryServiceTests", of: "candidate-registry", dependencies: [.grdb, .httpTypes]),
        serviceTests("MatcherServiceTests", of: "matcher", dependencies: [.matching, .grdb, .logging, .httpTypes]),
        serviceTests("NotifierServiceTests", of: "notifier", dependencies: [.grdb, .logging]),
        serviceTests("PortailServiceTests", of: "portail", dependencies: [.httpTypes]),
        serviceTests(
            "StatisticsServiceTests", of: "statistics", dependencies: [.grdb, .hummingbird, .hummingbirdTesting]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
