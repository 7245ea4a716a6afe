import Dispatch

/// Writes the per-attempt copies of node inputs and outputs (`inputs.json`, `outputs.json`) off the
/// scheduling path, in order, on one background queue; the execution drains it before it is marked finished.
/// The copies are for people and tools browsing the blob store: the metadata store, committed first, is the
/// source of truth, so a copy lost in a crash loses nothing. Written inline they cost a third of a chained
/// node's time (mkdir, write, rename on the local store; a round trip on S3).
final class BlobCopyWriter: Sendable {
    private let blobs: any BlobStore
    private let queue = DispatchQueue(label: "aloft.blob-copies", qos: .utility)

    init(blobs: any BlobStore) { self.blobs = blobs }

    func put(_ bytes: [UInt8], at uri: String) {
        let blobs = self.blobs
        queue.async { try? blobs.put(bytes, at: uri) }
    }

    /// Returns when every copy asked for so far is written.
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in queue.async { done.resume() } }
    }
}
