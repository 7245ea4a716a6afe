import AloftEngine

extension ServerState {
    /// The project/domain pairs a token sees, in the store's order: what the console's listings walk.
    func scopes(of grant: Grant) throws -> [(project: String, domain: String)] {
        try reads.projects().filter { grant.covers($0.id) }.flatMap { p in p.domains.map { (p.id, $0) } }
    }
}
