import AloftWire
import PluginABI

/// A plugin's descriptor, copied out of the library into Swift values.
public struct PluginDescriptor: Sendable, Equatable, Codable {
    public var id: String
    public var version: String
    public var description: String
    public var taskTypes: [String]
    public var abiMajor: Int
    public var abiMinor: Int

    public var abi: String { "\(abiMajor).\(abiMinor)" }
}

extension PluginDescriptor {
    /// As a probe child reports it.
    var json: JSON {
        .object([
            "id": .string(id), "version": .string(version), "description": .string(description),
            "task_types": .array(taskTypes.map(JSON.string)), "abi_major": .integer(Int64(abiMajor)),
            "abi_minor": .integer(Int64(abiMinor)),
        ])
    }

    init?(json: JSON) {
        guard let id = json["id"]?.stringValue, let version = json["version"]?.stringValue,
            let types = json["task_types"]?.arrayValue?.compactMap(\.stringValue),
            let major = json["abi_major"]?.integerValue, let minor = json["abi_minor"]?.integerValue
        else { return nil }
        self.init(
            id: id, version: version, description: json["description"]?.stringValue ?? "", taskTypes: types,
            abiMajor: Int(major), abiMinor: Int(minor))
    }
}

/// The library's own descriptor pointer. It points at memory the plugin keeps for the life of the process.
struct RawDescriptor: @unchecked Sendable {
    let pointer: UnsafePointer<aloft_plugin>
}

extension PluginDescriptor {
    static let idPattern = "[a-z0-9._-]+"
    static let taskTypePattern = "[a-z0-9_-]+"

    /// Reads and checks a descriptor the way docs/plugin-abi.md defines it.
    static func read(_ raw: UnsafePointer<aloft_plugin>) throws(PluginRefusal) -> PluginDescriptor {
        // struct_size, abi_major and abi_minor sit at the same offsets in every version of the ABI: read
        // only those until struct_size says the rest is there.
        let header = UnsafeRawPointer(raw)
        let structSize = header.loadUnaligned(as: UInt32.self)
        let major = Int(header.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        let minor = Int(header.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        if major != AloftVersion.abiMajor { throw .abiMajorMismatch(plugin: major, host: AloftVersion.abiMajor) }
        if minor > AloftVersion.abiMinor {
            throw .abiMinorNewer(plugin: "\(major).\(minor)", host: "\(AloftVersion.abiMajor).\(AloftVersion.abiMinor)")
        }
        let v1Size = MemoryLayout<aloft_plugin>.size
        guard Int(structSize) >= v1Size else {
            throw .malformedDescriptor("struct_size \(structSize) is smaller than a v1 aloft_plugin (\(v1Size))")
        }
        let d = raw.pointee
        guard let idPtr = d.id else { throw .malformedDescriptor("id is NULL") }
        let id = String(cString: idPtr)
        guard matches(id, allowed: "abcdefghijklmnopqrstuvwxyz0123456789._-"), id.count <= 128 else {
            throw .malformedDescriptor("id \"\(id)\" must match \(idPattern) (at most 128 characters)")
        }
        guard let versionPtr = d.version else { throw .malformedDescriptor("version is NULL (plugin \(id))") }
        var types: [String] = []
        if let list = d.task_types {
            var i = 0
            while let t = list[i] {
                let name = String(cString: t)
                guard matches(name, allowed: "abcdefghijklmnopqrstuvwxyz0123456789_-") else {
                    throw .malformedDescriptor("task type \"\(name)\" must match \(taskTypePattern) (plugin \(id))")
                }
                if !types.contains(name) { types.append(name) }
                i += 1
                if i > 1024 { throw .malformedDescriptor("task_types is not NULL-terminated (plugin \(id))") }
            }
        }
        guard !types.isEmpty else { throw .malformedDescriptor("plugin \(id) claims no task types") }
        var missing: [String] = []
        if d.`init` == nil { missing.append("init") }
        if d.submit == nil { missing.append("submit") }
        if d.poll == nil { missing.append("poll") }
        if d.abort == nil { missing.append("abort") }
        guard missing.isEmpty else {
            throw .malformedDescriptor(
                "plugin \(id) leaves required functions NULL: \(missing.joined(separator: ", "))")
        }
        return PluginDescriptor(
            id: id, version: String(cString: versionPtr), description: d.description.map { String(cString: $0) } ?? "",
            taskTypes: types, abiMajor: major, abiMinor: minor)
    }

    private static func matches(_ s: String, allowed: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { allowed.unicodeScalars.contains($0) }
    }
}
