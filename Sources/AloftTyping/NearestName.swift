/// The candidate nearest to `word` by edit distance, when it is near enough to be a likely typo; the first
/// in `candidates` among equally near ones.
public func closest(_ word: String, in candidates: [String]) -> String? {
    let a = Array(word.lowercased())
    var best: (String, Int)?
    var rows = EditDistance()
    for candidate in candidates {
        let b = Array(candidate.lowercased())
        guard let d = rows.nearEnough(a, b), best == nil || d < best!.1 else { continue }
        best = (candidate, d)
    }
    return best?.0
}

/// `closest(_:in:)` over a fixed set of names, asked many times: an error message per misspelt reference in
/// a workflow of 100,000 nodes must not compare each misspelling with every node. Small sets are searched
/// exhaustively (exactly as `closest(_:in:)`); large ones through an index of each name with one character
/// deleted, which finds every candidate one substitution, insertion, deletion or swap away (the likely
/// typos) in time independent of the set's size.
public struct NearestName: Sendable {
    /// Sets up to this size are searched exhaustively.
    public static let exhaustiveUpTo = 256

    private let candidates: [String]
    private let lowered: [[Character]]
    /// Hash of a name or of a name with one character deleted -> indices of the names that produce it.
    private let index: [UInt64: [Int32]]

    public init(_ candidates: [String]) {
        self.candidates = candidates
        lowered = candidates.map { Array($0.lowercased()) }
        var index: [UInt64: [Int32]] = [:]
        if candidates.count > Self.exhaustiveUpTo {
            for (i, name) in lowered.enumerated() where name.count <= EditDistance.longest {
                for key in Self.keys(name) { index[key, default: []].append(Int32(i)) }
            }
        }
        self.index = index
    }

    public func closest(to word: String) -> String? {
        let a = Array(word.lowercased())
        var rows = EditDistance()
        var best: (index: Int, distance: Int)?
        func consider(_ i: Int) {
            guard let d = rows.nearEnough(a, lowered[i]) else { return }
            if best == nil || d < best!.distance || (d == best!.distance && i < best!.index) { best = (i, d) }
        }
        if candidates.count <= Self.exhaustiveUpTo {
            for i in candidates.indices { consider(i) }
        } else if a.count <= EditDistance.longest {
            var seen = Set<Int32>()
            for key in Self.keys(a) {
                for i in index[key] ?? [] where seen.insert(i).inserted { consider(Int(i)) }
            }
        }
        return best.map { candidates[$0.index] }
    }

    /// The hashes of `name` and of each of its one-character deletions, in time linear in its length
    /// (prefix and suffix hashes, not the strings). A collision only adds a candidate that is then measured.
    private static func keys(_ name: [Character]) -> [UInt64] {
        let base: UInt64 = 1_000_003
        let codes = name.map { c -> UInt64 in
            c.unicodeScalars.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1.value)) &* 1_099_511_628_211 }
        }
        var prefix = [UInt64](repeating: 0, count: codes.count + 1)
        for (i, c) in codes.enumerated() { prefix[i + 1] = prefix[i] &* base &+ c }
        var power = [UInt64](repeating: 1, count: codes.count + 1)
        for i in 0..<codes.count { power[i + 1] = power[i] &* base }
        var suffix = [UInt64](repeating: 0, count: codes.count + 1)  // suffix[i]: hash of codes[i...]
        for i in stride(from: codes.count - 1, through: 0, by: -1) {
            suffix[i] = codes[i] &* power[codes.count - 1 - i] &+ suffix[i + 1]
        }
        // The length goes into each key, so that a deletion of one name never equals another name by accident
        // of the polynomial.
        var keys = [prefix[codes.count] ^ (UInt64(codes.count) &* 0x9E37_79B9_7F4A_7C15)]
        for i in codes.indices {
            let deleted = prefix[i] &* power[codes.count - 1 - i] &+ suffix[i + 1]
            keys.append(deleted ^ (UInt64(codes.count - 1) &* 0x9E37_79B9_7F4A_7C15))
        }
        return keys
    }
}

/// Levenshtein distance with two reused rows, and the rule for "near enough to suggest".
struct EditDistance {
    /// Longer names are never suggested, nor suggestions sought for: identifiers are at most 128 characters,
    /// and the distance of two long strings costs the product of their lengths.
    static let longest = 128

    private var previous: [Int] = []
    private var current: [Int] = []

    /// The distance from `a` to `b` when it is near enough to be a likely typo: about one edit per three
    /// letters (a swap of two letters counts two), never the whole word.
    mutating func nearEnough(_ a: [Character], _ b: [Character]) -> Int? {
        guard a.count <= Self.longest, b.count <= Self.longest else { return nil }
        let limit = max(1, (min(a.count, b.count) + 2) / 3)
        // The distance is at least the difference in length.
        guard abs(a.count - b.count) <= limit else { return nil }
        previous.removeAll(keepingCapacity: true)
        previous.append(contentsOf: 0...b.count)
        for (i, ca) in a.enumerated() {
            current.removeAll(keepingCapacity: true)
            current.append(i + 1)
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            swap(&previous, &current)
        }
        let d = previous[b.count]
        return d <= limit && d < a.count ? d : nil
    }
}
