/// Which workflow of a spec runs when none is named: the one rule for `aloft run`, `aloft graph` and
/// anything else that picks a workflow (docs/workflow-spec.md, "Which workflow runs").
///
/// The rule: a named workflow must exist; otherwise the spec's only *root* workflow, a workflow that no other
/// workflow of the spec calls (as a sub-workflow node, in a map, or in a branch). Sub-workflows never run on
/// their own by default, so a file with one pipeline and its helpers needs no `--workflow`.
extension CompiledSpec {
    public func workflowToRun(named name: String?, file: String) -> Result<String, DefaultWorkflowError> {
        if let name {
            guard workflows[name] != nil else {
                return .failure(
                    DefaultWorkflowError(
                        "\(file): no workflow \"\(name)\"; workflows: \(workflows.keys.sorted().joined(separator: ", "))"
                    ))
            }
            return .success(name)
        }
        let roots = rootWorkflows
        if roots.count == 1 { return .success(roots[0]) }
        if workflows.isEmpty { return .failure(DefaultWorkflowError("\(file) defines no workflow")) }
        return .failure(
            DefaultWorkflowError(
                "\(file) has \(roots.count) workflows that no other workflow calls; "
                    + "choose one with --workflow (\(roots.joined(separator: ", ")))"))
    }

    /// Workflows no other workflow of the spec calls, sorted.
    public var rootWorkflows: [String] {
        var called = Set<String>()
        for w in workflows.values {
            for n in w.nodes {
                if case .call(let c) = n.kind, case .workflow(let sub) = c.target { called.insert(sub) }
                if case .map(let m) = n.kind, case .workflow(let sub) = m.call.target { called.insert(sub) }
                if case .branch(let cases) = n.kind {
                    for c in cases {
                        if case .call(let call) = c.body, case .workflow(let sub) = call.target { called.insert(sub) }
                    }
                }
            }
        }
        return workflows.keys.filter { !called.contains($0) }.sorted()
    }
}

public struct DefaultWorkflowError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
