import AloftSystem
import Foundation
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(5))) struct HostThreadTests {
    /// The body runs on a thread of its own, named as asked (the first 15 bytes, what ps shows).
    @Test func aStartedThreadRunsItsBodyUnderItsName() async {
        let name = Mutex<String?>(nil)
        let done = ConditionLock()
        let finished = Atomic<Bool>(false)
        #expect(
            HostThread.start(name: "aloft-test-thread-name", stackSize: 1 << 20) {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                name.withLock { $0 = comm.trimmingWhitespace() }
                done.lock()
                finished.store(true, ordering: .releasing)
                done.signal()
                done.unlock()
            })
        done.lock()
        while !finished.load(ordering: .acquiring) { done.wait() }
        done.unlock()
        #expect(name.withLock { $0 } == "aloft-test-thre")
    }

    /// A timed wait nobody signals returns false, after at least its timeout; a signal wakes a waiter.
    @Test func timedWaitsEndBySignalOrTimeout() {
        let condition = ConditionLock()
        condition.lock()
        let start = ContinuousClock.now
        var timedOut = false
        while !timedOut { timedOut = !condition.wait(timeout: .milliseconds(30)) }  // a spurious wake-up is true
        #expect(ContinuousClock.now - start >= .milliseconds(29))
        condition.unlock()

        let flag = Atomic<Bool>(false)
        HostThread.start(name: "signaller") {
            condition.lock()
            flag.store(true, ordering: .releasing)
            condition.signal()
            condition.unlock()
        }
        condition.lock()
        var signalled = flag.load(ordering: .acquiring)
        // Bounded by the suite's time limit, not by this wait: a lost signal would loop until it.
        while !signalled {
            _ = condition.wait(timeout: .seconds(1))
            signalled = flag.load(ordering: .acquiring)
        }
        condition.unlock()
        #expect(signalled)
    }
}
