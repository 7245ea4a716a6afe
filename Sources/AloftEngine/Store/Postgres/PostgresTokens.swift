import FoundationEssentials

/// API tokens (TokenStore) in PostgreSQL: hashes only.
extension PostgresStore: TokenStore {
    public func createToken(_ t: TokenRecord) throws {
        try withConnection { db in
            try db.update(
                "INSERT INTO api_tokens (\(TokenColumns.list)) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    t.id, t.secretHash, TokenColumns.projects(t.projects), t.role.rawValue, PG.time(t.createdAt),
                    t.revoked ? "1" : "0",
                ])
        }
    }

    public func token(secretHash: String) throws -> TokenRecord? {
        try withConnection { db in
            try db.query("SELECT \(TokenColumns.list) FROM api_tokens WHERE secret_hash = $1", [secretHash]).first.map(
                Self.tokenRow)
        }
    }

    public func tokens() throws -> [TokenRecord] {
        try withConnection { db in
            try db.query("SELECT \(TokenColumns.list) FROM api_tokens ORDER BY created_at, id").map(Self.tokenRow)
        }
    }

    public func revokeToken(id: String) throws -> Bool {
        try withConnection { db in try db.update("UPDATE api_tokens SET revoked = 1 WHERE id = $1", [id]) > 0 }
    }

    private static func tokenRow(_ r: [String?]) -> TokenRecord {
        TokenColumns.record(
            id: r[0], hash: r[1], projects: r[2], role: r[3], created: Int64(r[4] ?? "") ?? 0, revoked: r[5] == "1")
    }
}
