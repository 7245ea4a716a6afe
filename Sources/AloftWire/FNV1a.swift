/// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash for names derived from longer identities (task
/// execution ids, Kubernetes object names, file names for credentials). Never for anything secret or hostile.
public enum FNV1a {
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The hash as 16 lowercase hex digits.
    public static func hex64(_ bytes: some Sequence<UInt8>) -> String {
        let s = String(hash64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
