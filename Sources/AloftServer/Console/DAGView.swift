import AloftCompiler
import AloftEngine

/// A workflow's nodes as an SVG, left to right by depth (a node one column right of its deepest upstream),
/// each box coloured by its node's phase in this execution and linked to its details below.
enum DAGView {
    static let colours: [String: (fill: String, text: String)] = [
        "succeeded": ("#d5f2dc", "#17692b"), "failed": ("#fbd9d7", "#a3221b"), "running": ("#d8e6fd", "#1d4fa8"),
        "queued": ("#fff3cd", "#7a5b00"), "aborted": ("#eeeeee", "#555555"), "skipped": ("#eeeeee", "#555555"),
    ]

    static func svg(_ w: CompiledWorkflow, phases: [String: NodePhase]) -> String {
        var depth: [String: Int] = [:]
        var column: [Int: [String]] = [:]
        for n in w.nodes {
            let d = (n.upstream.compactMap { depth[$0] }.max() ?? -1) + 1
            depth[n.id] = d
            column[d, default: []].append(n.id)
        }
        let (boxW, boxH, gapX, gapY, pad) = (150, 44, 60, 18, 12)
        var at: [String: (x: Int, y: Int)] = [:]
        for (d, ids) in column {
            for (i, id) in ids.enumerated() { at[id] = (pad + d * (boxW + gapX), pad + i * (boxH + gapY)) }
        }
        let width = pad * 2 + (column.keys.max() ?? 0) * (boxW + gapX) + boxW
        let height = pad * 2 + (column.values.map(\.count).max() ?? 1) * (boxH + gapY)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" "
            + "aria-label=\"workflow \(HTML.escape(w.name))\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" "
            + "refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">"
            + "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#8a93a6\"/></marker></defs>"
        for n in w.nodes {
            guard let to = at[n.id] else { continue }
            for u in n.upstream {
                guard let from = at[u] else { continue }
                let (x1, y1, x2, y2) = (from.x + boxW, from.y + boxH / 2, to.x, to.y + boxH / 2)
                out +=
                    "<path class=\"edge\" d=\"M\(x1),\(y1) C\(x1 + gapX / 2),\(y1) \(x2 - gapX / 2),\(y2) \(x2),\(y2)\"/>"
            }
        }
        for n in w.nodes {
            guard let p = at[n.id] else { continue }
            let phase = phases[n.id]?.rawValue ?? "queued"
            let c = colours[phase] ?? ("#ffffff", "#1d2330")
            let id = HTML.escape(n.id)
            out +=
                "<a href=\"#node-\(id)\"><g class=\"node \(phase)\" data-node=\"\(id)\" data-phase=\"\(phase)\">"
                + "<rect x=\"\(p.x)\" y=\"\(p.y)\" width=\"\(boxW)\" height=\"\(boxH)\" rx=\"6\" fill=\"\(c.fill)\"/>"
                + "<text x=\"\(p.x + 10)\" y=\"\(p.y + 18)\" fill=\"\(c.text)\" font-weight=\"600\">\(id)</text>"
                + "<text x=\"\(p.x + 10)\" y=\"\(p.y + 34)\" fill=\"\(c.text)\">\(phase)</text></g></a>"
        }
        return out + "</svg>"
    }
}
