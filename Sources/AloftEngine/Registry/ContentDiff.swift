import AloftWire

/// What differs between two JSON documents, as `path: old -> new` lines: the summary shown when a version
/// is registered again with other content.
enum ContentDiff {
    static func lines(_ old: JSON, _ new: JSON, limit: Int = 8) -> [String] {
        var found: [String] = []
        walk(old, new, path: "", &found)
        // A workflow's own changes first: the tasks it embeds are reported on their own as well.
        let out = found.filter { !$0.hasPrefix("tasks.") } + found.filter { $0.hasPrefix("tasks.") }
        if out.count > limit { return Array(out.prefix(limit)) + ["... and \(out.count - limit) more"] }
        return out
    }

    private static func walk(_ a: JSON, _ b: JSON, path: String, _ out: inout [String]) {
        guard a != b else { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = path.isEmpty ? key : "\(path).\(key)"
                switch (x[key], y[key]) {
                case (let u?, let v?): walk(u, v, path: p, &out)
                case (nil, let v?): out.append("\(p): added \(short(v))")
                case (let u?, nil): out.append("\(p): removed (was \(short(u)))")
                case (nil, nil): break
                }
            }
        case (.array(let x), .array(let y)) where x.count == y.count:
            for i in x.indices { walk(x[i], y[i], path: "\(path)[\(i)]", &out) }
        default:
            out.append("\(path.isEmpty ? "(whole)" : path): \(short(a)) -> \(short(b))")
        }
    }

    private static func short(_ j: JSON) -> String {
        let s = JSONWriter.string(j)
        return s.count > 80 ? String(s.prefix(77)) + "..." : s
    }
}
