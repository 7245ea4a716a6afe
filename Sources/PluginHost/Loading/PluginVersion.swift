/// Orders plugin versions ("1.10.0" after "1.9.2"): the dot-separated numbers compared as numbers, missing
/// ones as 0; a part that is not a number (a pre-release tag, "1.0.0-rc1") compares as text after the numbers.
enum PluginVersion {
    static func isNewer(_ version: String, than other: String) -> Bool {
        let a = parts(version)
        let b = parts(other)
        for i in 0..<max(a.numbers.count, b.numbers.count) {
            let x = i < a.numbers.count ? a.numbers[i] : 0
            let y = i < b.numbers.count ? b.numbers[i] : 0
            if x != y { return x > y }
        }
        // "1.0.0" is newer than "1.0.0-rc1": a release follows its pre-releases.
        if a.rest.isEmpty != b.rest.isEmpty { return a.rest.isEmpty }
        return a.rest > b.rest
    }

    private static func parts(_ version: String) -> (numbers: [Int], rest: String) {
        let core = version.prefix { $0.isNumber || $0 == "." }
        let numbers = core.split(separator: ".").map { Int($0) ?? 0 }
        return (numbers, String(version.dropFirst(core.count)))
    }
}
