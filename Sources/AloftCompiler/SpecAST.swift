import AloftWire
public import LocatedYAML

/// A value and where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, _ location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A spec file as written, before names are resolved and types checked.
struct SpecFile: Sendable {
    var path: String
    var imports: [Located<String>] = []
    var tasks: [TaskSpec] = []
    var workflows: [WorkflowSpec] = []
    var references: [ReferenceSpec] = []
    var launchPlans: [LaunchPlanSpec] = []
}

/// `references: {tasks: {ALIAS: PROJECT/DOMAIN/NAME@VERSION}, workflows: {...}}`: registered entities (perhaps
/// another team's) that this spec's nodes call by their alias.
struct ReferenceSpec: Sendable {
    enum Kind: String, Sendable { case task, workflow }
    var alias: Located<String>
    var kind: Kind
    var ref: EntityRef
    var location: SourceLocation
}

/// A launch plan as written: a workflow of these files plus default and fixed inputs, labels and a schedule.
struct LaunchPlanSpec: Sendable {
    var name: Located<String>
    var workflow: Located<String>?
    var defaults: [(key: String, keyLocation: SourceLocation, value: LocatedValue)] = []
    var fixed: [(key: String, keyLocation: SourceLocation, value: LocatedValue)] = []
    var labels: [String: String] = [:]
    var schedule: Located<String>?
    var description: String?
}

struct ParameterSpec: Sendable {
    var name: Located<String>
    var type: LiteralType?
    var defaultValue: LocatedValue?
    var description: String?
}

struct TaskSpec: Sendable {
    var name: Located<String>
    var type: Located<String>?
    var version: String?
    var inputs: [ParameterSpec] = []
    var outputs: [ParameterSpec] = []
    var config: JSON = .object([:])
    var container: ContainerSpec?
    var resources: [String: JSON] = [:]
    var retries: Int = 0
    var timeout: Duration?
    var cache: CacheSpec?
    var interruptible = false
    var secrets: [String] = []
    /// The task's whole mapping in the spec: where a plugin's compile-time problems are placed.
    var located: LocatedValue?
}

struct ContainerSpec: Sendable {
    var image: String?
    var command: [Located<String>] = []
    var args: [Located<String>] = []
    var env: [String: String] = [:]
    var backend: String?
    /// `SOURCE[:TARGET][:ro|rw]`, for backends that isolate the file system (podman); `{{spec_dir}}` allowed.
    var mounts: [Located<String>] = []
    /// `none` or `host`, for backends with their own network (podman).
    var network: Located<String>?
}

struct CacheSpec: Sendable {
    var version: String
    var serialize: Bool
    var ignore: [Located<String>]
}

/// An input binding as written: `name: <value>` where the value is a literal, a `$reference`, or a list or
/// map of those.
struct BindingSpec: Sendable {
    var name: Located<String>
    var value: LocatedValue
}

/// What a node (or a branch case) calls.
enum CallTarget: Sendable {
    case task(Located<String>)
    case workflow(Located<String>)
}

struct CallSpec: Sendable {
    var target: CallTarget
    var inputs: [BindingSpec]
    var location: SourceLocation
}

struct BranchCaseSpec: Sendable {
    var condition: Located<String>?  // nil for else
    var body: BranchBody
    var location: SourceLocation
}

enum BranchBody: Sendable {
    case call(CallSpec)
    case fail(String)
}

struct MapSpec: Sendable {
    var call: CallSpec
    var over: BindingSpec?
    var concurrency: Int?
    var minSuccessRatio: Double
}

enum NodeKindSpec: Sendable {
    case call(CallSpec)
    case branch([BranchCaseSpec])
    case map(MapSpec)
}

struct NodeSpec: Sendable {
    var id: Located<String>
    var kind: NodeKindSpec
    var location: SourceLocation
}

struct WorkflowOutputSpec: Sendable {
    var name: Located<String>
    var type: LiteralType?
    var from: LocatedValue?
}

struct WorkflowSpec: Sendable {
    var name: Located<String>
    var inputs: [ParameterSpec] = []
    var outputs: [WorkflowOutputSpec] = []
    var nodes: [NodeSpec] = []
}
