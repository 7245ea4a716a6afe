/// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash for names derived from longer identities (task
/// execution ids, Kubernetes object names, file names for credentials). Never for anything secret or hostile.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// One byte into a running hash (start from `offsetBasis`), for input that comes in parts.
    @inline(__always)
    public static func feed(_ byte: UInt8, into h: UInt64) -> UInt64 { (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }

    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = offsetBasis
        for b in bytes { h = feed(b, into: h) }
        return h
    }

    /// The hash as 16 lowercase hex digits.
    public static func hex64(_ bytes: some Sequence<UInt8>) -> String {
        let s = String(hash64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
