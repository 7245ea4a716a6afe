/// One call sent to a runner and not yet answered. Whichever comes first ends it: the reply, the runner's
/// end, the budget, or (for calls that allow it) the waiting task's cancellation.
final class PendingCall: Sendable {
    enum End: Sendable {
        case reply(RunnerReply)
        case died(RunnerEnd)
        case overran
        case cancelled
    }

    let call: RunnerCall
    let lane: String?
    let end = OneShot<End>()

    init(call: RunnerCall, lane: String?) {
        self.call = call
        self.lane = lane
    }
}
