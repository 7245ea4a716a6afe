import AloftCommandLine
import AloftCompiler
import AloftTyping
import AloftWire
import ArgumentParser
import FoundationEssentials
import LocatedYAML

/// `-i name=value` and `--inputs FILE`, checked against an interface: what `run` and `launch` share.
struct InputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "An input, name=value (YAML syntax; once per input; wins over --inputs).")
    var input: [String] = []
    @Option(help: "A YAML or JSON file of inputs.") var inputs: String?

    /// The inputs given, coerced to their types; every required input not given and not in `provided`
    /// (defaults, a launch plan's inputs) is an error listing them all.
    func parse(
        for interface: TaskInterface, of what: String, defaults: LiteralMap, provided: Set<String> = []
    ) throws -> LiteralMap {
        var out: LiteralMap = [:]
        if let inputs {
            guard let text = try? String(contentsOfFile: inputs, encoding: .utf8) else {
                throw CLIError("\(inputs): cannot read the inputs file")
            }
            let doc: LocatedValue?
            do { doc = try YAMLDocument.parse(text, file: inputs) } catch { throw CLIError(error.description) }
            guard case .mapping(let members, _)? = doc else {
                throw CLIError("\(inputs): the inputs file must be a mapping of input names to values")
            }
            for m in members {
                guard let type = interface.inputs[m.key] else {
                    throw CLIError(
                        "\(m.keyLocation): \(what) has no input \"\(m.key)\"; inputs: \(interface.inputs.keys.sorted().joined(separator: ", "))"
                    )
                }
                switch LiteralCoercion.literal(m.value, as: type) {
                case .success(let l): out[m.key] = l
                case .failure(let e): throw CLIError(e.description)
                }
            }
        }
        var given: [String: String] = [:]
        for item in input {
            guard let eq = item.firstIndex(of: "=") else { throw CLIError("-i \(item): expected name=value") }
            let name = String(item[..<eq])
            // A repeated -i is a mistake (an edited command line), not a choice: say so instead of keeping one.
            if let first = given[name] {
                throw CLIError("-i \(name) is given twice (\(first) and \(item)); give each input once")
            }
            given[name] = item
            guard let type = interface.inputs[name] else {
                throw CLIError(
                    "-i \(name): \(what) has no input \"\(name)\"; inputs: \(interface.inputs.keys.sorted().joined(separator: ", "))"
                )
            }
            switch LiteralCoercion.literal(commandLine: String(item[item.index(after: eq)...]), as: type, name: name) {
            case .success(let l):
                out[name] = l.resolvingLocalPaths(againstDirectory: FileManager.default.currentDirectoryPath)
            case .failure(let e): throw CLIError("-i \(name): \(e.message)")
            }
        }
        let missing = interface.inputs.keys.filter {
            out[$0] == nil && defaults[$0] == nil && !provided.contains($0) && !interface.inputs[$0]!.acceptsNone
        }.sorted()
        guard missing.isEmpty else {
            throw CLIError(
                "missing input\(missing.count == 1 ? "" : "s"): "
                    + missing.map { "\($0) (\(interface.inputs[$0]!))" }.joined(separator: ", ")
                    + "; give them with -i name=value")
        }
        return out
    }

}
