import Synchronization

/// The next items of a map for whichever of its runners asks first.
final class ItemCursor: Sendable {
    private let taken = Atomic<Int>(0)
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next up to `size` items (a run of indices), or nil when every item is taken.
    func next(upTo size: Int) -> Range<Int>? {
        let start = taken.add(size, ordering: .relaxed).oldValue
        return start < count ? start..<min(start + size, count) : nil
    }
}
