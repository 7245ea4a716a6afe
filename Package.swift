// swift-tools-version: 6.1
import PackageDescription

// Aloft: a typed workflow platform whose core is a plugin host.
// Layering (each arrow a declared dependency; docs/architecture.md draws the whole picture):
//   aloft (AloftCLI)   -> AloftCommandLine, AloftEngine, AloftCompiler, PluginHost, PluginConformance, ArgumentParser
//   aloft-server       -> AloftCommandLine, AloftServer (Hummingbird, NIO)   (`aloft serve` runs it)
//   AloftEngine        -> PluginHost, AloftCompiler, AloftAWS (S3), CSQLite, CLibPQ (stores, runners, registry)
//   AloftCompiler      -> AloftTyping -> LocatedYAML -> AloftWire                  (specs to checked IR)
//   PluginHost         -> PluginABI (C headers), AloftWire, LocatedYAML, Logging   (load, route, call plugins)
//   aloft-plugin-runner, PluginConformance -> PluginHost
//   Plugins/*          -> PluginKit -> PluginABI + AloftWire                       (never PluginHost)
//                      -> AloftHTTP (libcurl), AloftAWS, AloftGoogle, AloftHive, AloftTaskIO
// The compiler enforces it: every target builds with MemberImportVisibility (a file uses only the modules it
// imports) and InternalImportsByDefault (public API names another module's types only through a
// `public import`); scripts/check-imports.py checks that every import is declared here. Only PluginKit
// re-exports a module (AloftWire: its values are the kit's vocabulary). The modules linked into `aloft` import
// FoundationEssentials (and AloftSystem), never Foundation: Foundation and ICU were 4-5 ms of every start.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // The compiler enforces the layering: a file uses only modules it imports itself, and a module's
    // public API names another module's types only through a `public import`.
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "aloft",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aloft", targets: ["AloftCLI"]),
        // `aloft serve` runs this binary from aloft's own directory: the HTTP stack (Hummingbird, NIO) stays out of
        // every other command's start-up (its relocations and protocol conformances cost a short command ~9%).
        .executable(name: "aloft-server", targets: ["AloftServerCommand"]),
        .executable(name: "aloft-bench", targets: ["AloftBench"]),
        .executable(name: "aloft-plugin-runner", targets: ["AloftPluginRunner"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        .library(name: "PluginHost", targets: ["PluginHost"]),
        // Built-in plugins: each its own shared library, loaded by the host like any third party's.
        .library(name: "AloftPluginEcho", type: .dynamic, targets: ["EchoPlugin"]),
        .library(name: "AloftPluginContainer", type: .dynamic, targets: ["ContainerPlugin"]),
        .library(name: "AloftPluginSagemaker", type: .dynamic, targets: ["SagemakerPlugin"]),
        .library(name: "AloftPluginSpark", type: .dynamic, targets: ["SparkPlugin"]),
        .library(name: "AloftPluginHive", type: .dynamic, targets: ["HivePlugin"]),
        .library(name: "AloftPluginBigQuery", type: .dynamic, targets: ["BigQueryPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // No default traits: "FullFoundation" would link Foundation (and ICU) into `aloft` for form coding.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // The C contract with plugins: headers only (plus compile-time layout checks).
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        // Types, literals and their one canonical encoding (Aloft Literal JSON). No Foundation.
        .target(name: "AloftWire", swiftSettings: strict),
        // What the host's modules needed from Foundation beyond FoundationEssentials (path strings, threads, a
        // condition lock, number text): with it `aloft` never loads Foundation and ICU, 4-5 ms of every start.
        .target(name: "AloftSystem", swiftSettings: strict),
        // YAML and JSON documents whose values remember their file, line and column.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "LocatedYAML", dependencies: ["AloftWire", "CLibYAML"], swiftSettings: strict),
        // HTTP for plugins and the host (libcurl): the Docker/Podman API, AWS, BigQuery, Kubernetes.
        // libcurl and libpq are loaded when first used (their headers only at build time: libcurl4-openssl-dev,
        // libpq-dev): a command that needs neither does not pay for the ~25 libraries they pull in.
        .target(name: "CLazyLibrary", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CCurl", dependencies: ["CLazyLibrary"]),
        .target(name: "AloftHTTP", dependencies: ["CCurl"], swiftSettings: strict),
        // AWS for plugins and the engine: SigV4 (OpenSSL), JSON 1.1 calls, S3 objects.
        .target(
            name: "AloftAWS", dependencies: ["AloftHTTP", "AloftWire", "AloftSystem", "COpenSSL"], swiftSettings: strict
        ),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // OpenSSL's TLS (libssl): `aloft serve --tls-cert/--tls-key` terminates TLS with it.
        .systemLibrary(name: "CLibSSL", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        // Type syntax, what may flow into what, literals from YAML, canonical hashes.
        .target(name: "AloftTyping", dependencies: ["AloftWire", "LocatedYAML", "COpenSSL"], swiftSettings: strict),
        // Workflow specs -> checked intermediate representation, with every error's place.
        .target(
            name: "AloftCompiler", dependencies: ["AloftWire", "AloftSystem", "AloftTyping", "LocatedYAML"],
            swiftSettings: strict),
        // What a Swift plugin author uses: the ABI without raw pointers.
        .target(name: "PluginKit", dependencies: ["PluginABI", "AloftWire"], swiftSettings: strict),
        .target(
            name: "PluginHost",
            dependencies: [
                "PluginABI", "AloftWire", "AloftSystem", "LocatedYAML", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The engine: node state machines, (later) the scheduler, stores and cache.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // PostgreSQL's client library: the metadata store that machines share (PostgresStore).
        .target(name: "CLibPQ", dependencies: ["CLazyLibrary"]),
        .target(
            name: "AloftEngine",
            dependencies: [
                "AloftHTTP", "AloftTyping", "AloftWire", .product(name: "Logging", package: "swift-log"), "PluginHost",
                "AloftCompiler", "AloftSystem", "CSQLite", "CLibPQ", "AloftAWS",
            ], swiftSettings: strict),
        .executableTarget(
            name: "AloftCLI",
            dependencies: [
                "AloftTyping", "AloftWire", "LocatedYAML", .product(name: "Logging", package: "swift-log"),
                "PluginHost", "PluginConformance", "AloftCompiler", "AloftEngine", "AloftCommandLine", "AloftSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // What `aloft` and `aloft-server` share: the store and host options, the host's start-up, user-facing errors.
        .target(
            name: "AloftCommandLine",
            dependencies: [
                "AloftCompiler", "AloftEngine", "AloftSystem", "PluginHost", "LocatedYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `aloft serve`, as its own binary (see the product).
        .executableTarget(
            name: "AloftServerCommand",
            dependencies: [
                "AloftCommandLine", "AloftServer", "AloftEngine", "PluginHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `aloft serve`: the JSON API (and console) over the stores, on Hummingbird; routes, handlers, auth apart.
        .target(
            name: "AloftServer",
            dependencies: [
                "AloftEngine", "AloftWire", "AloftCompiler", "PluginHost", "LocatedYAML", "AloftSystem", "CLibSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The console's event streams end when the server shuts down gracefully.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // `aloft plugins check`: a plugin file against the ABI's rules (load, lifecycle, threads, budgets).
        .target(
            name: "PluginConformance", dependencies: ["PluginHost", "AloftWire", "AloftSystem"], swiftSettings: strict),
        // Where plugin code runs outside the host: probes of new plugin files.
        .executableTarget(name: "AloftPluginRunner", dependencies: ["PluginHost", "AloftWire"], swiftSettings: strict),
        .executableTarget(
            name: "AloftBench",
            dependencies: [
                "LocatedYAML", .product(name: "Logging", package: "swift-log"), "PluginABI", "PluginHost", "AloftWire",
                "AloftCompiler", "AloftEngine", "AloftAWS",
            ], swiftSettings: strict),
        .target(name: "EchoPlugin", dependencies: ["PluginKit"], path: "Plugins/Echo", swiftSettings: strict),
        .target(
            name: "SagemakerPlugin", dependencies: ["PluginKit", "AloftHTTP", "AloftAWS"], path: "Plugins/Sagemaker",
            swiftSettings: strict),
        .target(
            name: "ContainerPlugin",
            dependencies: ["PluginKit", "AloftHTTP", "AloftTaskIO", "AloftKubernetes", "AloftAWS"],
            path: "Plugins/Container", exclude: ["pod"], swiftSettings: strict),
        // Kubernetes API client (kubeconfig, in-cluster, typed calls) and the S3 side of a pod's task contract:
        // shared by Container's pod backend and Spark's SparkApplication backend.
        .target(
            name: "AloftKubernetes", dependencies: ["AloftHTTP", "AloftWire", "LocatedYAML", "AloftAWS", "PluginKit"],
            swiftSettings: strict),
        // The container task contract (inputs.json, placeholders, outputs) and managed local processes:
        // shared by the plugins that run programs on this machine (Container's process backend, Spark local).
        .target(name: "AloftTaskIO", dependencies: ["PluginKit"], swiftSettings: strict),
        .target(
            name: "SparkPlugin",
            dependencies: ["PluginKit", "AloftHTTP", "AloftTaskIO", "AloftKubernetes", "AloftAWS"],
            path: "Plugins/Spark", swiftSettings: strict),
        // HiveServer2 (TCLIService over Thrift, binary protocol; HTTP and TCP transports).
        .target(name: "AloftHive", dependencies: ["AloftHTTP", "AloftWire"], swiftSettings: strict),
        .target(
            name: "HivePlugin", dependencies: ["PluginKit", "AloftHive", "AloftHTTP"], path: "Plugins/Hive",
            swiftSettings: strict),
        // Google Cloud: service-account auth (JWT RS256 on OpenSSL, token cache) and the BigQuery REST API v2.
        .target(name: "AloftGoogle", dependencies: ["AloftHTTP", "AloftWire", "COpenSSL"], swiftSettings: strict),
        .target(
            name: "BigQueryPlugin", dependencies: ["AloftWire", "PluginKit", "AloftGoogle", "AloftHTTP"],
            path: "Plugins/BigQuery", swiftSettings: strict),

        .testTarget(
            name: "AloftAWSTests", dependencies: ["AloftHTTP", "AloftAWS", "AloftTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "AloftHTTPTests", dependencies: ["AloftHTTP", "AloftTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(name: "AloftWireTests", dependencies: ["AloftWire"], swiftSettings: strict),
        .testTarget(name: "AloftSystemTests", dependencies: ["AloftSystem"], swiftSettings: strict),
        .testTarget(
            name: "AloftEngineTests",
            dependencies: [
                "AloftCompiler", "AloftWire", .product(name: "Logging", package: "swift-log"), "PluginHost",
                "AloftEngine", "AloftTestSupport", "AloftAWS", "AloftHTTP",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "AloftTypingTests", dependencies: ["AloftWire", "LocatedYAML", "AloftTyping"], swiftSettings: strict),
        .testTarget(name: "LocatedYAMLTests", dependencies: ["AloftWire", "LocatedYAML"], swiftSettings: strict),
        .testTarget(
            name: "AloftCompilerTests",
            dependencies: ["AloftTyping", "AloftWire", "LocatedYAML", "AloftCompiler", "PluginHost"],
            exclude: ["Corpus"], swiftSettings: strict),
        // Runs the built `aloft` executable as a user would.
        .testTarget(
            name: "AloftCLITests", dependencies: ["PluginHost", "AloftWire", "AloftEngine", "AloftTestSupport"],
            swiftSettings: strict),
        // `aloft serve` over HTTP on 127.0.0.1: the API, tokens and tenancy, against a temporary SQLite store.
        .testTarget(
            name: "AloftServerTests",
            dependencies: ["AloftServer", "AloftEngine", "AloftWire", "AloftHTTP", "AloftAWS", "AloftTestSupport"],
            exclude: ["Browser"], swiftSettings: strict),
        // The built-in plugins, each loaded from its own library and driven by the engine against its peer.
        .testTarget(
            name: "ContainerTests",
            dependencies: ["AloftEngine", "AloftCompiler", "AloftWire", "PluginHost", "AloftTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "SagemakerTests",
            dependencies: [
                "AloftEngine", "AloftCompiler", "AloftWire", "PluginHost", "AloftAWS", "AloftHTTP", "AloftTestSupport",
            ],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "SparkTests",
            dependencies: ["AloftCompiler", "AloftWire", "PluginHost", "AloftEngine", "AloftTestSupport", "AloftHTTP"],
            swiftSettings: strict),
        // The Kubernetes backends against a FAKE API server (Tests/Peers/fake-kube-apiserver.py: no real
        // kube-apiserver runs here) and moto's S3; the client's kubeconfig and in-cluster parsing.
        .testTarget(
            name: "KubernetesTests",
            dependencies: [
                "AloftKubernetes", "AloftAWS", "AloftHTTP", "AloftWire", "AloftCompiler", "AloftEngine", "PluginHost",
                "AloftTestSupport",
            ], swiftSettings: strict),
        .testTarget(
            name: "HiveTests",
            dependencies: ["AloftWire", "AloftHive", "AloftEngine", "AloftTestSupport", "AloftHTTP"],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "BigQueryTests",
            dependencies: [
                "AloftCompiler", "AloftWire", "PluginHost", "AloftGoogle", "AloftEngine", "AloftTestSupport",
                "AloftHTTP", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(name: "PluginKitTests", dependencies: ["PluginKit", "PluginABI"], swiftSettings: strict),
        // The plugin author's kit: `aloft plugins sdk`, the C kit, and `aloft plugins new` skeletons built and run.
        .testTarget(
            name: "PluginSDKTests", dependencies: ["AloftWire", "AloftTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strict),
        // Builds the C test plugins against the header and starts hosts on them, for every test target.
        .target(
            name: "AloftTestSupport",
            dependencies: [
                "PluginHost", "AloftWire", "AloftHTTP", "AloftAWS", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/AloftTestSupport", swiftSettings: strict),
        .testTarget(
            name: "PluginConformanceTests",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), "PluginConformance", "PluginHost", "AloftWire",
                "AloftTestSupport",
            ],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "PluginHostTests",
            dependencies: [
                "LocatedYAML", .product(name: "Logging", package: "swift-log"), "PluginABI", "PluginHost", "AloftWire",
                "AloftTestSupport",
            ], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
