public import AloftWire
public import FoundationEssentials

/// One node of an execution (a map item or a sub-workflow's node has its own path, e.g. `score[3]`).
///
/// A value with its fields in one shared box, copied on write: the engine hands a record through several
/// queues and arrays per node (the group-commit writer's entry, the store's batch, a map batch's slots), and
/// with fourteen fields each copy retained and released every one of them (copying and destroying records
/// were 15-20% of a map item's samples). Now a copy is one retain; a write to a shared record copies the box.
public struct NodeRecord: Sendable, Equatable {
    struct Fields: Equatable {
        var execution: String
        var node: String
        var state: NodeState
        var pluginID: String?
        var taskExecutionID: String?
        var resourceState: [UInt8]?
        var inputs: LiteralMap?
        var outputs: LiteralMap?
        var statusMessage: String?
        var taskVersion: String?
        var cachedFrom: String?
        var logLinks: [LogLinkRecord]
        var updatedAt: Date
        var startedAt: Date?
    }

    /// Never mutated while shared: every setter copies the box unless this record holds the only reference.
    final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
    }

    public static func == (a: NodeRecord, b: NodeRecord) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public var execution: String {
        get { box.fields.execution }
        _modify {
            unique()
            yield &box.fields.execution
        }
    }
    public var node: String {
        get { box.fields.node }
        _modify {
            unique()
            yield &box.fields.node
        }
    }
    public var state: NodeState {
        get { box.fields.state }
        _modify {
            unique()
            yield &box.fields.state
        }
    }
    public var pluginID: String? {
        get { box.fields.pluginID }
        _modify {
            unique()
            yield &box.fields.pluginID
        }
    }
    public var taskExecutionID: String? {
        get { box.fields.taskExecutionID }
        _modify {
            unique()
            yield &box.fields.taskExecutionID
        }
    }
    /// The plugin's opaque resource state for the current attempt: what a restarted host polls with.
    public var resourceState: [UInt8]? {
        get { box.fields.resourceState }
        _modify {
            unique()
            yield &box.fields.resourceState
        }
    }
    public var inputs: LiteralMap? {
        get { box.fields.inputs }
        _modify {
            unique()
            yield &box.fields.inputs
        }
    }
    public var outputs: LiteralMap? {
        get { box.fields.outputs }
        _modify {
            unique()
            yield &box.fields.outputs
        }
    }
    public var statusMessage: String? {
        get { box.fields.statusMessage }
        _modify {
            unique()
            yield &box.fields.statusMessage
        }
    }
    /// The version of the task that ran (or whose cached outputs were reused).
    public var taskVersion: String? {
        get { box.fields.taskVersion }
        _modify {
            unique()
            yield &box.fields.taskVersion
        }
    }
    /// For a cache hit: `execution/node` that produced the outputs.
    public var cachedFrom: String? {
        get { box.fields.cachedFrom }
        _modify {
            unique()
            yield &box.fields.cachedFrom
        }
    }
    /// Where people find the current attempt's logs, as its plugin says.
    public var logLinks: [LogLinkRecord] {
        get { box.fields.logLinks }
        _modify {
            unique()
            yield &box.fields.logLinks
        }
    }
    public var updatedAt: Date {
        get { box.fields.updatedAt }
        _modify {
            unique()
            yield &box.fields.updatedAt
        }
    }
    /// When the node was first stored running (its first attempt's start); nil while queued, and for a node
    /// that never ran (cached, skipped) or was stored before schema version 8.
    public var startedAt: Date? {
        get { box.fields.startedAt }
        _modify {
            unique()
            yield &box.fields.startedAt
        }
    }

    /// What the store writes as the start: the known one, else this update's time if the node runs now. The
    /// stores keep a start once written (a later record cannot move it).
    public var startToStore: Date? { startedAt ?? (state.phase == .running ? updatedAt : nil) }

    public init(
        execution: String, node: String, state: NodeState, pluginID: String? = nil, taskExecutionID: String? = nil,
        resourceState: [UInt8]? = nil, inputs: LiteralMap? = nil, outputs: LiteralMap? = nil,
        statusMessage: String? = nil,
        taskVersion: String? = nil, cachedFrom: String? = nil, logLinks: [LogLinkRecord] = [], updatedAt: Date = Date(),
        startedAt: Date? = nil
    ) {
        box = Box(
            Fields(
                execution: execution, node: node, state: state, pluginID: pluginID, taskExecutionID: taskExecutionID,
                resourceState: resourceState, inputs: inputs, outputs: outputs, statusMessage: statusMessage,
                taskVersion: taskVersion, cachedFrom: cachedFrom, logLinks: logLinks, updatedAt: updatedAt,
                startedAt: startedAt))
    }
}
