/// Durations as people write them: `90s`, `1.5s`, `250ms`, `10m`, `1h30m`, `2d`. Units: d, h, m, s, ms,
/// us, ns; numbers may have a fraction; parts add up.
public enum HumanDuration {
    public static func parse(_ text: String) -> Duration? {
        let s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        var i = 0
        var total = Duration.zero
        while i < s.count {
            let start = i
            while i < s.count, (s[i] >= 48 && s[i] <= 57) || s[i] == 46 { i += 1 }
            guard i > start, let number = Double(String(decoding: s[start..<i], as: UTF8.self)), number.isFinite else {
                return nil
            }
            let unitStart = i
            while i < s.count, (s[i] >= 97 && s[i] <= 122) || s[i] == 0xC2 || s[i] == 0xB5 { i += 1 }
            let unit = String(decoding: s[unitStart..<i], as: UTF8.self)
            let nanosPerUnit: Double
            switch unit {
            case "d": nanosPerUnit = 86_400e9
            case "h": nanosPerUnit = 3_600e9
            case "m": nanosPerUnit = 60e9
            case "s": nanosPerUnit = 1e9
            case "ms": nanosPerUnit = 1e6
            case "us", "µs": nanosPerUnit = 1e3
            case "ns": nanosPerUnit = 1
            default: return nil
            }
            let nanos = number * nanosPerUnit
            guard nanos < 9e18 else { return nil }
            total += .nanoseconds(Int64(nanos.rounded()))
        }
        return total
    }
}
