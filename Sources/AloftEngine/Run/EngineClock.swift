/// Where the engine reads the time for the deadlines it keeps itself (a task's timeout): the system's
/// monotonic clock, or in tests one they move forward, so a ten-minute timeout takes no ten minutes.
public protocol EngineClock: Sendable {
    /// Time since an arbitrary, fixed origin; never goes back.
    var now: Duration { get }
}

/// The monotonic clock of this machine.
public struct SystemEngineClock: EngineClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }
}
