import AloftTyping
public import FoundationEssentials

/// What an API token may do within its projects: read (viewer), also launch, abort and relaunch (launcher),
/// also register entities and create projects' tokens (admin; with all projects, also create projects).
public enum TokenRole: String, Sendable, CaseIterable, Comparable {
    case viewer, launcher, admin

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: TokenRole, b: TokenRole) -> Bool { a.rank < b.rank }
}

/// An API token as stored: never its secret, only the secret's SHA-256.
public struct TokenRecord: Sendable, Equatable {
    /// Public and stable: how the token is named in lists and logs (`tok-...`).
    public var id: String
    public var secretHash: String
    public var projects: [String]
    public var role: TokenRole
    public var createdAt: Date
    public var revoked: Bool

    /// A platform operator's token (`aloft tokens create --all-projects`): it covers every project, those
    /// created after it too, and an admin one may create projects. Stored as the one project `*`, which no
    /// project id can be.
    public var coversAllProjects: Bool { projects == [APITokens.allProjects] }

    public init(
        id: String, secretHash: String, projects: [String], role: TokenRole, createdAt: Date = Date(),
        revoked: Bool = false
    ) {
        self.id = id
        self.secretHash = secretHash
        self.projects = projects
        self.role = role
        self.createdAt = createdAt
        self.revoked = revoked
    }
}

/// API tokens (`aloft tokens create`, `aloft serve`'s bearer auth).
public protocol TokenStore: Sendable {
    func createToken(_ token: TokenRecord) throws
    /// The token whose secret hashes to `secretHash`, revoked or not.
    func token(secretHash: String) throws -> TokenRecord?
    func tokens() throws -> [TokenRecord]
    /// False when there is no token `id`.
    func revokeToken(id: String) throws -> Bool
}

/// Making and checking token secrets. A secret is 32 random bytes, hex, after `aloft_`: shown once, stored
/// only as its SHA-256 (a token's secret is random, so no salt or slow hash is needed to protect it).
public enum APITokens {
    public static let prefix = "aloft_"
    /// The projects of a token that covers all of them.
    public static let allProjects = "*"

    /// A new token: its record (to store) and its secret (to show once).
    public static func make(projects: [String], role: TokenRole) -> (TokenRecord, secret: String) {
        var rng = SystemRandomNumberGenerator()
        let secret = prefix + hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let id = "tok-" + hex((0..<6).map { _ in UInt8.random(in: 0...255, using: &rng) })
        return (TokenRecord(id: id, secretHash: hash(secret), projects: projects, role: role), secret)
    }

    public static func hash(_ secret: String) -> String { CanonicalHash.sha256(Array(secret.utf8)) }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
