/// Who a task execution is: the ids the host derives everything else from.
public struct ExecutionIdentity: Sendable, Hashable {
    public var project: String
    public var domain: String
    public var execution: String
    public var node: String
    public var attempt: Int

    public init(project: String, domain: String, execution: String, node: String, attempt: Int) {
        self.project = project
        self.domain = domain
        self.execution = execution
        self.node = node
        self.attempt = attempt
    }
}

/// A task's typed signature.
public struct TaskInterface: Sendable, Hashable {
    public var inputs: TypeMap
    public var outputs: TypeMap

    public init(inputs: TypeMap = [:], outputs: TypeMap = [:]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// What a plugin needs to know about the task it runs. Fields the host does not model yet travel in
/// `extra` (forward compatible: plugins ignore keys they do not know).
public struct TaskTemplate: Sendable, Hashable {
    public var name: String
    public var version: String
    public var type: String
    public var interface: TaskInterface
    /// The task's own plugin configuration (a JSON object), e.g. a SQL query or a training job spec.
    public var config: JSON
    /// Secret names the task may read through the host's get_secret.
    public var secrets: [String]
    public var extra: [String: JSON]

    public init(
        name: String, version: String = "", type: String, interface: TaskInterface = TaskInterface(),
        config: JSON = .object([:]), secrets: [String] = [], extra: [String: JSON] = [:]
    ) {
        self.name = name
        self.version = version
        self.type = type
        self.interface = interface
        self.config = config
        self.secrets = secrets
        self.extra = extra
    }
}

extension TaskTemplate {
    public init(json task: JSON, path: String) throws(WireError) {
        func str(_ j: JSON?, _ key: String) throws(WireError) -> String {
            guard let s = j?.stringValue else { throw .at(join(path, key), "expected a string") }
            return s
        }
        let interface = task["interface"] ?? .object([:])
        var extra = task.objectValue ?? [:]
        for known in ["name", "version", "type", "interface", "config", "secrets"] { extra[known] = nil }
        self.init(
            name: try str(task["name"], "name"),
            version: task["version"]?.stringValue ?? "",
            type: try str(task["type"], "type"),
            interface: TaskInterface(
                inputs: try TypeMap(json: interface["inputs"] ?? .object([:]), path: join(path, "interface.inputs")),
                outputs: try TypeMap(json: interface["outputs"] ?? .object([:]), path: join(path, "interface.outputs"))),
            config: task["config"] ?? .object([:]),
            secrets: (task["secrets"]?.arrayValue ?? []).compactMap(\.stringValue),
            extra: extra)
    }

    public var json: JSON {
        var template: [String: JSON] = extra
        template["name"] = .string(name)
        template["version"] = .string(version)
        template["type"] = .string(type)
        template["interface"] = .object(["inputs": interface.inputs.json, "outputs": interface.outputs.json])
        template["config"] = config
        template["secrets"] = .array(secrets.map(JSON.string))
        return .object(template)
    }
}

/// The task context document: the bytes every plugin call receives in aloft_task.context.
public struct TaskContext: Sendable, Hashable {
    public static let documentVersion: Int64 = 1

    public var taskExecutionID: String
    public var identity: ExecutionIdentity
    public var task: TaskTemplate
    public var inputs: LiteralMap
    /// Where the task may write output data: a directory URI (`file:///...`, `s3://...`) ending in `/`.
    public var outputPrefix: String

    public init(
        taskExecutionID: String, identity: ExecutionIdentity, task: TaskTemplate, inputs: LiteralMap,
        outputPrefix: String
    ) {
        self.taskExecutionID = taskExecutionID
        self.identity = identity
        self.task = task
        self.inputs = inputs
        self.outputPrefix = outputPrefix
    }

    public var json: JSON {
        .object([
            "version": .integer(Self.documentVersion),
            "task_execution_id": .string(taskExecutionID),
            "execution": .object([
                "project": .string(identity.project), "domain": .string(identity.domain),
                "name": .string(identity.execution), "node": .string(identity.node),
                "attempt": .integer(Int64(identity.attempt)),
            ]),
            "task": task.json,
            "inputs": inputs.json,
            "output_prefix": .string(outputPrefix),
        ])
    }

    public init(bytes: some Collection<UInt8>) throws(WireError) {
        let doc: JSON
        do { doc = try JSONParser.parse(bytes) } catch { throw .at("", "task context is not valid JSON: \(error)") }
        try self.init(json: doc)
    }

    public init(json doc: JSON) throws(WireError) {
        func str(_ j: JSON?, _ path: String) throws(WireError) -> String {
            guard let s = j?.stringValue else { throw .at(path, "expected a string") }
            return s
        }
        guard let version = doc["version"]?.integerValue, version == Self.documentVersion else {
            throw .at("version", "expected task context document version \(Self.documentVersion)")
        }
        guard let execution = doc["execution"], let task = doc["task"] else {
            throw .at("", "a task context needs \"execution\" and \"task\"")
        }
        guard let attempt = execution["attempt"]?.integerValue else {
            throw .at("execution.attempt", "expected an integer")
        }
        identity = ExecutionIdentity(
            project: try str(execution["project"], "execution.project"),
            domain: try str(execution["domain"], "execution.domain"),
            execution: try str(execution["name"], "execution.name"),
            node: try str(execution["node"], "execution.node"),
            attempt: Int(attempt))
        taskExecutionID = try str(doc["task_execution_id"], "task_execution_id")
        outputPrefix = try str(doc["output_prefix"], "output_prefix")
        self.task = try TaskTemplate(json: task, path: "task")
        inputs = try LiteralMap(json: doc["inputs"] ?? .object([:]), path: "inputs")
    }
}
