import AloftTestSupport
import AloftWire
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import PluginHost

/// The caller's own work around a pool call (issue 18: the engine commits a synchronous node's intent and end
/// on the plugin's thread): `prelude` before the call and `onReturn` after it, both on the pool's thread,
/// outside the budget; neither runs for what they must not see.
@Suite(.timeLimit(.minutes(5))) struct CallHooksTests {
    /// The pool's threads name themselves (ps, top): `ap-` and the pool's name.
    private static func onPoolThread() -> Bool {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .whitespacesAndNewlines) == PluginThreadPool.osThreadName("hooks")
    }

    @Test func aValueFromThePreludeEndsTheCallWithoutTheBody() async throws {
        let pool = PluginThreadPool(name: "hooks", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let value = try await pool.runAbandonable(
            lane: "t", budget: .seconds(30), cancellable: true,
            prelude: {
                ran.append(Self.onPoolThread() ? "prelude on the pool" : "prelude elsewhere")
                return -1
            },
            onReturn: { _ in ran.append("onReturn") }
        ) {
            ran.append("body")
            return 1
        }
        #expect(value == -1)
        #expect(ran.entries == ["prelude on the pool"])
    }

    @Test func theHooksRunInOrderOnThePoolBeforeTheCallerResumes() async throws {
        let pool = PluginThreadPool(name: "hooks", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let value = try await pool.runAbandonable(
            lane: "t", budget: .seconds(30), cancellable: true,
            prelude: { () -> Int? in
                ran.append(Self.onPoolThread() ? "prelude on the pool" : "prelude elsewhere")
                return nil
            },
            onReturn: { ran.append(Self.onPoolThread() ? "onReturn \($0) on the pool" : "onReturn elsewhere") }
        ) {
            ran.append("body")
            return 7
        }
        #expect(value == 7)
        #expect(ran.entries == ["prelude on the pool", "body", "onReturn 7 on the pool"])
    }

    /// A call past its budget is abandoned: when it returns after all, onReturn does not see its value.
    @Test func onReturnDoesNotRunForAnAbandonedCall() async throws {
        let pool = PluginThreadPool(name: "hooks", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let returned = DispatchSemaphore(value: 0)
        let abandoned = DispatchSemaphore(value: 0)
        await #expect(throws: CallAbandoned.self) {
            try await pool.runAbandonable(
                lane: "t", budget: .milliseconds(50), cancellable: true,
                onAbandon: { abandoned.signal() },
                onLateReturn: { _, _ in returned.signal() },
                onReturn: { _ in ran.append("onReturn") }
            ) {
                // Returns only once abandoned, however late the watchdog runs on a loaded machine.
                _ = abandoned.wait(timeout: .now() + 60)
                return 1
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                _ = returned.wait(timeout: .now() + 60)
                c.resume()
            }
        }
        #expect(ran.entries.isEmpty)
    }

    /// The engine's way to commit an intent before submit and an attempt's end before finalize: on the C
    /// echo's own thread, first; a `before` that says no means no call.
    @Test func anInProcessSubmitAndFinalizeRunTheirBeforeFirstOnThePluginsThread() async throws {
        let host = await Fixtures.host(directory: try Fixtures.directory(["c-echo": "libc_echo.so"]))
        defer { host.shutdown() }
        let echo = try #require(try host.plugin(forTaskType: "echo").get() as? LoadedPlugin)
        let thread = PluginThreadPool.osThreadName(echo.pool.name)
        @Sendable func onEchoThread() -> Bool {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == thread
        }
        var task = EchoTask.make(inputs: ["x": .integer(1)], node: "hooked")
        let ran = LockedLog()
        let refused = try await echo.submit(task) {
            ran.append("refused")
            return false
        }
        #expect(refused == nil)
        task.state = try #require(
            try await echo.submit(task) {
                ran.append(onEchoThread() ? "submit on the plugin's thread" : "submit elsewhere")
                return true
            })
        let finalized = try await echo.finalize(task) {
            ran.append(onEchoThread() ? "finalize on the plugin's thread" : "finalize elsewhere")
            return true
        }
        #expect(finalized == true)
        #expect(ran.entries == ["refused", "submit on the plugin's thread", "finalize on the plugin's thread"])
    }
}
