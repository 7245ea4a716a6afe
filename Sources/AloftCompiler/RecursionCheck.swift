import LocatedYAML

/// Workflows that call themselves, directly or through others: one error at each such workflow, naming a
/// path back to it. Linear in the calls: the strongly connected components of the call graph are found
/// first (Tarjan), so that a chain of 2,000 sub-workflows, which has none, is not searched 2,000 times.
enum RecursionCheck {
    /// Components up to this size report each member with a depth-first path back to it; a larger one (a
    /// ring of thousands of workflows) is reported once, at its first workflow, naming how many share it.
    static let reportEachUpTo = 64

    static func check(_ workflows: [String: WorkflowSpec], _ d: inout Diagnostics) {
        let names = workflows.keys.sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        // Each workflow's calls of workflows, in the order its nodes make them.
        var calls: [[(callee: Int, location: SourceLocation)]] = []
        for name in names {
            var out: [(Int, SourceLocation)] = []
            for n in workflows[name]!.nodes {
                var targets: [CallTarget] = []
                switch n.kind {
                case .call(let c): targets = [c.target]
                case .map(let m): targets = [m.call.target]
                case .branch(let cases):
                    targets = cases.compactMap {
                        if case .call(let c) = $0.body { return c.target } else { return nil }
                    }
                }
                for case .workflow(let callee) in targets {
                    if let i = index[callee.value] { out.append((i, callee.location)) }
                }
            }
            calls.append(out)
        }
        for component in stronglyConnectedComponents(calls) {
            let members = component.sorted()
            guard members.count > 1 || calls[members[0]].contains(where: { $0.callee == members[0] }) else { continue }
            if members.count <= reportEachUpTo {
                let inside = Set(members)
                for start in members { reportPath(from: start, within: inside, calls, names, &d) }
            } else {
                reportOnce(members, calls, names, &d)
            }
        }
    }

    /// Depth-first search from `start` for a call back to it, within its component (a path back never leaves
    /// it, and what lies outside may be large).
    private static func reportPath(
        from start: Int, within inside: Set<Int>, _ calls: [[(callee: Int, location: SourceLocation)]],
        _ names: [String],
        _ d: inout Diagnostics
    ) {
        var stack: [(Int, [Int], SourceLocation?)] = [(start, [start], nil)]
        var visited = Set<Int>()
        while let (current, path, firstCall) = stack.popLast() {
            for (callee, location) in calls[current] {
                let call = firstCall ?? location
                if callee == start {
                    d.error(
                        call,
                        "workflow \"\(names[start])\" calls itself: \(CallPath.text((path + [start]).map { names[$0] })); recursion is not allowed"
                    )
                    return
                } else if inside.contains(callee), visited.insert(callee).inserted {
                    stack.append((callee, path + [callee], call))
                }
            }
        }
    }

    /// One error for a large component: the shortest cycle through its first workflow (breadth-first).
    private static func reportOnce(
        _ members: [Int], _ calls: [[(callee: Int, location: SourceLocation)]], _ names: [String],
        _ d: inout Diagnostics
    ) {
        let root = members[0]
        let inside = Set(members)
        var parent: [Int: (from: Int, location: SourceLocation)] = [:]
        var queue = [root], head = 0
        var closing: (from: Int, location: SourceLocation)?
        search: while head < queue.count {
            let current = queue[head]
            head += 1
            for (callee, location) in calls[current] where inside.contains(callee) {
                if callee == root {
                    closing = (current, location)
                    break search
                }
                if parent[callee] == nil {
                    parent[callee] = (current, location)
                    queue.append(callee)
                }
            }
        }
        guard let closing else { return }
        var path = [root]
        var firstCall = closing.location
        var current = closing.from
        while current != root {
            path.append(current)
            firstCall = parent[current]!.location
            current = parent[current]!.from
        }
        path.append(root)
        path.reverse()
        let others = members.dropFirst().map { names[$0] }
        d.error(
            firstCall,
            "workflow \"\(names[root])\" calls itself: \(CallPath.text(path.map { names[$0] })); recursion is not allowed "
                + "(and so do the \(groupedDigits(others.count)) other workflows that call it and that it calls: \(NameCatalog.list(others)))"
        )
    }

    /// Tarjan's algorithm without recursion: the components, each a list of workflow indices.
    static func stronglyConnectedComponents(_ calls: [[(callee: Int, location: SourceLocation)]]) -> [[Int]] {
        let n = calls.count
        var order = [Int](repeating: -1, count: n), low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = [], components: [[Int]] = []
        var counter = 0
        for root in 0..<n where order[root] < 0 {
            // Each frame: a workflow and how many of its calls have been followed.
            var frames: [(node: Int, next: Int)] = [(root, 0)]
            order[root] = counter
            low[root] = counter
            counter += 1
            stack.append(root)
            onStack[root] = true
            while let (node, next) = frames.last {
                if next < calls[node].count {
                    frames[frames.count - 1].next += 1
                    let callee = calls[node][next].callee
                    if order[callee] < 0 {
                        order[callee] = counter
                        low[callee] = counter
                        counter += 1
                        stack.append(callee)
                        onStack[callee] = true
                        frames.append((callee, 0))
                    } else if onStack[callee] {
                        low[node] = min(low[node], order[callee])
                    }
                    continue
                }
                frames.removeLast()
                if let caller = frames.last?.node { low[caller] = min(low[caller], low[node]) }
                guard low[node] == order[node] else { continue }
                var component: [Int] = []
                while true {
                    let member = stack.removeLast()
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                components.append(component)
            }
        }
        return components
    }
}

/// A path of calls or data for a message: `a -> b -> a`, its middle left out when it is long.
enum CallPath {
    static let shownAtEachEnd = 20

    static func text(_ names: [String]) -> String {
        guard names.count > 2 * shownAtEachEnd + 1 else { return names.joined(separator: " -> ") }
        let left = names.count - 2 * shownAtEachEnd
        return (names.prefix(shownAtEachEnd) + ["... (\(groupedDigits(left)) more)"] + names.suffix(shownAtEachEnd))
            .joined(separator: " -> ")
    }
}
