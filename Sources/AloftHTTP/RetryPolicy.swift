/// When and how long to wait before sending a request again: exponential backoff with full jitter, on
/// 429 and 5xx answers and on transient transport errors. A `Retry-After` in seconds is honoured (capped).
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelayMilliseconds: Int
    public var maxDelayMilliseconds: Int

    public init(maxAttempts: Int = 4, baseDelayMilliseconds: Int = 200, maxDelayMilliseconds: Int = 5_000) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.maxDelayMilliseconds = maxDelayMilliseconds
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    public static func shouldRetry(status: Int) -> Bool {
        status == 429 || (500...599).contains(status) && status != 501
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func delayMilliseconds(after attempt: Int, retryAfter: String?) -> Int {
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: " ")), seconds >= 0 {
            return min(seconds * 1000, maxDelayMilliseconds)
        }
        let ceiling = min(maxDelayMilliseconds, baseDelayMilliseconds << min(attempt - 1, 16))
        return Int.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
