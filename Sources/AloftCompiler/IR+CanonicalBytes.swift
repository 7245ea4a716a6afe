import AloftWire
import LocatedYAML

// The compiled IR's canonical bytes written straight from the IR (what `JSONWriter.encode(spec.json)` writes):
// an execution stores its plan, and for a workflow of 10,000 nodes the JSON tree (a dictionary per node, call
// and binding, every object's keys sorted again) cost more than a tenth of running it. Keys here are written
// in canonical order by hand; a map or branch node, a task and a launch plan (few per spec) go through the tree.

extension CompiledSpec {
    /// Canonical bytes: equal specs give equal bytes.
    public var canonicalBytes: [UInt8] {
        var w = JSONWriter(reservingCapacity: 4096)
        w.write(spec: self)
        return w.bytes
    }
}

extension JSONWriter {
    /// `{"files", "launch_plans" (only when there are some), "tasks", "version", "workflows"}`, as
    /// `CompiledSpec.json`.
    mutating func write(spec: CompiledSpec) {
        writeByte("{")
        writeKey("files")
        writeStrings(spec.files)
        writeByte(",")
        if !spec.launchPlans.isEmpty {
            writeKey("launch_plans")
            write(.object(spec.launchPlans.mapValues(\.json)))
            writeByte(",")
        }
        writeKey("tasks")
        writeObject(spec.tasks) { w, task in w.write(task.json) }
        writeByte(",")
        writeKey("version")
        writeInteger(1)
        writeByte(",")
        writeKey("workflows")
        writeObject(spec.workflows) { w, workflow in w.write(workflow: workflow) }
        writeByte("}")
    }

    /// `{"bindings", "defaults", "inputs", "location", "name", "nodes", "outputs"}`, as `CompiledWorkflow.json`.
    mutating func write(workflow: CompiledWorkflow) {
        writeByte("{")
        writeKey("bindings")
        writeObject(workflow.outputs) { w, binding in w.write(binding: binding) }
        writeByte(",")
        writeKey("defaults")
        write(literalMap: workflow.defaults)
        writeByte(",")
        writeKey("inputs")
        write(typeMap: workflow.interface.inputs)
        writeByte(",")
        writeKey("location")
        writeString(workflow.location.description)
        writeByte(",")
        writeKey("name")
        writeString(workflow.name)
        writeByte(",")
        writeKey("nodes")
        writeByte("[")
        for i in workflow.nodes.indices {
            if i > 0 { writeByte(",") }
            write(node: workflow.nodes[i])
        }
        writeByte("]")
        writeByte(",")
        writeKey("outputs")
        write(typeMap: workflow.interface.outputs)
        writeByte("}")
    }

    /// A call node: `{"call", "id", "location", "outputs", "upstream"}`, as `CompiledNode.json`.
    mutating func write(node: CompiledNode) {
        guard case .call(let call) = node.kind else {
            write(node.json)
            return
        }
        writeByte("{")
        writeKey("call")
        write(call: call)
        writeByte(",")
        writeKey("id")
        writeString(node.id)
        writeByte(",")
        writeKey("location")
        writeString(node.location.description)
        writeByte(",")
        writeKey("outputs")
        write(typeMap: node.outputs)
        writeByte(",")
        writeKey("upstream")
        writeStrings(node.upstream)
        writeByte("}")
    }

    /// `{"inputs", "task" | "workflow"}`, as `CompiledCall.json`.
    mutating func write(call: CompiledCall) {
        writeByte("{")
        writeKey("inputs")
        writeObject(call.inputs) { w, binding in w.write(binding: binding) }
        writeByte(",")
        switch call.target {
        case .task(let name):
            writeKey("task")
            writeString(name)
        case .workflow(let name):
            writeKey("workflow")
            writeString(name)
        }
        writeByte("}")
    }

    /// As `Binding.json`.
    mutating func write(binding: Binding) {
        writeByte("{")
        switch binding {
        case .literal(let literal):
            writeKey("literal")
            write(literal)
        case .workflowInput(let name):
            writeKey("input")
            writeString(name)
        case .nodeOutput(let node, let output):
            writeKey("node")
            writeString(node)
            writeByte(",")
            writeKey("output")
            writeString(output)
        case .list(let items):
            writeKey("list")
            writeByte("[")
            for (i, item) in items.enumerated() {
                if i > 0 { writeByte(",") }
                write(binding: item)
            }
            writeByte("]")
        case .map(let entries):
            writeKey("map")
            writeObject(entries) { w, binding in w.write(binding: binding) }
        }
        writeByte("}")
    }

    /// An array of strings.
    private mutating func writeStrings(_ strings: [String]) {
        writeByte("[")
        for (i, string) in strings.enumerated() {
            if i > 0 { writeByte(",") }
            writeString(string)
        }
        writeByte("]")
    }
}
