import AloftCommandLine
import AloftSystem
import FoundationEssentials

/// A plugin project `aloft plugins new` writes: one task type whose outputs are the inputs of the same name.
struct PluginSkeleton {
    enum Language: String, CaseIterable {
        case c, rust, swift
    }

    /// The project's name: also its task type, and the end of its plugin id.
    let name: String
    let language: Language
    let layout: SDKLayout

    /// Relative path -> contents.
    let files: [String: String]

    init(name: String, language: Language, layout: SDKLayout) throws(CLIError) {
        guard Self.isValidName(name) else {
            throw CLIError(
                "\"\(name)\" cannot name a plugin: use a lowercase letter, then lowercase letters, digits, - or _ (at most 64)"
            )
        }
        self.name = name
        self.language = language
        self.layout = layout
        switch language {
        case .c: files = CSkeleton(names: Names(name), layout: layout).files
        case .rust: files = try RustSkeleton(names: Names(name), layout: layout).files
        case .swift: files = try SwiftSkeleton(names: Names(name), layout: layout).files
        }
    }

    static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= 64 && name.wholeMatch(of: /[a-z][a-z0-9_-]*/) != nil
    }

    /// Writes the files under `directory`, which must not exist or be empty.
    func write(to directory: String) throws(CLIError) {
        let files = FileManager.default
        if let existing = try? files.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw CLIError("\(directory) exists and is not empty")
        }
        for (path, contents) in self.files.sorted(by: { $0.key < $1.key }) {
            let full = PathString.appending(directory, path)
            do {
                try files.createDirectory(
                    atPath: PathString.parent(full), withIntermediateDirectories: true)
                try contents.write(toFile: full, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(full): \(error.systemText)")
            }
        }
    }

    /// The one command that builds it, and the library it builds (relative to the project).
    var build: (command: String, library: String) {
        let names = Names(name)
        switch language {
        case .c: return ("make", "lib\(names.snake).so")
        case .rust: return ("cargo build --release", "target/release/lib\(names.snake).so")
        case .swift: return ("swift build", ".build/debug/lib\(names.camel).so")
        }
    }
}

/// The spellings of a plugin's name each language needs.
struct Names {
    /// `my-task`: the task type, the directory, the package.
    let name: String
    /// `example.my-task`
    let pluginID: String
    /// `my_task`: C and Rust identifiers and library names.
    let snake: String
    /// `MyTask`: the Swift module and product.
    let camel: String

    init(_ name: String) {
        self.name = name
        pluginID = "example." + name
        snake = name.replacing("-", with: "_")
        camel = name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map {
            $0.prefix(1).uppercased() + $0.dropFirst()
        }.joined()
    }
}

/// The example workflow every skeleton carries: one node of the plugin's task type.
func skeletonWorkflow(_ names: Names) -> String {
    """
    # One task of type \(names.name): its outputs are its inputs of the same name.
    # ALOFT_PLUGIN_PATH=<directory of the built library> aloft run workflow.yaml -i x=3 -i message=hello
    version: 1
    tasks:
      \(names.snake):
        type: \(names.name)
        inputs:
          x: {type: integer, default: 1}
          message: {type: string, default: "hello"}
        outputs:
          x: integer
          message: string
    workflows:
      main:
        inputs:
          x: {type: integer, default: 1}
          message: {type: string, default: "hello"}
        outputs:
          x: {type: integer, from: $run.x}
          message: {type: string, from: $run.message}
        nodes:
          - id: run
            task: \(names.snake)
            inputs: {x: $inputs.x, message: $inputs.message}

    """
}

/// The README of a skeleton: what it is, how to build it, how to load it.
func skeletonReadme(_ names: Names, language: String, build: String, library: String, extra: String = "") -> String {
    let directory = PathString.parent(library)
    let pluginPath = directory.isEmpty ? "$PWD" : "$PWD/" + directory
    return """
        # \(names.name)

        An Aloft task plugin in \(language), made by `aloft plugins new`: plugin id `\(names.pluginID)` (make it
        yours, e.g. `com.example.\(names.name)`), task type `\(names.name)`, whose outputs are the inputs of the
        same name. Replace submit and poll with your backend; the contract is docs/plugin-abi.md in the Aloft sources.

        Build: `\(build)` (gives `\(library)`).

        Check it, then run the example workflow on it:

        ```sh
        aloft plugins inspect \(library) --init
        ALOFT_PLUGIN_PATH=\(pluginPath) aloft run workflow.yaml -i x=3
        ```
        \(extra)
        """
}
