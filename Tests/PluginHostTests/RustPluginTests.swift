import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// examples/plugins/rust-echo: a plugin written in Rust against the header alone (a `cdylib`, no crates),
/// built with cargo and driven like the C and Swift ones.
@Suite(.timeLimit(.minutes(5))) struct RustPluginTests {
    static func cargo() -> String? {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/cargo" }
            + [NSHomeDirectory() + "/.cargo/bin/cargo", "/root/.cargo/bin/cargo", "/usr/bin/cargo"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let library: String? = {
        guard let cargo = cargo() else { return nil }
        let crate = Fixtures.repoRoot.path + "/examples/plugins/rust-echo"
        guard let target = try? TemporaryDirectory.make("rust-target") else { return nil }
        let status = try? Fixtures.run([
            cargo, "build", "--release", "--offline", "--quiet", "--manifest-path", crate + "/Cargo.toml",
            "--target-dir", target,
        ])
        return status == 0 ? target + "/release/libaloft_rust_echo.so" : nil
    }()

    @Test func loadsAndEchoesThroughTheHost() async throws {
        let lib = try #require(
            Self.library, "cargo (Rust) is needed to build examples/plugins/rust-echo; install it with rustup")
        let dir = try Fixtures.directory([:])
        try FileManager.default.copyItem(atPath: lib, toPath: dir + "/libaloft_rust_echo.so")
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        let plugin = try host.plugin(forTaskType: "rust-echo").get()
        #expect(plugin.descriptor.id == "example.rust-echo")
        #expect(plugin.descriptor.abi == "1.1")
        let outputs = try await TaskDriver.runToCompletion(
            plugin,
            EchoTask.make(
                inputs: ["x": .integer(5), "s": .string("rust")], config: ["delay_ms": .integer(20)], type: "rust-echo")
        )
        #expect(outputs == ["x": .integer(5), "s": .string("rust")])
        // No declared outputs: success with {}.
        let none = try await TaskDriver.runToCompletion(
            plugin, EchoTask.make(inputs: ["x": .integer(1)], outputs: [:], type: "rust-echo"))
        #expect(none.isEmpty)
    }

    @Test func servesItsSyncTypeInOneCall() async throws {
        let lib = try #require(
            Self.library, "cargo (Rust) is needed to build examples/plugins/rust-echo; install it with rustup")
        let dir = try Fixtures.directory([:])
        try FileManager.default.copyItem(atPath: lib, toPath: dir + "/libaloft_rust_echo.so")
        let host = await Fixtures.host(directory: dir)
        defer { host.shutdown() }
        let plugin = try host.plugin(forTaskType: "rust-echo-sync").get()
        #expect(plugin.descriptor.syncTaskTypes == ["rust-echo-sync"])
        let outputs = try await plugin.runSync(
            EchoTask.make(inputs: ["x": .integer(5), "s": .string("rust")], type: "rust-echo-sync"))
        #expect(outputs == ["x": .integer(5), "s": .string("rust")])
        let missing = EchoTask.make(
            inputs: ["x": .integer(1)], outputs: ["y": .integer], type: "rust-echo-sync")
        await #expect(throws: TaskError.self) { try await plugin.runSync(missing) }
    }
}
