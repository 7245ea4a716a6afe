import AloftCommandLine

/// A Swift plugin project on PluginKit, which it takes from the aloft source tree by path: `swift build`.
struct SwiftSkeleton {
    let names: Names
    let sourceRoot: String

    init(names: Names, layout: SDKLayout) throws(CLIError) {
        guard let root = layout.sourceRoot else {
            throw CLIError(
                "a Swift plugin depends on PluginKit from the aloft source tree, and this aloft is not running from one"
            )
        }
        self.names = names
        self.sourceRoot = root
    }

    var files: [String: String] {
        [
            "Package.swift": manifest,
            "Sources/\(names.camel)/\(names.camel)Plugin.swift": source,
            "workflow.yaml": skeletonWorkflow(names),
            ".gitignore": ".build/\n",
            "README.md": skeletonReadme(
                names, language: "Swift", build: "swift build", library: ".build/debug/lib\(names.camel).so",
                extra: """

                    Build it with the same Swift toolchain as the `aloft` it runs in (Swift has no stable ABI on Linux), or
                    link the runtime in with `swift build -c release -Xswiftc -static-stdlib`.

                    """),
        ]
    }

    var manifest: String {
        """
        // swift-tools-version: 6.1
        import PackageDescription

        // \(names.name): an Aloft task plugin, a dynamic library built on PluginKit from the aloft sources.
        let package = Package(
            name: "\(names.name)",
            products: [.library(name: "\(names.camel)", type: .dynamic, targets: ["\(names.camel)"])],
            dependencies: [.package(name: "aloft", path: "\(sourceRoot)")],
            targets: [
                .target(
                    name: "\(names.camel)", dependencies: [.product(name: "PluginKit", package: "aloft")],
                    swiftSettings: [.swiftLanguageMode(.v6)])
            ]
        )

        """
    }

    var source: String {
        """
        import PluginKit

        /// \(names.name): an Aloft task plugin (made by `aloft plugins new`). Task type "\(names.name)": every output the
        /// task declares is the input of the same name. Replace submit and poll with your backend: submit starts the
        /// work and returns a state (a job name, an id) from which poll, perhaps in a restarted host, can observe it.
        public final class \(names.camel)Plugin: Plugin {
            public static let info = PluginInfo(
                id: "\(names.pluginID)", version: "0.1.0", description: "\(names.name): outputs are the inputs of the same name",
                taskTypes: ["\(names.name)"])

            private let host: HostServices

            /// `config`: the plugin's section of aloft.yaml. Validate it and say what is wrong.
            public init(config: JSON, host: HostServices) throws(PluginError) {
                guard config.objectValue != nil else { throw .user("the plugin config must be an object", code: "BadConfig") }
                self.host = host
            }

            /// Starts the task. Idempotent: the same executionID may come again after a host crash.
            public func submit(_ task: TaskCall) throws(PluginError) -> [UInt8] {
                Array(task.executionID.utf8)  // a real backend starts a job of this name here
            }

            /// Reports the task's phase without blocking; on success, the outputs.
            public func poll(_ task: TaskCall) throws(PluginError) -> PollResult {
                let context = try task.context()
                var outputs: LiteralMap = [:]
                for name in context.task.interface.outputs.keys {
                    guard let value = context.inputs[name] else {
                        return .failed(.user("output \\"\\(name)\\" has no input of the same name", code: "NoSuchInput"))
                    }
                    outputs[name] = value
                }
                return .succeeded(outputs)
            }

            /// Stops the task; succeeds when it is already gone.
            public func abort(_ task: TaskCall) throws(PluginError) {}
        }

        @_cdecl("aloft_plugin_entry")
        public func aloftPluginEntry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
            PluginExport.entry(\(names.camel)Plugin.self, host: host)
        }

        """
    }
}
