// swift-tools-version:6.0
import PackageDescription

/// The products several targets use, each named once.
extension Target.Dependency {
    static var nioCore: Self { .product(name: "NIOCore", package: "swift-nio") }
    static var nioPosix: Self { .product(name: "NIOPosix", package: "swift-nio") }
    static var nioHTTP1: Self { .product(name: "NIOHTTP1", package: "swift-nio") }
    static var nioEmbedded: Self { .product(name: "NIOEmbedded", package: "swift-nio") }
    static var logging: Self { .product(name: "Logging", package: "swift-log") }
    static var serviceLifecycle: Self { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
    static var argumentParser: Self { .product(name: "ArgumentParser", package: "swift-argument-parser") }
    static var grdb: Self { .product(name: "GRDB", package: "GRDB.swift") }
    static var crypto: Self { .product(name: "Crypto", package: "swift-crypto") }
}

let package = Package(
    name: "Sokuho",
    products: [
        .executable(name: "sokuhod", targets: ["sokuhod"]),
        .executable(name: "sokuho", targets: ["sokuho"]),
        .executable(name: "sokuho-city", targets: ["sokuho-city"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already in the graph through Hummingbird; named here for NIOHTTPTypes, the request and
        // response parts the city's connection guard sees (no new package).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    ],
    targets: [
        // Pure core: case model, validation, lifecycle, audit chain. No I/O.
        .target(
            name: "SokuhoCore",
            dependencies: [.crypto]
        ),
        // I/O boundary: the SQLite event store (GRDB stays behind this module).
        .target(
            name: "SokuhoStore",
            dependencies: ["SokuhoCore", .grdb]
        ),
        // I/O boundary: the configuration file.
        .target(
            name: "SokuhoConfig",
            dependencies: ["SokuhoCore", "Yams"]
        ),
        // I/O boundary: systemd notify protocol, socket activation, journald logging.
        .target(
            name: "SokuhoSystemd",
            dependencies: ["SokuhoCore", .logging]
        ),
        // I/O boundary: the control socket server (SwiftNIO, Unix domain socket).
        .target(
            name: "SokuhoControl",
            dependencies: [
                "SokuhoCore",
                .nioCore,
                .nioPosix,
                .logging,
                .serviceLifecycle,
            ]
        ),
        // libcurl (system library, libcurl4-openssl-dev) with shims for its variadic calls.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // glibc's malloc tuning (mallopt, malloc_trim): a header only, nothing compiled.
        .systemLibrary(name: "CMalloc"),
        // I/O boundary: the webhook transport: HTTP POST through libcurl, endpoints and their
        // secrets. The delivery policy (the outbox worker) is in SokuhoDaemon.
        .target(
            name: "SokuhoWebhook",
            dependencies: ["SokuhoCore", "CCurl"]
        ),
        // I/O boundary: `sokuho receive`, the city's verifying webhook receiver (SwiftNIO HTTP/1).
        .target(
            name: "SokuhoReceiver",
            dependencies: [
                "SokuhoCore",
                .nioCore,
                .nioPosix,
                .nioHTTP1,
            ]
        ),
        // I/O boundary: the spool directory (file drops): inotify, safe reading, text encodings, moves.
        .target(
            name: "SokuhoSpool",
            dependencies: [
                "SokuhoCore", "SokuhoConfig",
                .crypto,
                .logging,
                .serviceLifecycle,
            ]
        ),
        // The blocking control-socket client used by the CLI (no NIO, starts fast).
        .target(
            name: "SokuhoClient",
            dependencies: ["SokuhoCore"]
        ),
        // I/O boundary: the Prometheus endpoint (`metrics.listen`): metrics read from the store,
        // served over HTTP/1 on the configured address only.
        .target(
            name: "SokuhoMetrics",
            dependencies: [
                "SokuhoCore", "SokuhoStore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .nioCore,
                .nioPosix,
                .nioHTTP1,
                .logging,
                .serviceLifecycle,
            ]
        ),
        // The daemon's application layer: authorisation, request dispatch and outbox delivery.
        .target(
            name: "SokuhoDaemon",
            dependencies: [
                "SokuhoCore", "SokuhoStore", "SokuhoConfig", "SokuhoControl", "SokuhoSystemd", "SokuhoWebhook", "SokuhoSpool",
                "SokuhoMetrics", "CMalloc",
                .logging,
                .serviceLifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sokuhod",
            dependencies: [
                "SokuhoCore", "SokuhoDaemon", "SokuhoWebhook",
                .argumentParser,
            ]
        ),
        .executableTarget(
            name: "sokuho",
            dependencies: [
                "SokuhoCore", "SokuhoClient", "SokuhoStore", "SokuhoConfig", "SokuhoReceiver", "SokuhoSpool", "SokuhoWebhook", "Yams",
                .argumentParser,
            ]
        ),
        // The city's side (docs/city.md): the contractors' webhooks into a store, what the city
        // issues back, the audit anchor.
        .target(
            name: "SokuhoCity",
            dependencies: ["SokuhoCore", "SokuhoStore", .grdb]
        ),
        // I/O boundary: the city's one HTTP listener (Hummingbird): the contractors' webhooks
        // (`POST /hook`, through CityIntake) and the staff's inbox (login, sessions, pages, forms).
        .target(
            name: "SokuhoCityWeb",
            dependencies: [
                "SokuhoCore", "SokuhoCity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .nioCore,
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .logging,
            ]
        ),
        .executableTarget(
            name: "sokuho-city",
            dependencies: [
                "SokuhoCore", "SokuhoCity", "SokuhoCityWeb", "SokuhoConfig", "SokuhoStore", "SokuhoWebhook",
                .argumentParser,
            ]
        ),
        // Benchmarks: starts the real daemon and prints figures (docs/performance.md).
        .executableTarget(
            name: "sokuho-bench",
            dependencies: [
                "SokuhoCore", "SokuhoClient", "SokuhoStore", "SokuhoReceiver",
                .argumentParser,
                // Only for the raw-SQLite baseline the intake figure is compared with.
                .grdb,
            ]
        ),
        // Fuzz targets: libFuzzer with scripts/fuzz (-sanitize=fuzzer -DFUZZING); otherwise a
        // replayer of corpora and past crashes.
        .executableTarget(
            name: "sokuho-fuzz",
            dependencies: [
                "SokuhoCore", "SokuhoConfig", "SokuhoSpool", "SokuhoControl",
                .nioCore,
                .nioEmbedded,
            ]
        ),
        // What the test targets share (fixtures, the seeded generator, record checks).
        .target(name: "SokuhoTestSupport", dependencies: ["SokuhoCore"], path: "Tests/SokuhoTestSupport"),
        .testTarget(name: "SokuhoCoreTests", dependencies: ["SokuhoCore"]),
        .testTarget(name: "SokuhoStoreTests", dependencies: ["SokuhoStore", "SokuhoCore"]),
        .testTarget(name: "SokuhoConfigTests", dependencies: ["SokuhoConfig", "SokuhoCore"]),
        .testTarget(name: "SokuhoSpoolTests", dependencies: ["SokuhoSpool", "SokuhoCore", .logging]),
        .testTarget(name: "SokuhoWebhookTests", dependencies: ["SokuhoWebhook", "SokuhoCore"]),
        .testTarget(name: "SokuhoSystemdTests", dependencies: ["SokuhoSystemd"]),
        .testTarget(
            name: "SokuhoControlTests",
            dependencies: [
                "SokuhoControl", "SokuhoCore", .nioCore,
                .nioEmbedded,
            ]
        ),
        .testTarget(
            name: "SokuhoDaemonTests",
            dependencies: [
                "SokuhoDaemon", "SokuhoCore", "SokuhoStore", "SokuhoSpool", "SokuhoTestSupport",
                .logging,
            ]
        ),
        .testTarget(name: "SokuhoMetricsTests", dependencies: ["SokuhoMetrics", "SokuhoStore", "SokuhoCore"]),
        .testTarget(name: "SokuhoCityWebTests", dependencies: ["SokuhoCityWeb", "SokuhoCity", "SokuhoCore"]),
        .testTarget(name: "SokuhoReceiverTests", dependencies: ["SokuhoReceiver", "SokuhoCore", "SokuhoWebhook"]),
        .testTarget(
            name: "SokuhoIntegrationTests",
            dependencies: ["SokuhoCore", "SokuhoClient", "SokuhoTestSupport", "sokuhod", "sokuho", "sokuho-fuzz", "sokuho-city"]
        ),
    ]
)
