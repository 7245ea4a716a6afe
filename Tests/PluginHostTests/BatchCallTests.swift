import AloftTestSupport
import Dispatch
import Foundation
import Testing

@testable import PluginHost

/// A batch of calls as one pool job (issue 18: a map's synchronous items): the hooks and the calls in order on
/// one pool thread; each call bounded by its own budget (an overrun ends the batch there, the items after it
/// never called); a cancellation between calls stops before the next one, after the epilogue.
@Suite(.timeLimit(.minutes(5))) struct BatchCallTests {
    private static func onPoolThread() -> Bool {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .whitespacesAndNewlines) == PluginThreadPool.osThreadName("batch")
    }

    @Test func theCallsAndTheirHooksRunInOrderOnOnePoolThread() async {
        let pool = PluginThreadPool(name: "batch", width: 2)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let end = await pool.runAbandonableBatch(
            count: 3, budget: .seconds(30), cancellable: true,
            prelude: {
                ran.append(Self.onPoolThread() ? "prelude" : "prelude elsewhere")
                return true
            },
            onReturn: { (k: Int, value: Int) in
                ran.append(Self.onPoolThread() ? "returned \(k)=\(value)" : "elsewhere")
                return true
            },
            epilogue: { ran.append(Self.onPoolThread() ? "epilogue" : "epilogue elsewhere") }
        ) { k in
            ran.append("call \(k)")
            return k * 10
        }
        #expect(end.returned == [0, 10, 20] && end.abandoned == nil && !end.refused)
        #expect(
            ran.entries == [
                "prelude", "call 0", "returned 0=0", "call 1", "returned 1=10", "call 2", "returned 2=20", "epilogue",
            ])
    }

    /// A chain's next call exists only once the one before returned: an onReturn that says so ends the batch
    /// there, with the epilogue, short of `count`.
    @Test func anOnReturnThatSaysStopEndsTheBatchBeforeTheNextCall() async {
        let pool = PluginThreadPool(name: "batch", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let end = await pool.runAbandonableBatch(
            count: .max, budget: .seconds(30), cancellable: true,
            onReturn: { (k: Int, _: Int) in k < 2 },
            epilogue: { ran.append("epilogue") }
        ) { k in
            ran.append("call \(k)")
            return k
        }
        #expect(end.returned == [0, 1, 2] && end.abandoned == nil && !end.refused)
        #expect(ran.entries == ["call 0", "call 1", "call 2", "epilogue"])
    }

    @Test func aRefusingPreludeMakesNoCall() async {
        let pool = PluginThreadPool(name: "batch", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let end = await pool.runAbandonableBatch(
            count: 2, budget: .seconds(30), cancellable: true, prelude: { false },
            epilogue: { ran.append("epilogue") }
        ) { k in
            ran.append("call \(k)")
            return k
        }
        #expect(end.refused && end.returned.isEmpty && end.abandoned == nil)
        #expect(ran.entries.isEmpty)
    }

    /// Item 1 runs past its budget (it returns only once it was abandoned): the caller hears at its deadline
    /// with item 0's value; item 2 is never called, no epilogue runs, and item 1's late value is seen by nobody.
    @Test func anOverrunEndsTheBatchAtThatItem() async {
        let pool = PluginThreadPool(name: "batch", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let (abandoned, lateReturn) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let end = await pool.runAbandonableBatch(
            count: 3, budget: .milliseconds(200), cancellable: true,
            onAbandon: { k, _ in
                ran.append("abandoned \(k)")
                abandoned.signal()
            },
            onLateReturn: { k, _ in
                ran.append("late \(k)")
                lateReturn.signal()
            },
            onReturn: { k, _ in
                ran.append("returned \(k)")
                return true
            },
            epilogue: { ran.append("epilogue") }
        ) { k in
            if k == 1 { _ = abandoned.wait(timeout: .now() + 60) }
            return k
        }
        #expect(end.returned == [0])
        guard case .overran? = end.abandoned else {
            Issue.record("not abandoned as an overrun: \(String(describing: end.abandoned))")
            return
        }
        await Self.wait(for: lateReturn)
        #expect(ran.entries == ["returned 0", "abandoned 1", "late 1"])
    }

    /// Cancelled while item 0's call runs (the call ignores it and waits until the test has cancelled): the
    /// caller hears that item 0 was abandoned; nothing after it is called, even once item 0 returns.
    @Test func aCancelledBatchAbandonsTheRunningCallAndCallsNoMore() async {
        let pool = PluginThreadPool(name: "batch", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let (started, cancelled, lateReturn) = (
            DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)
        )
        let batch = Task {
            await pool.runAbandonableBatch(
                count: 3, budget: .seconds(60), cancellable: true,
                onLateReturn: { k, _ in
                    ran.append("late \(k)")
                    lateReturn.signal()
                }
            ) { k in
                ran.append("call \(k)")
                if k == 0 {
                    started.signal()
                    _ = cancelled.wait(timeout: .now() + 60)
                }
                return k
            }
        }
        await Self.wait(for: started)
        batch.cancel()
        let end = await batch.value
        cancelled.signal()
        #expect(end.returned.isEmpty)
        guard case .cancelled? = end.abandoned else {
            Issue.record("not abandoned as cancelled: \(String(describing: end.abandoned))")
            return
        }
        // Item 0 returns late and its thread leaves the batch: item 1 is never called.
        await Self.wait(for: lateReturn)
        #expect(ran.entries == ["call 0", "late 0"])
    }

    /// Waits for a pool thread's signal without blocking Swift's task pool.
    private static func wait(for signal: DispatchSemaphore) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                _ = signal.wait(timeout: .now() + 120)
                c.resume()
            }
        }
    }

    /// Cancelled between calls (while item 0's onReturn runs): the batch stops before item 1, runs its
    /// epilogue, and ends with item 0's value.
    @Test func aBatchCancelledBetweenCallsStopsBeforeTheNext() async {
        let pool = PluginThreadPool(name: "batch", width: 1)
        defer { pool.shutdown() }
        let ran = LockedLog()
        let (inOnReturn, cancelled) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let batch = Task {
            await pool.runAbandonableBatch(
                count: 3, budget: .seconds(30), cancellable: true,
                onReturn: { k, _ in
                    ran.append("returned \(k)")
                    inOnReturn.signal()
                    _ = cancelled.wait(timeout: .now() + 60)
                    return true
                },
                epilogue: { ran.append("epilogue") }
            ) { k in
                ran.append("call \(k)")
                return k
            }
        }
        await Self.wait(for: inOnReturn)
        batch.cancel()
        cancelled.signal()
        let end = await batch.value
        #expect(end.returned == [0] && end.abandoned == nil && !end.refused)
        #expect(ran.entries == ["call 0", "returned 0", "epilogue"])
    }
}
