public import AloftWire
public import LocatedYAML

/// Where a node input's value comes from.
public indirect enum Binding: Sendable, Hashable {
    case literal(Literal)
    case workflowInput(String)
    case nodeOutput(node: String, output: String)
    case list([Binding])
    case map([String: Binding])

    /// Every node this binding reads from.
    public var upstreamNodes: Set<String> {
        switch self {
        case .literal, .workflowInput: return []
        case .nodeOutput(let node, _): return [node]
        case .list(let items): return items.reduce(into: []) { $0.formUnion($1.upstreamNodes) }
        case .map(let entries): return entries.values.reduce(into: []) { $0.formUnion($1.upstreamNodes) }
        }
    }
}

public struct CachePolicy: Sendable, Hashable {
    public var version: String
    public var serialize: Bool
    public var ignoredInputs: [String]

    public init(version: String, serialize: Bool = false, ignoredInputs: [String] = []) {
        self.version = version
        self.serialize = serialize
        self.ignoredInputs = ignoredInputs
    }
}

/// A checked task: everything the engine needs to run it through its plugin.
public struct CompiledTask: Sendable {
    public var name: String
    public var template: TaskTemplate
    public var defaults: LiteralMap
    public var retries: Int
    public var timeout: Duration?
    public var cache: CachePolicy?
    public var interruptible: Bool
    public var location: SourceLocation

    public var interface: TaskInterface { template.interface }
}

public enum CallTargetIR: Sendable, Hashable {
    case task(String)
    case workflow(String)
}

public struct CompiledCall: Sendable {
    public var target: CallTargetIR
    public var inputs: [String: Binding]
}

public struct CompiledBranchCase: Sendable {
    public enum Body: Sendable {
        case call(CompiledCall)
        case fail(String)
    }

    /// nil for `else`.
    public var condition: Condition?
    public var body: Body
}

public struct CompiledMap: Sendable {
    public var call: CompiledCall
    /// The input that takes each item, and the list it iterates.
    public var overInput: String
    public var over: Binding
    public var concurrency: Int?
    public var minSuccessRatio: Double
}

public struct CompiledNode: Sendable {
    public enum Kind: Sendable {
        case call(CompiledCall)
        case branch([CompiledBranchCase])
        case map(CompiledMap)
    }

    public var id: String
    public var kind: Kind
    /// Nodes that must finish first, sorted.
    public var upstream: [String]
    public var outputs: TypeMap
    public var location: SourceLocation

    public var kindName: String {
        switch kind {
        case .call(let c):
            if case .workflow = c.target { return "workflow" }
            return "task"
        case .branch: return "branch"
        case .map: return "map"
        }
    }
}

public struct CompiledWorkflow: Sendable {
    public var name: String
    public var interface: TaskInterface
    public var defaults: LiteralMap
    /// In a topological order: every node after the nodes it reads from.
    public var nodes: [CompiledNode]
    public var outputs: [String: Binding]
    public var location: SourceLocation
}

/// Everything a set of spec files defines, checked.
public struct CompiledSpec: Sendable {
    public var tasks: [String: CompiledTask]
    public var workflows: [String: CompiledWorkflow]
    /// The files read, the root first.
    public var files: [String]
    public var launchPlans: [String: CompiledLaunchPlan] = [:]
    /// Aliases of `references`: tasks and workflows registered elsewhere, not defined by these files (not
    /// part of the JSON: a plan runs the same with or without knowing where its parts came from).
    public var referencedTaskAliases: Set<String> = []
    public var referencedWorkflowAliases: Set<String> = []

    public init(
        tasks: [String: CompiledTask], workflows: [String: CompiledWorkflow], files: [String],
        launchPlans: [String: CompiledLaunchPlan] = [:]
    ) {
        self.tasks = tasks
        self.workflows = workflows
        self.files = files
        self.launchPlans = launchPlans
    }
}
