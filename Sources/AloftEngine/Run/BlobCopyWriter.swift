import Dispatch
import Synchronization

/// Writes the per-attempt copies of node inputs and outputs (`inputs.json`, `outputs.json`) off the
/// scheduling path, in order, on one background queue; the execution drains it before it is marked finished.
/// Only values larger than `inlineLimit` get a copy: a small one lives in the node's metadata row only
/// (EngineOptions.inlineValueLimit), so a chain or map of small values writes no file per node.
/// The copies are for people and tools browsing the blob store: the metadata store, committed first, is the
/// source of truth, so a copy lost in a crash loses nothing. Written inline they cost a third of a chained
/// node's time (mkdir, write, rename on the local store; a round trip on S3).
///
/// At most `limit` copies wait at once: past that, `put` suspends the node until the store catches up, so a
/// 100,000-item map on a slow disk holds a bounded backlog instead of every copy in memory.
final class BlobCopyWriter: Sendable {
    private let blobs: any BlobStore
    private let queue = DispatchQueue(label: "aloft.blob-copies", qos: .utility)
    private let limit: Int
    private let inlineLimit: Int
    private let state = Mutex(State())

    private struct State {
        var pending = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    init(blobs: any BlobStore, limit: Int = 256, inlineLimit: Int = 0) {
        self.blobs = blobs
        self.limit = max(1, limit)
        self.inlineLimit = inlineLimit
    }

    func put(_ bytes: [UInt8], at uri: String) async {
        guard bytes.count > inlineLimit else { return }
        let admitted = state.withLock { s -> Bool in
            guard s.pending < limit else { return false }
            s.pending += 1
            return true
        }
        if !admitted {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                // Re-checked under the lock: a slot may have freed meanwhile (then it is taken here).
                let now = state.withLock { s -> Bool in
                    if s.pending < limit {
                        s.pending += 1
                        return true
                    }
                    s.waiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
        }
        let blobs = self.blobs
        queue.async { [self] in
            try? blobs.put(bytes, at: uri)
            written()
        }
    }

    /// A copy is written: its slot passes to the oldest waiter, or is freed.
    private func written() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.head < s.waiters.count else {
                s.pending -= 1
                return nil
            }
            let c = s.waiters[s.head]
            s.head += 1
            if s.head == s.waiters.count {
                s.waiters.removeAll(keepingCapacity: true)
                s.head = 0
            }
            return c
        }
        next?.resume()
    }

    /// Returns when every copy asked for so far is written.
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in queue.async { done.resume() } }
    }
}
