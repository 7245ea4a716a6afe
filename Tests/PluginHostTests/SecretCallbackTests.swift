import AloftTestSupport
import Foundation
import PluginABI
import Testing

@testable import PluginHost

/// The host's get_secret callback as a plugin calls it: policy, sources, wiping, redaction.
@Suite struct SecretCallbackTests {
    func table(
        granted: [String: Set<String>] = [:], env: [String: String] = [:], dir: String? = nil
    ) -> PluginCallbackTable {
        var stores: [any SecretStore] = [EnvironmentSecretStore(environment: env)]
        if let dir { stores.append(DirectorySecretStore(directory: URL(fileURLWithPath: dir))) }
        let services = HostServices(
            logger: Fixtures.quietLogger, secrets: ChainedSecretStore(stores),
            secretPolicy: SecretPolicy(granted: granted))
        let t = PluginCallbackTable(services: services, fileName: "x.so")
        t.pluginID = "test.plugin"
        return t
    }

    func read(_ t: PluginCallbackTable, _ name: String) -> (String?, String) {
        var value = aloft_buffer()
        var error = aloft_error()
        error.struct_size = UInt32(MemoryLayout<aloft_error>.size)
        let status = t.pointer.pointee.get_secret(t.pointer, name, &value, &error)
        if status == ALOFT_OK {
            let s = String(decoding: UnsafeBufferPointer(start: value.data, count: value.len), as: UTF8.self)
            value.release(&value)
            #expect(value.release == nil && value.data == nil)
            return (s, "")
        }
        let message = String(
            decoding: UnsafeBufferPointer(start: error.message.data, count: error.message.len), as: UTF8.self)
        error.message.release?(&error.message)
        error.code.release?(&error.code)
        return (nil, message)
    }

    @Test func grantedSecretsComeFromTheEnvironmentAndFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "file-secret-value\n".write(toFile: "\(dir)/db-password", atomically: true, encoding: .utf8)
        let t = table(
            granted: ["test.plugin": ["aws/secret-key", "db-password"]],
            env: ["ALOFT_SECRET_AWS_SECRET_KEY": "env-secret-value"], dir: dir)
        #expect(read(t, "aws/secret-key").0 == "env-secret-value")
        #expect(read(t, "db-password").0 == "file-secret-value")
    }

    @Test func deniedReadsAsNotFoundAndTaskDeclaredSecretsAreGrantedWhileRunning() {
        let t = table(env: ["ALOFT_SECRET_TOKEN": "abcd-1234"])
        let denied = read(t, "token")
        #expect(denied.0 == nil)
        #expect(denied.1 == "secret \"token\" is not available to plugin test.plugin")
        #expect(read(t, "missing").1 == denied.1.replacingOccurrences(of: "token", with: "missing"))
        t.services.secretPolicy.grant(plugin: "test.plugin", task: "t1", secrets: ["token"])
        #expect(read(t, "token").0 == "abcd-1234")
        t.services.secretPolicy.revoke(plugin: "test.plugin", task: "t1")
        #expect(read(t, "token").0 == nil)
    }

    @Test func secretsHandedOutAreRedactedFromWhatPluginsSay() {
        let t = table(granted: ["test.plugin": ["*"]], env: ["ALOFT_SECRET_KEY": "s3cr3t-value"])
        #expect(read(t, "key").0 == "s3cr3t-value")
        #expect(t.services.redactor.redact("auth failed for s3cr3t-value!") == "auth failed for [REDACTED]!")
        let capture = LogCapture()
        let services = HostServices(logger: capture.logger)
        services.redactor.remember(Array("hunter22".utf8))
        services.log(plugin: "p", level: 4, task: nil, message: "password hunter22 rejected")
        #expect(capture.messages == ["error plugin=p password [REDACTED] rejected"])
    }
}
