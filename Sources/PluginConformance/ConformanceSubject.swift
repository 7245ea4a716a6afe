public import AloftWire

/// A task the checks run on the plugin: its template (type, interface, config) and the input values it was
/// given; inputs it was not given are generated from the interface (`InputGenerator`).
public struct ConformanceSubject: Sendable {
    public var template: TaskTemplate
    /// Values from the spec (its defaults); every other declared input is generated.
    public var givenInputs: LiteralMap
    /// Where the task came from, for the report: "task t in spec.yaml" or "the default interface".
    public var origin: String

    public init(template: TaskTemplate, givenInputs: LiteralMap = [:], origin: String) {
        self.template = template
        self.givenInputs = givenInputs
        self.origin = origin
    }

    public var taskType: String { template.type }

    /// Without a spec: one task of `taskType` with one integer input `x` and one integer output `x`, no config.
    public static func standard(taskType: String) -> ConformanceSubject {
        ConformanceSubject(
            template: TaskTemplate(
                name: "conformance", version: "1", type: taskType,
                interface: TaskInterface(inputs: ["x": .integer], outputs: ["x": .integer])),
            origin: "the default interface (x: integer -> x: integer)")
    }
}
