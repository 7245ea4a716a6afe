// Direct canonical encoding of literals, types and the task context: the same bytes as
// `JSONWriter.encode(value.json)`, without building the intermediate JSON tree (the hot path of every
// plugin call). Keys of fixed objects are written in their canonical (sorted) order by hand.

extension JSONWriter {
    public mutating func write(_ literal: Literal) {
        writeByte("{")
        switch literal {
        case .none:
            writeKey("none")
            write(JSON.null)
        case .integer(let i):
            writeKey("integer")
            writeInteger(i)
        case .float(let d):
            writeKey("float")
            if d.isNaN {
                writeString("NaN")
            } else if d.isInfinite {
                writeString(d > 0 ? "Infinity" : "-Infinity")
            } else {
                writeFloat(d)
            }
        case .string(let s):
            writeKey("string")
            writeString(s)
        case .boolean(let b):
            writeKey("boolean")
            write(JSON.bool(b))
        case .datetime(let t):
            writeKey("datetime")
            writeString(t.rfc3339)
        case .duration(let d):
            writeKey("duration")
            writeString(d.aloftWireString)
        case .binary(let b):
            writeKey("binary")
            writeString(Base64.encode(b))
        case .structure(let members):
            writeKey("struct")
            write(JSON.object(members))
        case .blob(let b):
            writeKey("blob")
            writeByte("{")
            writeKey("dimensionality")
            writeString(b.type.dimensionality.rawValue)
            writeByte(",")
            writeKey("format")
            writeString(b.type.format)
            writeByte(",")
            writeKey("uri")
            writeString(b.uri)
            writeByte("}")
        case .dataset(let d):
            writeKey("dataset")
            writeByte("{")
            writeKey("format")
            writeString(d.format)
            writeByte(",")
            writeKey("uri")
            writeString(d.uri)
            writeByte("}")
        case .list(let items):
            writeKey("list")
            writeByte("[")
            for (i, item) in items.enumerated() {
                if i > 0 { writeByte(",") }
                write(item)
            }
            writeByte("]")
        case .map(let entries):
            writeKey("map")
            write(literalMap: entries)
        case .enumeration(let v):
            writeKey("enum")
            writeString(v)
        }
        writeByte("}")
    }

    public mutating func write(literalMap: [String: Literal]) { writeObject(literalMap) { w, l in w.write(l) } }

    public mutating func write(_ type: LiteralType) {
        switch type {
        case .none, .integer, .float, .string, .boolean, .datetime, .duration, .binary, .structure,
            .blob, .dataset, .enumeration:
            write(type.json)
        case .list(let t):
            writeByte("{")
            writeKey("list")
            write(t)
            writeByte("}")
        case .map(let t):
            writeByte("{")
            writeKey("map")
            write(t)
            writeByte("}")
        case .union(let variants):
            writeByte("{")
            writeKey("union")
            writeByte("[")
            for (i, v) in variants.enumerated() {
                if i > 0 { writeByte(",") }
                write(v)
            }
            writeByte("]")
            writeByte("}")
        }
    }

    public mutating func write(typeMap: [String: LiteralType]) { writeObject(typeMap) { w, t in w.write(t) } }
}

extension TaskContext {
    /// The canonical bytes of a task template's object, as `encoded` writes it: one task's calls can share
    /// them (`encoded(template:)`).
    public static func encodedTemplate(_ task: TaskTemplate) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.write(taskTemplate: task)
        return w.bytes
    }

    /// The canonical bytes of the task context document.
    public func encoded() -> [UInt8] { encoded(template: nil) }

    /// `encoded()` with the task's template already in canonical bytes (`encodedTemplate(task)`), as one
    /// task's calls can share them (a chain's or a map's), so it is not written again per call.
    public func encoded(template: [UInt8]?) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 512 + (template?.count ?? 0))
        w.writeByte("{")
        w.writeKey("execution")
        w.writeByte("{")
        w.writeKey("attempt")
        w.writeInteger(Int64(identity.attempt))
        w.writeByte(",")
        w.writeKey("domain")
        w.writeString(identity.domain)
        w.writeByte(",")
        w.writeKey("name")
        w.writeString(identity.execution)
        w.writeByte(",")
        w.writeKey("node")
        w.writeString(identity.node)
        w.writeByte(",")
        w.writeKey("project")
        w.writeString(identity.project)
        w.writeByte("}")
        w.writeByte(",")
        w.writeKey("inputs")
        w.write(literalMap: inputs)
        w.writeByte(",")
        w.writeKey("output_prefix")
        w.writeString(outputPrefix)
        w.writeByte(",")
        w.writeKey("task")
        if let template { w.writeRaw(template) } else { w.write(taskTemplate: task) }
        w.writeByte(",")
        w.writeKey("task_execution_id")
        w.writeString(taskExecutionID)
        w.writeByte(",")
        w.writeKey("version")
        w.writeInteger(Self.documentVersion)
        w.writeByte("}")
        return w.bytes
    }
}

extension JSONWriter {
    /// A task template's canonical object. Unknown fields (`extra`) interleave with the known ones in
    /// sorted order, so the two sorted key lists are merged; a known field wins over an `extra` of the same
    /// name, as in `TaskTemplate.json`.
    public mutating func write(taskTemplate task: TaskTemplate) {
        let known = ["config", "interface", "name", "secrets", "type", "version"]
        let extraKeys = task.extra.isEmpty ? [] : canonicalOrder(task.extra.keys)
        var (k, e) = (0, 0)
        writeByte("{")
        while k < known.count || e < extraKeys.count {
            if k > 0 || e > 0 { writeByte(",") }
            if e < extraKeys.count && (k == known.count || extraKeys[e].utf8.lexicographicallyPrecedes(known[k].utf8)) {
                writeKey(extraKeys[e])
                write(task.extra[extraKeys[e]]!)
                e += 1
                continue
            }
            if e < extraKeys.count && extraKeys[e] == known[k] { e += 1 }
            writeKey(known[k])
            writeKnownField(k, of: task)
            k += 1
        }
        writeByte("}")
    }

    /// The value of `known[index]` in `write(taskTemplate:)`.
    private mutating func writeKnownField(_ index: Int, of task: TaskTemplate) {
        switch index {
        case 0: write(task.config)
        case 1:
            writeByte("{")
            writeKey("inputs")
            write(typeMap: task.interface.inputs)
            writeByte(",")
            writeKey("outputs")
            write(typeMap: task.interface.outputs)
            writeByte("}")
        case 2: writeString(task.name)
        case 3:
            writeByte("[")
            for (i, secret) in task.secrets.enumerated() {
                if i > 0 { writeByte(",") }
                writeString(secret)
            }
            writeByte("]")
        case 4: writeString(task.type)
        default: writeString(task.version)
        }
    }
}
