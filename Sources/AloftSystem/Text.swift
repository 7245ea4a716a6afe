#if canImport(Glibc)
import Glibc
#endif

/// What Aloft used from Foundation's string formatting, written for FoundationEssentials-only modules.
extension StringProtocol {
    /// Without leading and trailing whitespace and newlines (`trimmingCharacters(in: .whitespacesAndNewlines)`).
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }

    /// Every occurrence of `target`'s UTF-8 bytes replaced with `replacement`'s, left to right. Unlike
    /// `replacing(_:with:)`, which compares Characters, this finds "\n" inside "\r\n" and a secret followed by a
    /// combining mark (what Foundation's `replacingOccurrences(of:with:)` did, and what redaction must do).
    public func replacingBytes(of target: some StringProtocol, with replacement: some StringProtocol) -> String {
        let needle = Array(target.utf8)
        guard !needle.isEmpty else { return String(self) }
        let haystack = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        while i < haystack.count {
            if haystack[i] == needle[0], i + needle.count <= haystack.count,
                haystack[i..<(i + needle.count)].elementsEqual(needle)
            {
                out.append(contentsOf: replacement.utf8)
                i += needle.count
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `target`'s UTF-8 bytes occur in this string's (see `replacingBytes`).
    public func containsBytes(_ target: some StringProtocol) -> Bool {
        let needle = Array(target.utf8)
        guard !needle.isEmpty else { return true }
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return false }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// Padded with spaces on the right to `width` characters, or cut to it (`padding(toLength:withPad:" ")`).
    public func padded(toWidth width: Int) -> String {
        count >= width ? String(prefix(width)) : String(self) + String(repeating: " ", count: width - count)
    }

    /// %XX escapes decoded as UTF-8; nil when an escape is malformed or the bytes are not UTF-8
    /// (`removingPercentEncoding`).
    public var percentDecoded: String? {
        var bytes: [UInt8] = []
        var it = utf8.makeIterator()
        while let b = it.next() {
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard let h = it.next()?.hexDigitValue, let l = it.next()?.hexDigitValue else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }

}

extension UInt8 {
    /// The value of an ASCII hex digit (0-9, a-f, A-F); nil for any other byte.
    public var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return self - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public enum DecimalText {
    /// `value` rounded to `places` decimals exactly as `String(format: "%.<places>f")` wrote it (C's printf:
    /// the exact binary value rounded, "-0" for a negative value that rounds to zero).
    public static func fixed(_ value: Double, places: Int) -> String {
        exactFixed(value, places: places) ?? printf("%.*f", [Int32(places), value])
    }

    /// `value` in decimal with zeros in front up to `width` characters (`String(format: "%0<width>d")`).
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        guard width >= 0 else { return printf("%0*ld", [Int32(width), value]) }
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }

    /// What printf writes for `fixed`, computed in integers: the progress lines print a duration per node, and
    /// printf's variadic call (each argument boxed as CVarArg) cost more than the rest of the line. A finite
    /// value is significand * 2^exponent exactly; times 10^places it is rounded half to even, as glibc rounds.
    /// Nil (printf decides) when that product does not fit 128 bits or `places` is over 18.
    private static func exactFixed(_ value: Double, places: Int) -> String? {
        guard value.isFinite, (0...18).contains(places) else { return nil }
        let subnormalOrZero = value.exponentBitPattern == 0
        let significand = value.significandBitPattern | (subnormalOrZero ? 0 : 1 << 52)
        let exponent = (subnormalOrZero ? 1 : Int(value.exponentBitPattern)) - 1075
        var power: UInt128 = 1
        for _ in 0..<places { power *= 10 }
        let scaled = UInt128(significand) * power  // < 2^53 * 10^18 < 2^113
        var units: UInt128
        if exponent >= 0 {
            guard exponent < scaled.leadingZeroBitCount else { return nil }
            units = scaled << exponent
        } else if -exponent >= 128 {
            units = 0  // scaled < 2^113: under half a unit
        } else {
            let shift = -exponent
            units = scaled >> shift
            let rest = scaled & ((1 << shift) - 1)
            let half: UInt128 = 1 << (shift - 1)
            if rest > half || (rest == half && units & 1 == 1) { units += 1 }
        }
        var digits = String(units)
        if digits.count <= places { digits = String(repeating: "0", count: places + 1 - digits.count) + digits }
        let sign = value.sign == .minus ? "-" : ""
        guard places > 0 else { return sign + digits }
        let point = digits.index(digits.endIndex, offsetBy: -places)
        return sign + digits[..<point] + "." + digits[point...]
    }

    /// Two lowercase hex digits per byte (`String(format: "%02x")` each).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// C's vsnprintf with the arguments given (CVarArg is the standard library's; String(format:) is Foundation's).
    private static func printf(_ format: String, _ arguments: [any CVarArg]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let capacity = buffer.count
            let n = buffer.withUnsafeMutableBufferPointer { out in
                withVaList(arguments) { vsnprintf(out.baseAddress, capacity, format, $0) }
            }
            guard n >= capacity else {
                guard n >= 0 else { return "" }
                return buffer.withUnsafeBytes { String(decoding: $0.prefix(Int(n)), as: UTF8.self) }
            }
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
        }
    }
}

extension Unicode.Scalar {
    /// A letter, mark or number, as `CharacterSet.alphanumerics` defines it (general categories L*, M*, N*).
    public var isAlphanumeric: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default: return false
        }
    }
}
