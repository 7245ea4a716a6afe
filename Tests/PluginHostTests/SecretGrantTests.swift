import AloftTestSupport
import AloftWire
import Foundation
import Testing

@testable import PluginHost

/// Issue 18: the secrets a task declares are granted to its plugin per task execution id, on the task's first
/// call in this host (a submit, or the poll of a task re-attached after a restart), and revoked once, when
/// it is finalized. In-process and in runner processes alike.
@Suite(.timeLimit(.minutes(5))) struct SecretGrantTests {
    func host(isolated: Bool) async throws -> (PluginHost, String) {
        let dir = try Fixtures.directory([:])
        try FileManager.default.copyItem(atPath: IsolationTests.misbehaving, toPath: dir + "/libmisbehaving.so")
        let host = await Fixtures.host(
            directory: dir,
            configure: {
                if isolated { $0.isolation["*"] = IsolationSettings(mode: .process) }
            }, environment: ["ALOFT_SECRET_TOKEN": "s3cr3t-value"])
        return (host, dir)
    }

    /// A task that reads the secret "token" in each poll and declares it; `state` set: submitted by an earlier host.
    func task(_ name: String, state: [UInt8] = []) -> TaskInvocation {
        var t = EchoTask.make(
            inputs: [:], outputs: ["x": .integer], config: ["do": .string("secret_poll")],
            execution: "secrets-\(name)-\(UUID().uuidString.prefix(8))", type: "misbehave", secrets: ["token"])
        t.state = state
        return t
    }

    @Test(arguments: [false, true])
    func aReattachedTaskReadsItsDeclaredSecret(isolated: Bool) async throws {
        let (host, dir) = try await host(isolated: isolated)
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let plugin = try host.plugin(forTaskType: "misbehave").get()
        // Submitted by a host that died: this host's first call of the task is a poll.
        let reattached = task("reattached", state: Array("0".utf8))
        let outcome = try await plugin.poll(reattached)
        #expect(outcome.phase == .succeeded, "\(outcome.error?.message ?? "")")
        try await plugin.finalize(reattached)
    }

    @Test(arguments: [false, true])
    func finalizingOneTaskLeavesTheSecretToAnotherInFlight(isolated: Bool) async throws {
        let (host, dir) = try await host(isolated: isolated)
        defer {
            host.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let plugin = try host.plugin(forTaskType: "misbehave").get()
        var running = task("running")
        running.state = try await plugin.submit(running)
        // Two other tasks with the same secret end meanwhile, one re-attached and one submitted here: neither
        // takes the secret from `running`.
        let reattached = task("reattached", state: Array("0".utf8))
        _ = try await plugin.poll(reattached)
        try await plugin.finalize(reattached)
        var other = task("other")
        other.state = try await plugin.submit(other)
        _ = try await plugin.poll(other)
        try await plugin.finalize(other)
        let outcome = try await plugin.poll(running)
        #expect(outcome.phase == .succeeded, "\(outcome.error?.message ?? "")")
        try await plugin.finalize(running)
        // Once every task that declared it was finalized, the secret is no longer the plugin's.
        #expect(!host.services.secretPolicy.allows(plugin: plugin.id, secret: "token"))
    }
}
