import Dispatch
import Testing

@testable import PluginHost

/// Issue 18: a deadline scheduled while the watchdog thread has computed its wait but not yet started to
/// sleep must still wake it (it used to sleep on, firing budgets up to its longest sleep late).
@Suite(.timeLimit(.minutes(5))) struct WatchdogTests {
    @Test func aDeadlineScheduledJustBeforeTheThreadSleepsFiresOnTime() throws {
        // The test's watchdog sleeps up to an hour when idle, so a missed wake-up is a hang, caught by the
        // generous bound below, not a lateness to measure.
        let arrived = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let watchdog = Watchdog(maxWait: .seconds(3600)) { wait in
            // Hold the thread between computing an idle wait and sleeping.
            if wait > .seconds(60) {
                arrived.signal()
                go.wait()
            }
        }
        for round in 0..<50 {
            try #require(
                arrived.wait(timeout: .now() + 10) == .success, "round \(round): the thread never came to sleep")
            let fired = DispatchSemaphore(value: 0)
            _ = watchdog.schedule(at: .now + .milliseconds(round % 3)) { fired.signal() }
            go.signal()
            try #require(fired.wait(timeout: .now() + 10) == .success, "round \(round): the deadline did not fire")
        }
    }
}
