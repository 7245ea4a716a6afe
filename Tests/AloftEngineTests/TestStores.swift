import AloftEngine
import AloftTestSupport
import Foundation
import Testing

/// The metadata stores the store tests run against: SQLite always, PostgreSQL when its server could start
/// (PostgresPeer; with `CI=true` a missing server fails the Postgres cases instead of dropping them).
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var all: [StoreKind] { PostgresPeer.available ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }

    /// A new empty store; `open()` on the result opens the same store again (another process would).
    func location(_ label: String = "store") throws -> StoreLocation {
        switch self {
        case .sqlite:
            return StoreLocation(kind: self, url: NSTemporaryDirectory() + "aloft-\(label)-\(UUID())/metadata.sqlite")
        case .postgres:
            let peer = try PostgresPeer.require()
            return StoreLocation(kind: self, url: try peer.createDatabase(), password: peer.password)
        }
    }

    /// A new empty store, opened.
    func store(_ label: String = "store") throws -> any MetadataStore { try location(label).open() }
}

/// Where one test's store lives: a SQLite path or a PostgreSQL URL (and its password).
struct StoreLocation: Sendable {
    let kind: StoreKind
    let url: String
    var password: String? = nil

    func open() throws -> any MetadataStore { try openMetadataStore(url, password: password) }
}
