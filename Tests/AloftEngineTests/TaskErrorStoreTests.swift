import AloftWire
import Foundation
import PluginHost
import Testing

@testable import AloftEngine

/// A node's last error goes into the store with its code as the same string as before codes were typed,
/// and comes back as the same code: the host's as the host's, a plugin's unchanged.
@Suite struct TaskErrorStoreTests {
    @Test func codesAreStoredAsTheirStringsAndReadBack() throws {
        for code in [TaskError.Code.plugin("Throttled"), .plugin("ExitCode3"), .timeout, .pluginCallOverran] {
            var state = NodeState(budget: RetryBudget(user: 0, system: 0))
            _ = try state.apply(.start)
            _ = try state.apply(.attemptFailed(TaskError(kind: .system, retryable: false, code: code, message: "m")))
            let text = state.jsonText
            #expect(text.contains("\"code\":\"\(code.rawValue)\""), "\(text)")
            let back = try JSONDecoder().decode(NodeState.self, from: Data(text.utf8))
            #expect(back.lastError?.code == code)
            #expect(back.lastError?.code.host == code.host)
            let viaEncoder = try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? NSDictionary
            #expect((viaEncoder?["lastError"] as? NSDictionary)?["code"] as? String == code.rawValue)
        }
    }
}
