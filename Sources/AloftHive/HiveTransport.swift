/// Carries one TCLIService call (a Thrift message) to the server and its answer back.
public protocol HiveTransport: Sendable {
    /// `idempotent`: the call may be sent again after a failure that left its fate unknown.
    func roundTrip(_ message: [UInt8], idempotent: Bool) throws(HiveError) -> [UInt8]
}
