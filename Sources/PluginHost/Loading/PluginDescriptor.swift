import AloftWire
import PluginABI

/// A plugin's descriptor, copied out of the library into Swift values.
public struct PluginDescriptor: Sendable, Equatable, Codable {
    public var id: String
    public var version: String
    public var description: String
    public var taskTypes: [String]
    /// The task types the plugin completes within one call (ABI 1.1, `sync_task_types`): a subset of `taskTypes`.
    public var syncTaskTypes: [String] = []
    public var abiMajor: Int
    public var abiMinor: Int

    public var abi: String { "\(abiMajor).\(abiMinor)" }

    /// Whether the host makes one `run_sync` call per attempt of `taskType`, instead of submit/poll/finalize.
    public func isSynchronous(_ taskType: String) -> Bool { syncTaskTypes.contains(taskType) }

    enum CodingKeys: String, CodingKey {
        case id, version, description, taskTypes, syncTaskTypes, abiMajor, abiMinor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try c.decode(String.self, forKey: .version)
        description = try c.decode(String.self, forKey: .description)
        taskTypes = try c.decode([String].self, forKey: .taskTypes)
        // Absent in what a host before ABI 1.1 wrote.
        syncTaskTypes = try c.decodeIfPresent([String].self, forKey: .syncTaskTypes) ?? []
        abiMajor = try c.decode(Int.self, forKey: .abiMajor)
        abiMinor = try c.decode(Int.self, forKey: .abiMinor)
    }

    init(
        id: String, version: String, description: String, taskTypes: [String], syncTaskTypes: [String] = [],
        abiMajor: Int, abiMinor: Int
    ) {
        self.id = id
        self.version = version
        self.description = description
        self.taskTypes = taskTypes
        self.syncTaskTypes = syncTaskTypes
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
    }
}

extension PluginDescriptor {
    /// As a probe child reports it.
    var json: JSON {
        .object([
            "id": .string(id), "version": .string(version), "description": .string(description),
            "task_types": .array(taskTypes.map(JSON.string)),
            "sync_task_types": .array(syncTaskTypes.map(JSON.string)), "abi_major": .integer(Int64(abiMajor)),
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
            syncTaskTypes: json["sync_task_types"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            abiMajor: Int(major), abiMinor: Int(minor))
    }
}

/// The library's own descriptor pointer. It points at memory the plugin keeps for the life of the process.
struct RawDescriptor: @unchecked Sendable {
    /// The plugin's own descriptor: passed back to the plugin (init, get_extension), never read past its
    /// struct_size.
    let pointer: UnsafePointer<aloft_plugin>
    /// The host's full-size copy of it, zero past the plugin's struct_size (a 1.0 plugin's 1.1 fields read as
    /// NULL): the function table the host calls through. Never freed, like the library.
    let table: UnsafePointer<aloft_plugin>

    init(pointer: UnsafePointer<aloft_plugin>) {
        self.pointer = pointer
        let copy = UnsafeMutablePointer<aloft_plugin>.allocate(capacity: 1)
        UnsafeMutableRawPointer(copy).initializeMemory(
            as: UInt8.self, repeating: 0, count: MemoryLayout<aloft_plugin>.size)
        let size = min(Int(UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self)), MemoryLayout<aloft_plugin>.size)
        UnsafeMutableRawPointer(copy).copyMemory(from: UnsafeRawPointer(pointer), byteCount: size)
        table = UnsafePointer(copy)
    }

    /// sizeof(aloft_plugin) in ABI 1.0 (`ALOFT_PLUGIN_SIZE_1_0`): the smallest struct_size a 1.x host accepts.
    static let size10 = MemoryLayout<aloft_plugin>.offset(of: \.sync_task_types)!
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
        let v1Size = RawDescriptor.size10
        guard Int(structSize) >= v1Size else {
            throw .malformedDescriptor("struct_size \(structSize) is smaller than a v1 aloft_plugin (\(v1Size))")
        }
        // Only the fields within struct_size: a 1.0 plugin's descriptor ends before the 1.1 fields.
        var d = aloft_plugin()
        withUnsafeMutableBytes(of: &d) {
            $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: min(Int(structSize), $0.count)))
        }
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
        let sync = try syncTypes(d, of: id, among: types)
        return PluginDescriptor(
            id: id, version: String(cString: versionPtr), description: d.description.map { String(cString: $0) } ?? "",
            taskTypes: types, syncTaskTypes: sync, abiMajor: major, abiMinor: minor)
    }

    /// The descriptor's sync_task_types (ABI 1.1; NULL in a 1.0 descriptor): each one of `types`, and run_sync
    /// set when there is any.
    private static func syncTypes(
        _ d: aloft_plugin, of id: String, among types: [String]
    ) throws(PluginRefusal) -> [String] {
        var sync: [String] = []
        guard let list = d.sync_task_types else { return [] }
        var i = 0
        while let t = list[i] {
            let name = String(cString: t)
            guard types.contains(name) else {
                throw .malformedDescriptor("sync task type \"\(name)\" is not among its task_types (plugin \(id))")
            }
            if !sync.contains(name) { sync.append(name) }
            i += 1
            if i > 1024 { throw .malformedDescriptor("sync_task_types is not NULL-terminated (plugin \(id))") }
        }
        if !sync.isEmpty && d.run_sync == nil {
            throw .malformedDescriptor("plugin \(id) declares sync task types but leaves run_sync NULL")
        }
        return sync
    }

    private static func matches(_ s: String, allowed: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { allowed.unicodeScalars.contains($0) }
    }
}
