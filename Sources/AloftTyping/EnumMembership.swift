/// Whether a string is one of an enum's values, for large enums asked many times: 10,000 bindings, or a
/// list of 10,000 items, against an enum of 10,000 values would otherwise compare 10^8 strings. Each enum's
/// set is built once, keyed by the identity of its values' storage (shared by every copy of the type); the
/// entry keeps that storage alive, so no other array can take its address.
public final class EnumMembership {
    /// Smaller enums are searched directly.
    static let searchedUpTo = 32

    private var sets: [UnsafeRawPointer: (values: [String], members: Set<String>)] = [:]

    public init() {}

    func contains(_ value: String, in values: [String]) -> Bool {
        guard values.count > Self.searchedUpTo,
            let key = values.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) })
        else {
            return values.contains(value)
        }
        if let entry = sets[key] { return entry.members.contains(value) }
        let members = Set(values)
        sets[key] = (values, members)
        return members.contains(value)
    }
}
