import AloftWire
import FoundationEssentials

/// API tokens (TokenStore) in SQLite: hashes only.
extension SQLiteMetadataStore: TokenStore {
    public func createToken(_ t: TokenRecord) throws {
        try withDatabase { db in
            try db.prepare(
                "INSERT INTO api_tokens (id, secret_hash, projects, role, created_at, revoked) VALUES (?, ?, ?, ?, ?, ?)"
            ).run([
                .text(t.id), .text(t.secretHash), .text(TokenColumns.projects(t.projects)), .text(t.role.rawValue),
                .integer(millis(t.createdAt)), .integer(t.revoked ? 1 : 0),
            ])
        }
    }

    public func token(secretHash: String) throws -> TokenRecord? {
        try withDatabase { db in
            try db.prepare("SELECT \(TokenColumns.list) FROM api_tokens WHERE secret_hash = ?").query(
                [.text(secretHash)], Self.tokenRow
            ).first
        }
    }

    public func tokens() throws -> [TokenRecord] {
        try withDatabase { db in
            try db.prepare("SELECT \(TokenColumns.list) FROM api_tokens ORDER BY created_at, id").query(
                [], Self.tokenRow)
        }
    }

    public func revokeToken(id: String) throws -> Bool {
        try withDatabase { db in
            try db.prepare("UPDATE api_tokens SET revoked = 1 WHERE id = ?").run([.text(id)])
            return db.changes > 0
        }
    }

    private static func tokenRow(_ r: SQLiteDatabase.Row) -> TokenRecord {
        TokenColumns.record(
            id: r.text(0), hash: r.text(1), projects: r.text(2), role: r.text(3), created: r.integer(4),
            revoked: r.integer(5) != 0)
    }
}

/// What both stores share about the api_tokens table's columns.
enum TokenColumns {
    static let list = "id, secret_hash, projects, role, created_at, revoked"

    static func projects(_ projects: [String]) -> String { JSONWriter.string(.array(projects.map(JSON.string))) }

    /// An unreadable role reads as the least one (viewer), never as more.
    static func record(
        id: String?, hash: String?, projects: String?, role: String?, created: Int64, revoked: Bool
    ) -> TokenRecord {
        TokenRecord(
            id: id ?? "", secretHash: hash ?? "",
            projects: (projects.flatMap { try? JSONParser.parse($0) }?.arrayValue ?? []).compactMap(\.stringValue),
            role: role.flatMap(TokenRole.init(rawValue:)) ?? .viewer,
            createdAt: Date(timeIntervalSince1970: Double(created) / 1000), revoked: revoked)
    }
}
