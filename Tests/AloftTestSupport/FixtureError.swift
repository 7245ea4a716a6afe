/// A test fixture that could not be made: thrown by the support helpers, so the tests that need it fail
/// with this message instead of the whole test process stopping.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
