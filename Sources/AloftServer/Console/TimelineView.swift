import AloftCompiler
import AloftEngine
import AloftSystem
import FoundationEssentials

/// An execution's nodes on a time axis (a Gantt chart) as SVG: one row per node that has started, a bar from
/// its start to its end coloured by its phase (DAGView's colours).
///
/// A bar starts when the node was first stored running (NodeRecord.startedAt) and ends at its last update (now,
/// while it runs). A node with no stored start (cached, skipped, or stored before schema version 8) starts when
/// it became ready: its latest upstream's last update, or the execution's creation for a node with none.
enum TimelineView {
    struct Bar: Equatable {
        var node: String
        var phase: String
        var start: Date
        var end: Date
    }

    /// The bars, in the workflow's order; queued nodes (not started) have none.
    static func bars(_ w: CompiledWorkflow?, nodes: [NodeView], createdAt: Date, now: Date) -> [Bar] {
        var byID: [String: NodeView] = [:]
        for n in nodes { byID[n.node] = n }
        let order = w.map { $0.nodes.map(\.id) } ?? nodes.map(\.node)
        var upstream: [String: [String]] = [:]
        for n in w?.nodes ?? [] { upstream[n.id] = n.upstream }
        var out: [Bar] = []
        for id in order {
            guard let n = byID[id], n.phase != .queued else { continue }
            let ready =
                n.startedAt ?? upstream[id, default: []].compactMap { byID[$0]?.updatedAt }.max() ?? createdAt
            let end = n.phase == .running ? max(now, ready) : n.updatedAt
            out.append(Bar(node: id, phase: n.phase.rawValue, start: min(ready, end), end: end))
        }
        return out
    }

    static func svg(_ bars: [Bar], createdAt: Date) -> String {
        guard !bars.isEmpty else { return "<p class=muted>no node has started yet</p>" }
        let (labelW, chartW, rowH, barH, pad) = (160, 600, 26, 18, 12)
        let span = max((bars.map(\.end).max() ?? createdAt).timeIntervalSince(createdAt), 0.001)
        let x = { (d: Date) in labelW + Int((d.timeIntervalSince(createdAt) / span * Double(chartW)).rounded()) }
        let height = pad * 2 + bars.count * rowH + 16
        var out =
            "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelW + chartW + pad * 2)\" "
            + "height=\"\(height)\" role=\"img\" aria-label=\"timeline of the nodes\">"
        for (i, b) in bars.enumerated() {
            let y = pad + i * rowH
            let c = DAGView.colours[b.phase] ?? ("#ffffff", "#1d2330")
            let (x1, x2) = (x(b.start), x(b.end))
            let id = HTML.escape(b.node)
            let seconds = DecimalText.fixed(b.end.timeIntervalSince(b.start), places: 1)
            // Milliseconds since the execution was created, for scripts and tests reading the page.
            let ms = { (d: Date) in Int((d.timeIntervalSince(createdAt) * 1000).rounded()) }
            out +=
                "<g class=\"bar \(b.phase)\" data-node=\"\(id)\" data-phase=\"\(b.phase)\" "
                + "data-start-ms=\"\(ms(b.start))\" data-end-ms=\"\(ms(b.end))\">"
                + "<title>\(id): \(b.phase), \(seconds) s</title>"
                + "<text x=\"0\" y=\"\(y + barH - 4)\" fill=\"#1d2330\">\(id)</text>"
                + "<rect x=\"\(x1)\" y=\"\(y)\" width=\"\(max(x2 - x1, 2))\" height=\"\(barH)\" rx=\"3\" "
                + "fill=\"\(c.fill)\" stroke=\"\(c.text)\"/></g>"
        }
        let axisY = pad + bars.count * rowH + 10
        out +=
            "<text x=\"\(labelW)\" y=\"\(axisY)\" fill=\"#8a93a6\">0 s</text>"
            + "<text x=\"\(labelW + chartW)\" y=\"\(axisY)\" fill=\"#8a93a6\" text-anchor=\"end\">"
            + "\(DecimalText.fixed(span, places: 1)) s</text>"
        return out + "</svg>"
    }
}
