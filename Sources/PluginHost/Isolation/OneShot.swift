import Synchronization

/// A value set once, by whichever of several parties comes first, and awaited by one waiter.
final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<Value, Never>?, value: Value?)>((nil, nil))

    init() {}

    var isSet: Bool { state.withLock { $0.value != nil } }

    /// Sets the value unless it was set; false when it was.
    @discardableResult
    func resolve(_ value: Value) -> Bool {
        let waiter = state.withLock { s -> CheckedContinuation<Value, Never>?? in
            guard s.value == nil else { return nil }
            s.value = value
            defer { s.waiter = nil }
            return .some(s.waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: value)
        return true
    }

    func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Value? in
                if let value = s.value { return value }
                s.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
