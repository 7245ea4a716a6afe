public import AloftWire

extension ExecutionView {
    /// Writes `json` without building it: the same bytes as `JSONWriter.encode(json)` (keys in canonical
    /// order, absent fields left out), for the server's list pages, where building a dictionary per row and
    /// sorting its keys was most of a page's cost. `ExecutionViewWriteTests` holds the two equal.
    public func write(to w: inout JSONWriter) {
        w.writeByte("{")
        var first = true
        func key(_ name: String) {
            if !first { w.writeByte(",") }
            first = false
            w.writeKey(name)
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            w.writeString(value)
        }
        // In the UTF-8 order of the keys (JSONWriter's canonical order).
        string("createdAt", ViewTime.text(createdAt))
        string("damage", damage)
        string("domain", domain)
        string("driver", driver)
        string("error", error)
        string("id", id)
        key("inputs")
        w.write(inputs.json)
        key("labels")
        w.write(.object(labels.mapValues(JSON.string)))
        string("launchedFrom", launchedFrom)
        if let nodes {
            key("nodes")
            w.write(.array(nodes.map(\.json)))
        }
        if let outputs {
            key("outputs")
            w.write(outputs.json)
        }
        string("phase", phase.rawValue)
        string("project", project)
        string("recoveredFrom", recoveredFrom)
        string("status", status)
        string("updatedAt", ViewTime.text(updatedAt))
        string("workflow", workflow)
        w.writeByte("}")
    }
}
