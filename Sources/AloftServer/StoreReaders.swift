public import AloftEngine
import Synchronization

/// Connections for the API's reads. A store is one database connection behind one lock, so with a single
/// store every request's token lookup waited behind another request's page query (the list page's p99 under
/// four connections was that queue, not work). Reads take the next of these stores in turn; each is its own
/// connection (SQLite in WAL mode lets readers run beside each other and beside the engine's writer).
/// Writes, and reads that must see a write of the same request, stay on the server's main store.
public final class StoreReaders: Sendable {
    private let stores: [any MetadataStore]
    private let turn = Atomic<Int>(0)

    /// `stores` empty: every read goes to `fallback` (the main store).
    public init(_ stores: [any MetadataStore], fallback: any MetadataStore) {
        self.stores = stores.isEmpty ? [fallback] : stores
    }

    /// The store for the next read.
    public func next() -> any MetadataStore {
        stores[turn.wrappingAdd(1, ordering: .relaxed).oldValue % stores.count]
    }
}
